"""EAC-CPF 2010 authority records in and out: pure Python and lxml, no Django (like
``archive.ead``). :func:`read_eac` gives an :class:`AuthorityRecord`; :func:`write_eac`
writes one back."""

from .reader import EAC_NS, EACError, read_eac
from .records import AuthorityRecord, Date, Identifier, Name, NamePart, Relation, Term
from .writer import write_eac

__all__ = [
    "EAC_NS",
    "AuthorityRecord",
    "Date",
    "EACError",
    "Identifier",
    "Name",
    "NamePart",
    "Relation",
    "Term",
    "read_eac",
    "write_eac",
]
