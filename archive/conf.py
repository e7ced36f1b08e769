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


#: The largest EAD file, in MB, the admin's "Import EAD" page accepts (per file). Well above
#: the largest finding aids institutions publish (tens of MB at most), low enough that an
#: upload's disk use and import time stay bounded. ``manage.py import_ead`` has no limit.
MAX_UPLOAD_MB = 200

#: Seconds between two heartbeats of a running import job.
IMPORT_HEARTBEAT_SECONDS = 10

#: Seconds without a heartbeat after which a running import job's worker counts as stopped.
IMPORT_LEASE_SECONDS = 300


def max_upload_mb() -> float:
    """``FONDS_MAX_UPLOAD_MB``, default :data:`MAX_UPLOAD_MB`."""
    return float(getattr(settings, "FONDS_MAX_UPLOAD_MB", MAX_UPLOAD_MB))


def import_heartbeat_seconds() -> float:
    """``FONDS_IMPORT_HEARTBEAT_SECONDS``, default :data:`IMPORT_HEARTBEAT_SECONDS`."""
    return float(getattr(settings, "FONDS_IMPORT_HEARTBEAT_SECONDS", IMPORT_HEARTBEAT_SECONDS))


def import_lease_seconds() -> float:
    """``FONDS_IMPORT_LEASE_SECONDS``, default :data:`IMPORT_LEASE_SECONDS`."""
    return float(getattr(settings, "FONDS_IMPORT_LEASE_SECONDS", IMPORT_LEASE_SECONDS))


def import_dir() -> str | None:
    """``FONDS_IMPORT_DIR``: where uploads wait for their import job (None: under MEDIA_ROOT)."""
    value = getattr(settings, "FONDS_IMPORT_DIR", None)
    return str(value) if value else None
