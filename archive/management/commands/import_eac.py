"""``manage.py import_eac PATH...``: import EAC-CPF authority records as agents.

Each PATH is a file or a folder (its ``*.xml`` files, in name order). One line per file says
what it did (agent created or updated, relations linked or kept as text); warnings follow it,
each naming file and line. A file that fails changes nothing and is reported the same way;
the command then ends with a non-zero status once every file was tried.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.services.eac import eac_import


class Command(BaseCommand):
    help = "Import EAC-CPF authority records (files, or folders of *.xml) as agents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a file or a folder")

    def handle(self, *args: Any, **options: Any) -> None:
        files = self.collect([Path(p) for p in options["paths"]])
        results = eac_import(files=[(str(path), path) for path in files])
        failed = 0
        for result in results:
            if result.error:
                failed += 1
                self.stderr.write(result.summary())
                continue
            self.stdout.write(result.summary())
            for warning in result.warnings:
                self.stderr.write(f"  warning: {warning}")
        if failed:
            raise CommandError(f"{failed} of {len(results)} files failed; they changed nothing")

    def collect(self, paths: list[Path]) -> list[Path]:
        """The files to read: each file as given, each folder's ``*.xml`` in name order."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                found = sorted(p for p in path.glob("*.xml") if p.is_file())
                if not found:
                    raise CommandError(f"{path}: the folder holds no .xml file")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        return files
