"""``manage.py export_spreadsheet COLLECTION [--under ID] [--format xlsx|csv] [--output FILE]
[--public] [--repository CODE]``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.management.commands.import_spreadsheet import collection_find, component_find
from archive.services.spreadsheets import SpreadsheetError, spreadsheet_export


class Command(BaseCommand):
    help = (
        "Write a collection's components (or a subtree) as XLSX or CSV with the template's "
        "columns plus each component's machine id; edit it and import it again to update."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collection", metavar="COLLECTION", help="EAD id of the collection")
        parser.add_argument("--under", metavar="ID", help="Only this component and what is below")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument(
            "--output", metavar="FILE", help="Default: <EAD id>.<format>; - for stdout"
        )
        parser.add_argument("--repository", metavar="CODE", help="Repository of the collection")
        parser.add_argument("--public", action="store_true", help="Only what the public may see")

    def handle(self, *args: Any, **options: Any) -> None:
        collection = collection_find(options["collection"], options["repository"])
        under = component_find(collection, options["under"]) if options["under"] else None
        file_format = options["format"]
        output = options["output"] or f"{collection.ead_id.replace('/', '_')}.{file_format}"
        try:
            if output == "-":
                count = spreadsheet_export(
                    collection=collection,
                    out=sys.stdout.buffer,
                    file_format=file_format,
                    under=under,
                    public=options["public"],
                )
                return
            with open(output, "wb") as out:
                count = spreadsheet_export(
                    collection=collection,
                    out=out,
                    file_format=file_format,
                    under=under,
                    public=options["public"],
                )
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Wrote {count:,} rows to {output}")
