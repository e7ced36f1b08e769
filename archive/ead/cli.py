"""``python -m archive.ead``: convert finding aids between EAD 2002 and EAD3, and validate them.

Needs only Python and lxml: no Django, no database, no settings.

    python -m archive.ead convert INPUT [--to ead3|ead2002] [-o OUTPUT] [--check-words]
    python -m archive.ead validate FILE [FILE ...]

``convert`` reads one file, or every ``*.xml`` of a folder, and writes each in the other EAD
version (or the one ``--to`` names). Every output is validated against the target version's
official schema before it is written: an output that would be invalid is not written and is
reported, and the other files still convert. One summary line per file; exit status 1 when any
file failed, 2 for a usage error (no such input, schemas not found).

``validate`` checks each file against the schema its root names (namespace, else DOCTYPE or
first child; DTD-style files without namespace against the DTD) and prints
``file:line:column: message`` per error, ``file: valid`` otherwise.

The schemas come from ``--schemas DIR``, else ``$FONDS_SCHEMA_DIR``, else ``../shared/schemas``
beside the project (the default of the Django setting of the same name).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .parsing import EADSyntaxError
from .reader import read_ead
from .records import EADWarning, FindingAid, Record, Unit
from .schemas import SchemaError, SchemaNotFound, SchemaSet
from .words import LostText, describe_lost, document_words, lost_text, words_lost
from .writer3 import write_ead3
from .writer2002 import write_ead2002

# --to values and the version names the package uses
TARGETS = {"ead2002": "2002", "ead3": "3"}
LABELS = {"2002": "EAD 2002", "3": "EAD3"}
WRITERS = {"2002": write_ead2002, "3": write_ead3}

SHOWN_ERRORS = 10  # schema errors listed per file; the rest are counted


class UsageError(Exception):
    """A mistake in the command line (reported in one line, exit status 2)."""


@dataclass
class Conversion:
    """What happened to one file."""

    name: str  # the input as shown in messages
    source_version: str | None = None
    target_version: str | None = None
    components: int = 0
    warnings: list[EADWarning] = field(default_factory=list)
    problem: str | None = None  # why it failed (one line), None when it converted
    located: bool = False  # the problem is "file:line:column: reason" (malformed input)
    errors: tuple[SchemaError, ...] = ()  # schema errors of a rejected output
    words_lost: str | None = None  # describe_lost(...) when words were checked
    lost_any: bool = False
    lost_where: list[LostText] = field(default_factory=list)  # where the lost words stood

    @property
    def failed(self) -> bool:
        return self.problem is not None or self.lost_any

    def summary(self) -> str:
        if self.located and self.problem is not None:
            return self.problem
        parts = []
        if self.source_version and self.target_version:
            versions = f"{LABELS[self.source_version]} -> {LABELS[self.target_version]}"
            parts.append(versions)
            parts.append(_plural(self.components, "component"))
            parts.append(_plural(len(self.warnings), "warning"))
        if self.problem is not None:
            parts.append(self.problem)
        else:
            parts.append("valid")
        if self.words_lost is not None:
            parts.append(self.words_lost)
        return f"{self.name}: {', '.join(parts)}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def location(name: str, line: int | None, column: int | None) -> str:
    """``name:line:column`` (the parts that are known)."""
    where = name
    if line:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where


def syntax_problem(exc: EADSyntaxError, name: str) -> str:
    return f"{location(name, exc.line, exc.column)}: {exc.reason}"


# -- convert ---------------------------------------------------------------------------------


def convert_file(
    source: Path,
    destination: Path | IO[bytes],
    *,
    name: str,
    target: str | None,
    schemas: SchemaSet,
    check_words: bool = False,
) -> Conversion:
    """Convert one file; write ``destination`` only when the output is valid.

    ``target`` is "2002" or "3" (None: the other version than the input's). The output is
    written to a temporary file beside ``destination`` (or in the temporary folder when it is
    a stream), validated, and only then moved into place, so an invalid or interrupted output
    never replaces an earlier good one.
    """
    result = Conversion(name=name)
    folder = destination.parent if isinstance(destination, Path) else None
    fd, scratch_name = tempfile.mkstemp(prefix=".fonds-convert-", suffix=".xml", dir=folder)
    scratch = Path(scratch_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if not _write(source, out, result, target=target):
                return result
        assert result.target_version is not None
        report = schemas.validate_as(scratch, result.target_version, filename=name)
        if not report.valid:
            result.errors = report.errors
            result.problem = (
                f"INVALID {LABELS[result.target_version]} output, not written "
                f"({_plural(len(report.errors), 'schema error')})"
            )
            return result
        if check_words:
            kept = document_words(scratch)
            lost = words_lost(document_words(source, filename=name), kept)
            result.words_lost = describe_lost(lost)
            result.lost_any = bool(lost)
            if lost:
                result.lost_where = lost_text(source, kept)
        if isinstance(destination, Path):
            os.replace(scratch, destination)
        else:
            with scratch.open("rb") as fh:
                shutil.copyfileobj(fh, destination)
            destination.flush()
        return result
    finally:
        scratch.unlink(missing_ok=True)


def _write(source: Path, out: IO[bytes], result: Conversion, *, target: str | None) -> bool:
    """Read ``source`` and write it to ``out`` in the target version; False on failure (the
    reason is then in ``result.problem``)."""
    try:
        reader = read_ead(source, filename=result.name)
        records = iter(reader)
        first = next(records, None)
        if not isinstance(first, FindingAid):
            result.problem = "not a finding aid: no <archdesc> found"
            return False
        result.source_version = first.source_version
        result.target_version = target or ("3" if first.source_version == "2002" else "2002")
        WRITERS[result.target_version](
            _counted(first, records, result), out, include_unpublished=True
        )
        result.warnings = list(reader.warnings)
        return True
    except EADSyntaxError as exc:
        result.problem = syntax_problem(exc, result.name)
        result.located = True
    except OSError as exc:
        result.problem = f"cannot read or write: {exc.strerror or exc}"
    except Exception as exc:  # a writer bug must not stop the other files nor print a traceback
        result.problem = (
            f"conversion failed (internal error, please report: {type(exc).__name__}: {exc})"
        )
    return False


def _counted(first: Record, records: Iterator[Record], result: Conversion) -> Iterator[Record]:
    """The record stream, counting components (units below the collection) as they pass."""
    yield first
    for record in records:
        if isinstance(record, Unit) and record.depth > 0:
            result.components += 1
        yield record


def _inputs(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        if not files:
            raise UsageError(f"{path}: no *.xml files in this folder")
        return files
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    return [path]


def _destinations(source: Path, files: list[Path], output: Path | None) -> list[Path | None]:
    """Where each file goes (None: standard output)."""
    if source.is_dir():
        if output is None:
            raise UsageError("converting a folder needs -o FOLDER for the converted files")
        if output.exists() and not output.is_dir():
            raise UsageError(f"{output}: not a folder (a folder of inputs needs an output folder)")
        if output.resolve() == source.resolve():
            raise UsageError(f"{output}: the output folder is the input folder")
        output.mkdir(parents=True, exist_ok=True)
        return [output / f.name for f in files]
    if output is None:
        return [None]
    target = output / source.name if output.is_dir() else output
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such folder for the output")
    if target.resolve() == source.resolve():
        raise UsageError(f"{target}: the output would overwrite the input")
    return [target]


def command_convert(args: argparse.Namespace) -> int:
    source = Path(args.input)
    files = _inputs(source)
    destinations = _destinations(source, files, Path(args.output) if args.output else None)
    schemas = SchemaSet.find(args.schemas)
    schemas.check_available(*(schemas.xsd_for(v) for v in TARGETS.values()))
    target = TARGETS[args.to] if args.to else None
    # with the converted file on standard output, the summary goes to standard error
    report = sys.stderr if destinations == [None] else sys.stdout
    failed = 0
    for path, destination in zip(files, destinations, strict=True):
        name = path.name if source.is_dir() else str(path)
        result = convert_file(
            path,
            destination if destination is not None else sys.stdout.buffer,
            name=name,
            target=target,
            schemas=schemas,
            check_words=args.check_words,
        )
        failed += result.failed
        print(result.summary(), file=report, flush=True)
        for error in result.errors[:SHOWN_ERRORS]:
            # the output was not written: its line numbers locate the error in what the
            # writer produced, for whoever fixes the writer
            print(f"  output line {error.line or '?'}: {error.message}", file=report)
        if len(result.errors) > SHOWN_ERRORS:
            print(f"  ... and {len(result.errors) - SHOWN_ERRORS} more", file=report)
        for lost in result.lost_where[:SHOWN_ERRORS]:
            print(f"  lost from input {lost}", file=report)
        if len(result.lost_where) > SHOWN_ERRORS:
            print(f"  ... and {len(result.lost_where) - SHOWN_ERRORS} more", file=report)
        if args.verbose:
            for warning in result.warnings:
                print(
                    f"  warning: {location(name, warning.line, None)}: {warning.message}",
                    file=report,
                )
    if len(files) > 1:
        print(f"{len(files) - failed} of {len(files)} files converted", file=report)
    return 1 if failed else 0


# -- validate --------------------------------------------------------------------------------


def command_validate(args: argparse.Namespace) -> int:
    schemas = SchemaSet.find(args.schemas)
    files: list[Path] = []
    for given in args.files:
        files.extend(_inputs(Path(given)))
    invalid = 0
    for path in files:
        report = schemas.validate_file(path, filename=str(path))
        if report.valid:
            print(f"{path}: valid ({LABELS[report.version or '2002']}, {report.checked_with})")
            continue
        invalid += 1
        for error in report.errors:
            print(
                f"{location(error.filename, error.line or 0, error.column or 0)}: {error.message}"
            )
    if len(files) > 1:
        print(f"{len(files) - invalid} of {len(files)} files valid")
    return 1 if invalid else 0


# -- entry point -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m archive.ead",
        description="Convert finding aids between EAD 2002 and EAD3, and validate them "
        "against the official schemas.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert",
        help="convert a file or a folder of *.xml files",
        description="Convert a finding aid (or every *.xml of a folder) to the other EAD "
        "version. Each output is validated against the target schema before it is written.",
    )
    convert.add_argument("input", metavar="INPUT", help="an EAD file, or a folder of them")
    convert.add_argument(
        "--to",
        choices=sorted(TARGETS),
        help="target version (default: the other version than each input's)",
    )
    convert.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="output file or folder (a folder INPUT needs a folder; "
        "default for a file: standard output)",
    )
    convert.add_argument(
        "--check-words",
        action="store_true",
        help="compare the words of each input and output; a lost word fails the file",
    )
    convert.add_argument("-v", "--verbose", action="store_true", help="list the warnings")
    _schemas_option(convert)

    validate = commands.add_parser(
        "validate",
        help="validate files against the official schema",
        description="Validate EAD files (or every *.xml of a folder) against the schema each "
        "document names: file:line:column: message per error, 'file: valid' otherwise.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    _schemas_option(validate)
    return parser


def _schemas_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schemas",
        metavar="DIR",
        help="folder of the official schemas (default: $FONDS_SCHEMA_DIR, else "
        "../shared/schemas beside the project)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "convert":
            return command_convert(args)
        return command_validate(args)
    except (UsageError, SchemaNotFound) as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
