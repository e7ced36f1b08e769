"""Neutral, version-independent records for one finding aid.

Readers turn an EAD 2002 or EAD3 document into a stream of these records; writers turn a
stream of them back into either version.  The database loader and streamer only ever see
these classes, so EAD tag names stay inside ``archive.ead``.

Stream protocol (what ``read_ead`` yields and what the writers expect), in this order:

1. exactly one :class:`FindingAid` (the header: ``<eadheader>`` / ``<control>``);
2. the collection-level :class:`Unit` (``<archdesc>``, ``depth == 0``, ``sequence == 0``);
3. every component :class:`Unit` (``<c>``/``<c01>``...) in document order, ``depth`` 1 for
   top-level components, 2 for their children and so on, ``sequence`` counting 1, 2, 3...
   A component's parent is the closest preceding unit with ``depth - 1``;
4. optionally, :class:`UnitSupplement` records.  A unit is emitted as soon as its first child
   component starts (that keeps memory flat); description found *after* the child components
   (legal for ``<archdesc>``: notes after ``<dsc>``) arrives later as a ``UnitSupplement``
   naming the unit by ``sequence``.  Loaders merge it into that unit; writers put it back after
   the components, which both schemas allow for the collection level.

Reader warnings are :class:`EADWarning` objects collected on the reader (``reader.warnings``),
never yielded, so consumers that only want records need no type checks beyond these classes.

Inline markup (titles, note content) is an XML fragment string in ONE neutral vocabulary: the
EAD 2002 element names, without namespace, with the XLink attributes unprefixed as in the EAD
2002 DTD (``<extref href="...">``).  See ``archive.ead.markup``.

Every record is a frozen, slotted dataclass: cheap to hold 100,000 of, hashable, and safe to
pass between threads.  Fields are only ever *added* (with defaults), never renamed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


def _slot_init[R](cls: type[R]) -> type[R]:
    """Give a frozen, slotted record class a quicker ``__init__`` of the same signature.

    The ``__init__`` that ``dataclass(frozen=True)`` writes sets every field with
    ``object.__setattr__(self, name, value)``, a generic attribute look-up per field; the
    reader makes three records or more per component, so for a 100,000-component finding
    aid that was a fifth of its time. This one calls each slot's own descriptor instead
    (half the cost); fields, defaults, immutability, equality and hashing are unchanged.
    """
    names: dict[str, Any] = {}
    parameters = []
    body = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.default_factory is not dataclasses.MISSING:  # pragma: no cover - none so far
            raise TypeError(f"{cls.__name__}.{f.name}: default factories are not supported")
        names[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            parameters.append(f.name)
        else:
            names[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body) + "\n"
    exec(source, names)  # noqa: S102 - the source is made of the class's own field names
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]  # replacing __init__ is the point
    return cls


# ``attributes`` fields: unmapped XML attributes as ((name, value), ...) in document order.
# Names are local names; xlink attributes are unprefixed (as in the EAD 2002 DTD).
Attributes = tuple[tuple[str, str], ...]

NOTE_TYPES: tuple[str, ...] = (
    "abstract",
    "scopecontent",
    "bioghist",
    "arrangement",
    "accessrestrict",
    "userestrict",
    "prefercite",
    "acqinfo",
    "custodhist",
    "processinfo",
    "appraisal",
    "accruals",
    "relatedmaterial",
    "separatedmaterial",
    "otherfindaid",
    "originalsloc",
    "altformavail",
    "phystech",
    "fileplan",
    "odd",
    "bibliography",
    "index",
    "materialspec",
    "physloc",
    "physfacet",
    "dimensions",
    "langmaterial",
    "legalstatus",
    "did_note",
    # EAD 2002 only: a general ``<note>`` directly in a unit (EAD3 writes it as ``odd``).
    "note",
)

# Notes that live inside the identification block (``<did>``) rather than the unit itself.
DID_NOTE_TYPES: frozenset[str] = frozenset(
    {"abstract", "materialspec", "physloc", "physfacet", "dimensions", "langmaterial", "did_note"}
)

AGENT_TYPES = ("person", "family", "corporate")
AGENT_ROLES = ("creator", "subject", "source")
SUBJECT_TYPES = ("topical", "geographic", "genre_form", "occupation", "function", "title")


@_slot_init
@dataclass(frozen=True, slots=True)
class EADWarning:
    """Something a schema would reject but the reader accepted (line is 1-based, or None)."""

    filename: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.filename or "<input>"
        return f"{where}:{self.line or '?'}: {self.message}"


@_slot_init
@dataclass(frozen=True, slots=True)
class ExtraElement:
    """An element the model does not map, kept verbatim so a writer can put it back.

    ``xml`` is the element serialised without namespace in the vocabulary of ``version``
    ("2002" or "3"); ``where`` names the parent block ("unit", "did", "controlaccess",
    "dsc", "header", "filedesc", "titlestmt", "publicationstmt", "profiledesc", "control"...);
    ``position`` is its element index among the parent's children in the source.
    """

    xml: str
    where: str = "unit"
    position: int = 0
    version: str = "2002"
    published: bool = True


@_slot_init
@dataclass(frozen=True, slots=True)
class Revision:
    """One entry of the revision / maintenance history."""

    date: str = ""
    description: str = ""
    agent: str = ""
    event_type: str = ""  # EAD3 eventtype (created, revised, derived...); "" for EAD 2002
    normal: str | None = None  # machine-readable date if the source had one
    published: bool = True
    agent_type: str = ""  # EAD3 agenttype (human, machine, unknown); "" when none
    event_text: str = ""  # words written inside an EAD3 <eventtype>, "" when none


@_slot_init
@dataclass(frozen=True, slots=True)
class FindingAid:
    """The finding aid about the collection: identity, title page, provenance of the file."""

    ead_id: str = ""
    # countrycode, mainagencycode, url, identifier, publicid, encodinganalog... of eadid/recordid
    ead_id_attributes: Attributes = ()
    title: str = ""  # inline-markup fragment (neutral vocabulary)
    title_text: str = ""
    filing_title: str | None = None  # titleproper type="filing"
    subtitle: str | None = None  # fragment
    author: str | None = None  # fragment
    sponsor: str | None = None  # fragment
    publisher: str | None = None  # plain text
    publication_date: str | None = None
    publication_date_normal: str | None = None
    publication_address: tuple[str, ...] = ()  # address lines
    # the publisher and the address lines as fragments, when they had inline markup (an
    # <extptr> to a logo, <lb/>s); the plain values above stay what the database shows
    publisher_markup: str | None = None
    publication_address_markup: tuple[str, ...] = ()
    edition: str | None = None  # fragment
    language_of_description: str | None = None  # prose ("Finding aid written in English")
    language_of_description_code: str | None = None
    script_of_description_code: str | None = None
    script_of_description: str | None = None  # the script's name as written ("Latin")
    rules: str | None = None  # descrules / conventiondeclaration, fragment
    revisions: tuple[Revision, ...] = ()
    creation: str | None = None  # fragment: who/what produced the file
    creation_date: str | None = None  # plain text of the creation's first public date
    repository_name: str | None = None  # publisher / maintenance agency name
    repository_code: str | None = None  # ISIL-like repository code
    country_code: str | None = None
    agency_code: str | None = None
    source_version: str = "2002"  # "2002" | "3": what the reader found
    numbered_components: bool = False  # c01..c12 rather than c
    status: str | None = None  # findaidstatus / publicationstatus
    maintenance_status_text: str = ""  # words inside an EAD3 <maintenancestatus>, if any
    root_attributes: Attributes = ()  # unmapped attributes of <ead>
    header_attributes: Attributes = ()  # unmapped attributes of <eadheader>/<control>
    extra: tuple[ExtraElement, ...] = ()
    # attributes of the elements inside the header, by path and occurrence
    # (("filedesc/titlestmt/titleproper[0]", attributes), ...): a writer of the same version
    # gives them back to the elements it writes at those places
    element_attributes: tuple[tuple[str, Attributes], ...] = ()
    # the EAD3 <languagedeclaration> and <conventiondeclaration> that the language of
    # description and the rules were read from, as (XML without namespace, the field's value
    # as read): an EAD3 writer gives one back as it was while its field still says the same
    declarations: tuple[tuple[str, str], ...] = ()


@_slot_init
@dataclass(frozen=True, slots=True)
class Date:
    """A date or date range of the material (unitdate / unitdatestructured)."""

    expression: str = ""  # the date as written ("ca. 1912-1994")
    begin: str | None = None  # ISO 8601 (from @normal or structured dates)
    end: str | None = None
    date_type: str = "inclusive"  # inclusive | bulk | single
    certainty: str | None = None
    calendar: str | None = None
    era: str | None = None
    normal: str | None = None  # the raw @normal value as found
    characteristic: str | None = None  # datechar ("creation")
    published: bool = True
    attributes: Attributes = ()
    # the EAD3 <unitdatestructured> this date was read from (XML without namespace), when it
    # held this one date: the EAD3 writer gives it back as it was (ranges, attributes, the
    # words of <fromdate>/<todate>) while expression, begin and end are still those read
    structured: str = ""
    # its content as a fragment when it had inline markup (a <title>); ``expression`` is
    # its plain text
    markup: str = ""


@_slot_init
@dataclass(frozen=True, slots=True)
class Extent:
    """One physical description statement.

    ``content`` keeps the original statement as a neutral fragment when the source had free
    text (EAD 2002 ``<physdesc>``); writers prefer it for the same vocabulary and fall back to
    the parsed fields, which are what the database uses.
    """

    number: str | None = None
    extent_type: str | None = None
    portion: str | None = None  # whole | part
    container_summary: str | None = None
    physical_details: str | None = None
    dimensions: str | None = None
    content: str = ""
    published: bool = True
    attributes: Attributes = ()
    # the EAD3 <physdescstructured> it was read from (XML without namespace): the EAD3
    # writer gives it back as it was (attributes of its quantity, unit type, dimensions...)
    # while the fields above are what the database shows
    structured: str = ""
    # attributes of the <physdescset> it opens (coverage, parallel...), on a set's first one
    set_attributes: Attributes = ()


@_slot_init
@dataclass(frozen=True, slots=True)
class Language:
    """A language of the material (ISO 639-2b code, ISO 15924 script, name as written)."""

    code: str | None = None
    script: str | None = None
    name: str = ""
    script_name: str = ""  # text of an EAD3 <script> ("arcanumscript"), "" when none
    published: bool = True  # False inside a langmaterial (or language) marked internal
    attributes: Attributes = ()  # others of its <language> (encodinganalog...)
    # the ``position`` of the langmaterial note it was read from (EAD3, where a statement
    # and its languages are one element), or None
    statement: int | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class Note:
    """A descriptive note.  ``content`` is the inner markup after ``<head>``, kept exactly."""

    note_type: str
    heading: str | None = None  # plain text of <head>
    content: str = ""
    published: bool = True
    ref: str | None = None  # @id
    position: int = 0  # element index in the parent (unit or did) in the source
    attributes: Attributes = ()
    heading_attributes: Attributes = ()  # of its <head> (id, altrender...)


@_slot_init
@dataclass(frozen=True, slots=True)
class AgentLink:
    """A person, family or corporate body linked to a unit.

    Role rule (documented in ``reader``): names in ``<origination>`` are creators, or sources
    when the origination label says "source"; names in ``<controlaccess>`` are subjects unless
    their @role / @relator says creator or source.  ArchivesSpace's importer folds sources into
    creators; keeping ``role`` separate from ``relator`` avoids that loss.
    """

    name: str
    agent_type: str = "person"  # person | family | corporate
    role: str = "subject"  # creator | subject | source
    relator: str | None = None
    source: str | None = None  # authority file (lcnaf, local...)
    authority_id: str | None = None
    normal: str | None = None
    name_parts: tuple[tuple[str, str], ...] = ()  # ((part type, text), ...) from EAD3 <part>
    published: bool = True
    group: str | None = None  # heading of a nested controlaccess group
    label: str | None = None  # origination @label
    attributes: Attributes = ()
    # other attributes of the <origination> it was read from (on its first name only: an id
    # may not repeat)
    origination_attributes: Attributes = ()
    # the name as a neutral fragment when it had inline markup (<subarea>, <emph>; EAD3
    # parts with markup or attributes, kept as <part>s); ``name`` is its plain text
    name_markup: str | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class SubjectLink:
    """A topical, geographic, genre/form, occupation, function or title access point."""

    term: str
    subject_type: str = "topical"
    source: str | None = None
    authority_id: str | None = None
    published: bool = True
    group: str | None = None
    normal: str | None = None
    attributes: Attributes = ()
    # ((part type, text), ...) from EAD3 <part>s when the term had more than one or a typed
    # one ("Architecture -- History -- 20th century"); ``term`` is their words joined
    term_parts: tuple[tuple[str, str], ...] = ()
    # the term as a neutral fragment when it had inline markup (as ``AgentLink.name_markup``)
    term_markup: str | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class Container:
    """A box, folder... instance as written on the unit, raw and in order."""

    ref: str | None = None  # @id
    parent_ref: str | None = None  # @parent
    container_type: str | None = None
    indicator: str = ""
    label: str | None = None
    barcode: str | None = None
    attributes: Attributes = ()
    published: bool = True
    # its content as a fragment when it had inline markup (a <title>, an <archref>);
    # ``indicator`` is its plain text
    content: str = ""


@_slot_init
@dataclass(frozen=True, slots=True)
class DigitalObject:
    """A link to a digital surrogate.  ``group`` ties together members of a daogrp/daoset."""

    title: str | None = None
    href: str | None = None
    role: str | None = None
    show: str | None = None
    actuate: str | None = None
    published: bool = True
    description: str | None = None  # fragment (daodesc / descriptivenote content)
    extra: Attributes = ()  # unmapped attributes
    group: str | None = None
    group_description: str | None = None  # fragment of the group's daodesc
    object_type: str | None = None  # EAD3 daotype (borndigital, derived...)
    group_attributes: Attributes = ()  # of the daogrp/daoset (id, title...), on its first member
    # the extended link's own <resource>s and <arc>s (EAD 2002, XML without namespace), on
    # its first member: an EAD3 export, which has no such elements, writes a resource's words
    # into the set's description
    group_links: tuple[str, ...] = ()


@_slot_init
@dataclass(frozen=True, slots=True)
class Unit:
    """The collection (``depth == 0``) or one component of it."""

    depth: int = 0
    sequence: int = 0
    level: str | None = None  # collection, series, file... (or "otherlevel")
    other_level: str | None = None
    ref: str | None = None  # @id
    identifier: str | None = None  # first unitid
    identifier_attributes: Attributes = ()
    # further unitids; one marked internal keeps ("audience", "internal") in its attributes
    other_identifiers: tuple[tuple[str, Attributes], ...] = ()
    title: str = ""  # fragment
    title_text: str = ""
    title_attributes: Attributes = ()
    dates: tuple[Date, ...] = ()
    extents: tuple[Extent, ...] = ()
    languages: tuple[Language, ...] = ()
    physical_location: str | None = None  # text of the first public physloc
    repository_name: str | None = None  # plain text of did/repository
    notes: tuple[Note, ...] = ()
    agents: tuple[AgentLink, ...] = ()
    subjects: tuple[SubjectLink, ...] = ()
    containers: tuple[Container, ...] = ()
    digital_objects: tuple[DigitalObject, ...] = ()
    published: bool = True
    attributes: Attributes = ()  # unmapped attributes of archdesc / c
    extra: tuple[ExtraElement, ...] = ()
    # headings of blocks that have one: (("did", "Summary"), ("controlaccess", "Subjects"),
    # ("dsc", "Container list"), ...)
    headings: tuple[tuple[str, str], ...] = ()
    # attributes of the component list element (dsc) for the collection-level unit
    component_list_attributes: Attributes = ()
    did_attributes: Attributes = ()
    controlaccess_attributes: Attributes = ()
    # every unitid (``identifier`` first, then ``other_identifiers``) as a neutral fragment,
    # only when one of them has inline markup (an <extref> with an ARK link, a <title>); the
    # plain values above stay what search and the database use
    identifier_fragments: tuple[str, ...] = ()
    # attributes of nested access-point groups, by the group's heading ("" when it has none)
    group_attributes: tuple[tuple[str, Attributes], ...] = ()
    # attributes of the headings in ``headings``, by the same keys (("dsc", (("id", "a9"),)),)
    heading_attributes: tuple[tuple[str, Attributes], ...] = ()
    # on the first component of a further component list (a second <dsc>): that list's
    # attributes, () when it had none; None on every other unit
    new_component_list: Attributes | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class UnitSupplement:
    """Description of unit ``sequence`` that came after its child components."""

    sequence: int
    depth: int = 0
    notes: tuple[Note, ...] = ()
    agents: tuple[AgentLink, ...] = ()
    subjects: tuple[SubjectLink, ...] = ()
    digital_objects: tuple[DigitalObject, ...] = ()
    extra: tuple[ExtraElement, ...] = ()
    headings: tuple[tuple[str, str], ...] = ()
    heading_attributes: tuple[tuple[str, Attributes], ...] = ()  # as on Unit


Record = FindingAid | Unit | UnitSupplement

__all__ = [
    "AGENT_ROLES",
    "AGENT_TYPES",
    "DID_NOTE_TYPES",
    "NOTE_TYPES",
    "SUBJECT_TYPES",
    "AgentLink",
    "Attributes",
    "Container",
    "Date",
    "DigitalObject",
    "EADWarning",
    "ExtraElement",
    "Extent",
    "FindingAid",
    "Language",
    "Note",
    "Record",
    "Revision",
    "SubjectLink",
    "Unit",
    "UnitSupplement",
]
