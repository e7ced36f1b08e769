"""Streaming reader for EAD 2002 and EAD3 into neutral records.

``read_ead(source)`` returns an :class:`EADReader`; iterate it for the records (protocol in
``archive.ead.records``) and look at ``reader.warnings`` (a list of
:class:`~archive.ead.records.EADWarning`, filled while iterating) for schema problems that did
not stop the import.  Malformed XML raises :class:`~archive.ead.parsing.EADSyntaxError`.

The version is detected from the document, never from the file name: the root namespace
(EAD 2002 ``urn:isbn:1-931666-22-9``, EAD3 and EAD3 "undeprecated"), else the DOCTYPE's public
or system identifier, else the first child of ``<ead>`` (``<control>`` is EAD3-only,
``<eadheader>`` EAD 2002-only).

Memory: every element directly inside a unit is turned into record fields at its end tag and
removed from the tree, and each component is removed at its end tag, so only the current chain
of open components is ever held.

Agent roles: see ``access`` (origination names are creators or sources; access points are
subjects unless their relator says otherwise).

The parts: ``document`` (the pass over the events, and ``EADReader``), ``header``
(``<eadheader>``/``<control>``), ``units`` (a unit's children and its records), ``did``,
``notes`` (notes and digital objects), ``access`` (names and terms), ``base`` (what they
share).
"""

from .base import is_component
from .document import EADReader, read_ead

__all__ = ["EADReader", "is_component", "read_ead"]
