"""``manage.py import_spreadsheet COLLECTION FILE [--under ID] [--dry-run] [--repository CODE]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.models import Collection, Component
from archive.services.spreadsheets import SpreadsheetError, spreadsheet_import


def collection_find(name: str, repository: str | None) -> Collection:
    """The collection a command names by EAD id (or database id), in ``repository`` if given."""
    found = Collection.objects.filter(ead_id=name)
    if repository:
        found = found.filter(repository__code=repository)
    collections = list(found[:2])
    if not collections and name.isdigit():
        collections = list(Collection.objects.filter(pk=int(name)))
    if not collections:
        raise CommandError(f"no collection with the EAD id {name!r}")
    if len(collections) > 1:
        raise CommandError(f"several repositories have a collection {name!r}; add --repository")
    return collections[0]


def component_find(collection: Collection, value: str) -> Component:
    """A component of ``collection`` by machine id, identifier or database id."""
    units = collection.components
    for lookup in ({"ref": value}, {"identifier": value}):
        matches = list(units.filter(**lookup)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CommandError(
                f"several components have the identifier {value!r}; give its machine id"
            )
    if value.isdigit() and (unit := units.filter(pk=int(value)).first()):
        return unit
    raise CommandError(f"{collection.ead_id} has no component {value!r}")


class Command(BaseCommand):
    help = (
        "Import components from an XLSX or CSV sheet into a collection. Every row is checked "
        "first; problems are listed with row, column and a fix and nothing is saved until the "
        "sheet is clean. Rows whose Machine id is a component of the collection update it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collection", metavar="COLLECTION", help="EAD id of the collection")
        parser.add_argument("file", metavar="FILE", help=".xlsx or .csv file")
        parser.add_argument(
            "--under", metavar="ID", help="Machine id or identifier of the component to add under"
        )
        parser.add_argument("--repository", metavar="CODE", help="Repository of the collection")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and report what would change; save nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collection = collection_find(options["collection"], options["repository"])
        under = component_find(collection, options["under"]) if options["under"] else None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = spreadsheet_import(
                collection=collection,
                source=path,
                filename=path.name,
                under=under,
                dry_run=options["dry_run"],
            )
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{path.name}: {len(result.problems)} problems; nothing was saved")
        for update in result.updates:
            for label, old, new in update.changes:
                self.stdout.write(f"row {update.row} {update.ref}: {label}: {old!r} -> {new!r}")
        self.stdout.write(result.summary() + f" in {result.seconds:.1f} s")
