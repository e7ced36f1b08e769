"""``manage.py spreadsheet_template [--format xlsx|csv] [--output FILE]``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from archive.services.spreadsheets import spreadsheet_template


class Command(BaseCommand):
    help = (
        "Write the empty spreadsheet template for importing components: XLSX (with drop-down "
        "lists and a sheet explaining each column) or CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", metavar="FILE", help="Default: fonds-template.<format>")

    def handle(self, *args: Any, **options: Any) -> None:
        file_format = options["format"]
        output = options["output"] or f"fonds-template.{file_format}"
        if output == "-":
            spreadsheet_template(out=sys.stdout.buffer, file_format=file_format)
            return
        with open(output, "wb") as out:
            spreadsheet_template(out=out, file_format=file_format)
        self.stdout.write(f"Wrote {output}")
