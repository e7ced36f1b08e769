"""The official EAD schemas: found once, compiled once per process, used from any thread.

    schemas = SchemaSet.find(None)            # --schemas DIR, else $FONDS_SCHEMA_DIR, else default
    report = schemas.validate_file("fa.xml")  # version from the document; errors with lines
    for error in report.errors:
        print(error)                          # fa.xml:12:0: Element 'bogus': This element ...

Which schema checks a document is decided by the document alone: the root's namespace picks
the W3C schema (EAD 2002 ``ead2002/ead.xsd``, EAD3 ``ead3/ead3.xsd``, EAD3 "undeprecated"
``ead3/ead3_undeprecated.xsd``); a document without namespace is a DTD-style finding aid and
is checked against the version's DTD (``ead2002/ead.dtd`` or ``ead3/ead3.dtd``, version from
the DOCTYPE, else from the root's first child), as the schema folder's README prescribes.

Cost: compiling ``ead3.xsd`` takes a noticeable fraction of a second, so each schema file is
compiled at most once per process (:func:`compiled`), whatever the number of ``SchemaSet``
objects. A valid document is checked while it streams through the parser, elements dropped as
they end, so memory does not grow with its size; only an invalid one is parsed again into a
tree, because libxml2 gives line numbers only when it validates a tree.

Threads: an lxml validator keeps the errors of its last run on the object itself, so two
threads validating with the same compiled schema would read each other's errors. Every use of
a compiled schema therefore happens under that schema's lock and the errors are copied out
before it is released. The Django side can hold one ``SchemaSet`` for the process and call it
from request threads and task workers alike; a caller that must not wait for the lock (the
export check in ``archive.services.validation``) takes a copy per thread instead
(:func:`thread_schema`). Either way the file is read by :func:`load`, the one loader of
schemas (EAD and EAC-CPF alike).

Pure Python + lxml: no Django here, so ``python -m archive.ead validate`` runs anywhere.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .parsing import (
    EAD3_NS,
    EAD3_UNDEPRECATED_NS,
    EAD2002_NS,
    SAFE_PARSER_OPTIONS,
    XLINK_NS,
    EADError,
    ParseEvent,
    Source,
    open_source,
    safe_parser,
    syntax_error_from,
    version_from_doctype,
    version_from_first_child,
)

SCHEMA_DIR_VARIABLE = "FONDS_SCHEMA_DIR"

# Where the package finds the schemas when nothing says otherwise: the same default as the
# Django setting FONDS_SCHEMA_DIR (``<project>/../shared/schemas``).
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"

# namespace of the root element -> (version name, schema file inside the schema folder)
XSD_FILES: dict[str, tuple[str, str]] = {
    EAD2002_NS: ("2002", "ead2002/ead.xsd"),
    EAD3_NS: ("3", "ead3/ead3.xsd"),
    EAD3_UNDEPRECATED_NS: ("3", "ead3/ead3_undeprecated.xsd"),
}
# version -> DTD file, for documents without namespace
DTD_FILES: dict[str, str] = {"2002": "ead2002/ead.dtd", "3": "ead3/ead3.dtd"}
# version -> the namespace writers use (and the schema their output is checked against)
NAMESPACES: dict[str, str] = {"2002": EAD2002_NS, "3": EAD3_NS}

# Namespaces shortened in messages: "Element '{urn:isbn:1-931666-22-9}c01'" reads "'c01'".
_MESSAGE_PREFIXES = {
    EAD2002_NS: "",
    EAD3_NS: "",
    EAD3_UNDEPRECATED_NS: "",
    XLINK_NS: "xlink:",
}
_NAMESPACED = re.compile(r"\{([^}]*)\}")


class SchemaNotFound(EADError):
    """The schema folder, or a schema file in it, does not exist or does not compile."""


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One schema (or well-formedness) error: where, and what the validator said."""

    filename: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line or 0}:{self.column or 0}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome for one document: its EAD version, what checked it, and the errors."""

    filename: str
    version: str | None  # "2002" | "3", None when the document is not EAD
    checked_with: str | None  # schema file, relative to the schema folder
    errors: tuple[SchemaError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


def message_text(message: str) -> str:
    """A validator's message without the EAD namespace in braces (``xlink:`` for XLink)."""
    return _NAMESPACED.sub(lambda m: _MESSAGE_PREFIXES.get(m.group(1), m.group(0)), message).strip()


