"""EAD 2002 / EAD3 reading and writing (pure Python + lxml, no Django).

    records = read_ead("finding-aid.xml")        # FindingAid, Unit(depth 0), Units...
    write_ead3(records, "converted.xml")         # or write_ead2002(...)

See ``records`` for the record stream protocol.
"""

from .markup import to_html
from .parsing import EADError, EADSyntaxError
from .reader import EADReader, read_ead
from .records import (
    AgentLink,
    Container,
    Date,
    DigitalObject,
    EADWarning,
    Extent,
    ExtraElement,
    FindingAid,
    Language,
    Note,
    Revision,
    SubjectLink,
    Unit,
    UnitSupplement,
)
from .writer3 import write_ead3
from .writer2002 import write_ead2002

__all__ = [
    "AgentLink",
    "Container",
    "Date",
    "DigitalObject",
    "EADError",
    "EADReader",
    "EADSyntaxError",
    "EADWarning",
    "Extent",
    "ExtraElement",
    "FindingAid",
    "Language",
    "Note",
    "Revision",
    "SubjectLink",
    "Unit",
    "UnitSupplement",
    "read_ead",
    "to_html",
    "write_ead2002",
    "write_ead3",
]
