"""Fonds' own settings (``FONDS_*``) with their defaults, read when used.

Set any of them in the Django settings (``config/settings.py``) to change it; read them here,
as ``conf.import_max_unit_bytes()``, never with ``getattr(settings, ...)`` scattered about.
"""

from __future__ import annotations

from django.conf import settings

#: The most bytes of an EAD file the description of one unit may take (the collection's
#: description or one component's, without its child components; or the header). The
#: reader counts bytes as the parser reads them and refuses a file past this, naming the
#: line, so an import holds at most about this much of a file's text at once (a few times
#: over while mapping it). Real finding aids stay far below: their longest notes are tens of
#: kilobytes.
IMPORT_MAX_UNIT_BYTES = 16 * 1024 * 1024


def import_max_unit_bytes() -> int:
    """``FONDS_IMPORT_MAX_UNIT_BYTES``, default :data:`IMPORT_MAX_UNIT_BYTES`."""
    return int(getattr(settings, "FONDS_IMPORT_MAX_UNIT_BYTES", IMPORT_MAX_UNIT_BYTES))
