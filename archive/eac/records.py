"""Neutral records of EAC-CPF authority records: what the reader returns and the writer takes.

Frozen dataclasses with no Django in them, like ``archive.ead.records``. Texts are kept as the
record wrote them (whitespace collapsed); dates keep both their text and their ISO form
(``standardDate``), since real records often carry one without the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Date:
    """One ``<date>``, or one ``<dateRange>`` when ``ranged`` (then ``text``/``standard`` are
    the start and ``to_text``/``to_standard`` the end)."""

    text: str = ""
    standard: str = ""
    ranged: bool = False
    to_text: str = ""
    to_standard: str = ""

    def label(self) -> str:
        """ "1790 - 1804", "1946 -", "1890": the words of the date as a reader sees them."""
        start = self.text or self.standard
        if not self.ranged:
            return start
        end = self.to_text or self.to_standard
        return f"{start} - {end}".strip() if end else f"{start} -"


@dataclass(frozen=True)
class NamePart:
    text: str
    local_type: str = ""


@dataclass(frozen=True)
class Name:
    """One ``<nameEntry>``: its parts, the dates it was used, and whether it is authorised."""

    parts: tuple[NamePart, ...]
    dates: tuple[Date, ...] = ()
    authorized: bool = False
    forms: tuple[str, ...] = ()  # the rules it follows (authorizedForm / alternativeForm)
    local_type: str = ""
    lang: str = ""
    script: str = ""
    parallel: bool = False  # one of the forms of a <nameEntryParallel>

    @property
    def text(self) -> str:
        return " ".join(" ".join(p.text for p in self.parts).split())


@dataclass(frozen=True)
class Term:
    """A place, occupation, function or legal status: its term(s), vocabulary and dates.

    ``role`` is a place's ``placeRole``; ``note`` the plain text of a ``descriptiveNote``.
    """

    text: str
    vocabulary: str = ""
    local_type: str = ""
    role: str = ""
    dates: tuple[Date, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Relation:
    """A ``cpfRelation``, ``resourceRelation`` or ``functionRelation``.

    ``relation_type`` is the record's own word (``cpfRelationType``, ``resourceRelationType``
    or ``functionRelationType``), ``arcrole`` and ``role`` its XLink ones.
    """

    kind: str  # "cpf" | "resource" | "function"
    entry: str = ""
    relation_type: str = ""
    href: str = ""
    arcrole: str = ""
    role: str = ""
    dates: tuple[Date, ...] = ()
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Identifier:
    value: str
    local_type: str = ""


@dataclass(frozen=True)
class Warning_:
    """Something the reader had to forgive; ``line`` is where, in the file it read."""

    message: str
    line: int | None = None


@dataclass(frozen=True)
class AuthorityRecord:
    """One EAC-CPF record, as the model needs it and as the writer writes it back."""

    entity_type: str  # "person" | "family" | "corporateBody"
    names: tuple[Name, ...]
    record_id: str = ""
    other_record_ids: tuple[Identifier, ...] = ()
    entity_ids: tuple[Identifier, ...] = ()
    maintenance_agency: str = ""
    agency_code: str = ""
    language: str = ""  # languageDeclaration's language code (e.g. "fre")
    script: str = ""
    exist_dates: tuple[Date, ...] = ()
    exist_note: str = ""  # existDates' descriptiveNote (e.g. full dates the range rounds)
    biography: str = ""  # neutral markup fragment (EAD 2002 names, no namespace)
    structure: str = ""  # structureOrGenealogy, the same kind of fragment
    general_context: str = ""
    places: tuple[Term, ...] = ()
    occupations: tuple[Term, ...] = ()
    functions: tuple[Term, ...] = ()
    legal_statuses: tuple[Term, ...] = ()
    local_descriptions: tuple[Term, ...] = ()  # e.g. sex, subjects (localType says which)
    mandates: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    warnings: tuple[Warning_, ...] = field(default=(), compare=False)
    filename: str | None = field(default=None, compare=False)

    @property
    def authorized_name(self) -> Name:
        """The name marked authorised, else the first one (EAC-CPF's own rule of thumb)."""
        for name in self.names:
            if name.authorized:
                return name
        return self.names[0]

    @property
    def variant_names(self) -> tuple[Name, ...]:
        first = self.authorized_name
        return tuple(n for n in self.names if n is not first)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Every id the record gives itself or its entity, its recordId first."""
        ids = [self.record_id, *(i.value for i in self.other_record_ids)]
        ids += [i.value for i in self.entity_ids]
        return tuple(dict.fromkeys(i for i in ids if i))
