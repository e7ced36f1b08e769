"""Authority records made by the tests themselves (written with archive.eac's writer)."""

from __future__ import annotations

import datetime as dt

from archive.eac import write_eac
from archive.eac.records import AuthorityRecord, Date, Identifier, Name, NamePart, Relation

WHEN = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def record_bytes(
    name: str,
    *,
    record_id: str,
    entity_type: str = "person",
    dates: tuple[str, str] | None = None,
    entity_ids: tuple[str, ...] = (),
    other_ids: tuple[str, ...] = (),
    relations: tuple[Relation, ...] = (),
    variants: tuple[str, ...] = (),
) -> bytes:
    """One EAC-CPF record naming ``name`` (with optional ids, dates and relations)."""
    exist = ()
    if dates:
        exist = (Date(dates[0], dates[0], ranged=True, to_text=dates[1], to_standard=dates[1]),)
    record = AuthorityRecord(
        entity_type=entity_type,
        names=(
            Name(parts=(NamePart(name),), authorized=True),
            *(Name(parts=(NamePart(v),)) for v in variants),
        ),
        record_id=record_id,
        other_record_ids=tuple(Identifier(i) for i in other_ids),
        entity_ids=tuple(Identifier(i) for i in entity_ids),
        maintenance_agency="Test archives",
        exist_dates=exist,
        relations=relations,
    )
    return write_eac(record, revised=WHEN)


def cpf(entry: str, href: str = "", relation_type: str = "associative", note: str = "") -> Relation:
    return Relation(kind="cpf", entry=entry, href=href, relation_type=relation_type, note=note)