def schema_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The schema folder: ``explicit`` if given, else ``$FONDS_SCHEMA_DIR``, else the default.

    Raises :class:`SchemaNotFound`, naming the folder and both ways to point elsewhere, when the
    folder does not exist.
    """
    if explicit is not None:
        folder, origin = Path(explicit), "--schemas"
    elif os.environ.get(SCHEMA_DIR_VARIABLE):
        folder, origin = Path(os.environ[SCHEMA_DIR_VARIABLE]), SCHEMA_DIR_VARIABLE
    else:
        folder, origin = DEFAULT_SCHEMA_DIR, "the default location"
    if not folder.is_dir():
        raise SchemaNotFound(
            f"EAD schema folder not found: {folder} (from {origin}); pass --schemas DIR or set "
            f"{SCHEMA_DIR_VARIABLE} to the folder holding ead2002/ead.xsd and ead3/ead3.xsd"
        )
    return folder


class _Compiled:
    """One compiled schema or DTD and the lock that serialises its use."""

    def __init__(self, validator: etree.XMLSchema | etree.DTD) -> None:
        self.validator = validator
        self.lock = threading.Lock()

    def errors(self, doc: etree._ElementTree, filename: str) -> tuple[SchemaError, ...]:
        with self.lock:
            if self.validator.validate(doc):
                return ()
            return tuple(
                SchemaError(
                    filename,
                    entry.line if entry.line > 0 else None,  # libxml2 says -1 for "unknown"
                    entry.column,
                    message_text(entry.message),
                )
                for entry in self.validator.error_log
            )


_compiled: dict[Path, _Compiled] = {}
_compile_lock = threading.Lock()


def compiled(path: Path) -> _Compiled:
    """The compiled schema (``.xsd``) or DTD (``.dtd``) at ``path``: compiled once per process.

    Raises :class:`SchemaNotFound` when the file is missing or does not compile.
    """
    path = path.resolve()
    found = _compiled.get(path)
    if found is not None:
        return found
    with _compile_lock:
        found = _compiled.get(path)
        if found is None:
            found = _compiled[path] = _Compiled(load(path))
    return found


_per_thread = threading.local()


def thread_schema(path: Path) -> etree.XMLSchema:
    """The W3C schema at ``path`` compiled for the calling thread (once per thread).

    For callers that validate without a lock: an lxml validator keeps the errors of its last
    run on itself, so each thread gets its own copy and two threads validate at once, for
    the cost of one compile per thread. Raises :class:`SchemaNotFound` as :func:`load`.
    """
    path = path.resolve()
    cache: dict[Path, etree.XMLSchema] | None = getattr(_per_thread, "schemas", None)
    if cache is None:
        cache = _per_thread.schemas = {}
    schema = cache.get(path)
    if schema is None:
        loaded = load(path)
        if not isinstance(loaded, etree.XMLSchema):
            raise TypeError(f"not a W3C schema: {path}")
        schema = cache[path] = loaded
    return schema


def load(path: Path) -> etree.XMLSchema | etree.DTD:
    """Compile the schema (``.xsd``) or DTD (``.dtd``) at ``path``, uncached: the one place
    schemas are read (local files only, imports resolved next to the schema, never fetched).

    Raises :class:`SchemaNotFound` when the file is missing or does not compile.
    """
    if not path.is_file():
        raise SchemaNotFound(f"schema file not found: {path}")
    try:
        if path.suffix == ".dtd":
            return etree.DTD(str(path))
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, etree.DTDParseError, etree.XMLSyntaxError) as exc:
        raise SchemaNotFound(f"schema file does not compile: {path}: {exc}") from None


@dataclass(frozen=True, slots=True)
class _Sniffed:
    namespace: str | None
    version: str | None
    root: str


class SchemaSet:
    """The schemas of one schema folder; cheap to create (compiled schemas are shared)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def find(cls, explicit: str | os.PathLike[str] | None = None) -> SchemaSet:
        """The schema folder from ``explicit``, ``$FONDS_SCHEMA_DIR`` or the default."""
        return cls(schema_dir(explicit))

    def check_available(self, *relative: str) -> None:
        """Compile the named schema files now, so a missing one is reported before any work."""
        for name in relative:
            compiled(self.folder / name)

    def xsd_for(self, version: str) -> str:
        """The schema file (relative) that a writer's output of ``version`` must satisfy."""
        return XSD_FILES[NAMESPACES[version]][1]

    # -- validating ------------------------------------------------------------------------

    def validate_file(self, source: Source, *, filename: str | None = None) -> ValidationReport:
        """Validate one document against the schema its root names.

        Malformed XML is reported as one error with libxml2's line and column; a document whose
        root is not an EAD ``<ead>`` as one error naming the root.
        """
        name = filename or _name_of(source)
        try:
            sniffed = _sniff(source, name)
        except EADError as exc:
            return ValidationReport(name, None, None, (_error_from(exc, name),))
        except OSError as exc:
            problem = f"cannot read: {exc.strerror or exc}"
            return ValidationReport(name, None, None, (SchemaError(name, None, None, problem),))
        if sniffed.root != "ead" or sniffed.version is None:
            where = f"{{{sniffed.namespace}}}" if sniffed.namespace else ""
            return ValidationReport(
                name,
                None,
                None,
                (
                    SchemaError(
                        name, 1, 0, f"not an EAD document (root element {where}{sniffed.root})"
                    ),
                ),
            )
        if sniffed.namespace:
            relative = XSD_FILES[sniffed.namespace][1]
            checker = compiled(self.folder / relative)
            return ValidationReport(
                name, sniffed.version, relative, self._xsd_errors(checker, source, name)
            )
        relative = DTD_FILES[sniffed.version]
        checker = compiled(self.folder / relative)
        try:
            doc = _parse_tree(source, name)
        except EADError as exc:
            return ValidationReport(name, sniffed.version, relative, (_error_from(exc, name),))
        return ValidationReport(name, sniffed.version, relative, checker.errors(doc, name))

    def validate_as(
        self, source: Source, version: str, *, filename: str | None = None
    ) -> ValidationReport:
        """Validate against the W3C schema of ``version`` ("2002" or "3"), whatever the root
        says: for a writer's output, which must be in that version's namespace."""
        name = filename or _name_of(source)
        relative = self.xsd_for(version)
        checker = compiled(self.folder / relative)
        return ValidationReport(name, version, relative, self._xsd_errors(checker, source, name))

    @staticmethod
    def _xsd_errors(checker: _Compiled, source: Source, name: str) -> tuple[SchemaError, ...]:
        """Stream the document through the schema; on failure parse a tree for line numbers."""
        try:
            if _streams_valid(checker, source, name):
                return ()
            doc = _parse_tree(source, name)
        except EADError as exc:
            return (_error_from(exc, name),)
        # the tree check is the authority (it may clear a repeated id the stream suspected)
        return checker.errors(doc, name)


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return getattr(source, "name", None) or "<input>"


def _rewind(source: Source) -> Source:
    """A file object is read more than once (sniff, stream, tree): start it from the top."""
    if not isinstance(source, bytes | str | os.PathLike):
        source.seek(0)
    return source


def _error_from(exc: EADError, name: str) -> SchemaError:
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    reason = getattr(exc, "reason", None) or str(exc)
    return SchemaError(name, line, column, reason)


def _events(source: Source, name: str, events: tuple[ParseEvent, ...]) -> Generator[Any]:
    stream, owned, _ = open_source(_rewind(source))
    try:
        try:
            yield from etree.iterparse(stream, events=events, **SAFE_PARSER_OPTIONS)
        except etree.XMLSyntaxError as exc:
            raise syntax_error_from(exc, name) from None
    finally:
        if owned:
            stream.close()


def _sniff(source: Source, name: str) -> _Sniffed:
    """The root's namespace and the EAD version, from the first two start tags at most."""
    events = _events(source, name, ("start",))
    try:
        return _sniff_events(events)
    finally:
        events.close()  # stop reading: the rest of the document is not needed


def _sniff_events(events: Iterator[Any]) -> _Sniffed:
    root: Any = None
    for _, el in events:
        if root is None:
            root = el
            qname = etree.QName(el)
            if qname.namespace:
                version = XSD_FILES.get(qname.namespace, (None, ""))[0]
                return _Sniffed(qname.namespace, version, qname.localname)
            info = el.getroottree().docinfo
            version = version_from_doctype(info.public_id, info.system_url)
            if version is not None or qname.localname != "ead":
                return _Sniffed(None, version, qname.localname)
            continue
        version = version_from_first_child(etree.QName(el).localname) or "2002"
        return _Sniffed(None, version, etree.QName(root).localname)
    if root is None:  # pragma: no cover - libxml2 reports an empty document as malformed
        raise EADError("empty document")
    # an <ead> without children: EAD 2002 by the reader's rule
    return _Sniffed(None, "2002", etree.QName(root).localname)


def _streams_valid(checker: _Compiled, source: Source, name: str) -> bool:
    """Whether the document satisfies the schema, checked while parsing, elements dropped as
    they end (libxml2 validates the parser's events, not the tree, so memory stays flat).

    Streaming validation in libxml2 does not check that ``xs:ID`` values are unique (tree
    validation does), so the ``id`` values, the only attribute of type ID in EAD 2002 and
    EAD3, are tracked here: a repeated one sends the document to the tree check, which then
    decides. Any failure, schema or well-formedness, gives False: the caller parses a tree,
    which tells a malformed document (error with line and column) from an invalid one.
    """
    schema = checker.validator
    if not isinstance(schema, etree.XMLSchema):
        raise TypeError("streamed validation needs a W3C schema, not a DTD")
    seen: set[str] = set()
    with checker.lock:
        stream, owned, _ = open_source(_rewind(source))
        try:
            events = etree.iterparse(stream, events=("end",), schema=schema, **SAFE_PARSER_OPTIONS)
            for el in ended_elements(events):
                ident = el.get("id")
                if ident is not None:
                    ident = " ".join(ident.split())  # xs:ID values are whitespace-collapsed
                    if ident in seen:
                        return False
                    seen.add(ident)
        except etree.XMLSyntaxError:
            return False
        finally:
            if owned:
                stream.close()
    return _well_formed(source)


def _well_formed(source: Source) -> bool:
    """Whether the document is well-formed, read as a stream without a schema.

    lxml's ``iterparse`` given a ``schema`` together with ``resolve_entities=False`` reports
    no well-formedness error at all (a truncated file, a stray ``&`` pass; lxml 6), so a
    document the schema pass accepted is read once more without it. Elements are dropped as
    they end, so memory stays flat.
    """
    stream, owned, _ = open_source(_rewind(source))
    try:
        for _ in ended_elements(etree.iterparse(stream, events=("end",), **SAFE_PARSER_OPTIONS)):
            pass
    except etree.XMLSyntaxError:
        return False
    finally:
        if owned:
            stream.close()
    return True


def _parse_tree(source: Source, name: str) -> etree._ElementTree:
    stream, owned, _ = open_source(_rewind(source))
    try:
        return etree.parse(stream, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise syntax_error_from(exc, name) from None
    finally:
        if owned:
            stream.close()


def ended_elements(events: Iterable[tuple[str, Any]]) -> Iterator[Any]:
    """The elements of an ``iterparse`` over end events, each cleared (tail kept) once the
    caller has looked at it, and the cleared siblings before it dropped, so memory stays
    flat whatever the size of the document (a long list of components does not pile up)."""
    for _, el in events:
        yield el
        el.clear(keep_tail=True)
        parent = el.getparent()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]
