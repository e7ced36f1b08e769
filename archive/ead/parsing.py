"""Safe XML parsing, EAD version detection and the errors the package raises.

Finding aids arrive from other institutions, so the parser must never touch the network or the
disk on behalf of a document: entities are not resolved (an external entity naming
``file:///etc/passwd`` stays an unexpanded reference and is then dropped), no DTD is loaded
(a DOCTYPE pointing at ``http://...`` is only read as a string), ``huge_tree`` stays off (libxml2
then refuses pathological depth and text sizes) and internal entity "bombs" are never expanded.
"""

from __future__ import annotations

import html.entities
import io
import os
import re
from collections.abc import Iterator
from typing import IO, Any, Literal, Protocol

from lxml import etree

EAD2002_NS = "urn:isbn:1-931666-22-9"
EAD3_NS = "http://ead3.archivists.org/schema/"
EAD3_UNDEPRECATED_NS = "http://ead3.archivists.org/schema/undeprecated/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

EAD_NAMESPACES = {EAD2002_NS: "2002", EAD3_NS: "3", EAD3_UNDEPRECATED_NS: "3"}


# Options shared by every parse in the package (documents and stored fragments alike).
class ByteReader(Protocol):
    """A binary stream as ``iterparse`` reads it: a file, or a wrapper that counts bytes."""

    def read(self, size: int = ..., /) -> bytes: ...


#: The events ``iterparse`` can report.
ParseEvent = Literal["start", "end", "start-ns", "end-ns", "comment", "pi"]

SAFE_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_blank_text": False,  # never: it glues "<emph>Victor</emph> <emph>Serge</emph>"
    "remove_comments": False,
}

Source = str | os.PathLike[str] | bytes | IO[bytes]


class EADError(Exception):
    """Base class for errors raised by ``archive.ead``."""


def location(filename: str | None, line: int | None, column: int | None = None) -> str:
    """ "file, line 3, column 7" for messages: a line or column that is unknown (None) or
    that libxml2 gives as 0 (no position, e.g. for an empty file) is left out."""
    where = filename or "<input>"
    if line:
        where += f", line {line}"
        if column:
            where += f", column {column}"
    return where


class EADSyntaxError(EADError):
    """The input is not well-formed XML (or not EAD at all).  Names file, line and column."""

    def __init__(self, message: str, *, filename: str | None, line: int | None, column: int | None):
        self.filename = filename
        self.line = line or None
        self.column = column or None
        self.reason = message
        super().__init__(f"{location(filename, line, column)}: {message}")


class EADLimitError(EADError):
    """The input is well-formed but goes past a limit the reader was given (nesting depth,
    size of one element). Names file and line, like :class:`EADSyntaxError`."""

    def __init__(self, message: str, *, filename: str | None, line: int | None):
        self.filename = filename
        self.line = line or None
        self.reason = message
        super().__init__(f"{location(filename, line)}: {message}")


def safe_parser() -> etree.XMLParser:
    """A fresh parser with the safe options (for small trees, e.g. stored fragments)."""
    return etree.XMLParser(**SAFE_PARSER_OPTIONS)


def open_source(source: Source) -> tuple[IO[bytes], bool, str | None]:
    """Return (binary stream, whether we opened it, a name for messages)."""
    if isinstance(source, bytes):
        return io.BytesIO(source), True, None
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return open(path, "rb"), True, path
    return source, False, getattr(source, "name", None)


def safe_iterparse(stream: ByteReader, events: tuple[ParseEvent, ...]) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` with the safe options."""
    return etree.iterparse(stream, events=events, **SAFE_PARSER_OPTIONS)


def syntax_error_from(
    exc: etree.XMLSyntaxError, filename: str | None, log: Any = None
) -> EADSyntaxError:
    """Turn lxml's error into ours, keeping libxml2's line and column.

    ``log`` is the error log of the parse that failed (``iterparse(...).error_log``, read
    after the failure: lxml hands out a copy). lxml's
    iterparse reports some fatal errors, an undefined entity among them, as "no element
    found" at line 0, column 0, however far into the file they happen; the parse's own log
    then holds the real reason and place, which are used instead. (The log attached to the
    exception is the thread's, which still holds errors of earlier documents: never used.)
    A file with no bytes at all has no position either: it is reported at line 1, column 1,
    where an editor shows it, as an empty file.
    """
    line, column = exc.position if exc.position else (None, None)
    message = exc.msg or str(exc)
    empty = False
    if not line:  # nothing usable from the exception
        last = log.last_error if log is not None else None
        if last is not None and last.line:
            line, column, message = last.line, last.column, last.message
        else:
            line, column = 1, 1
            empty = message == "no element found"
    # libxml2 appends "(file, line N)" to msg; keep the reason only.
    if message and " (" in message and message.endswith(")"):
        message = message[: message.rfind(" (")]
    message = re.sub(r", line \d+, column \d+$", "", message or "").strip()
    if message.startswith("Resource limit exceeded: Text node too long"):
        # libxml2's own cap on one text node (huge_tree is off); its advice to set
        # XML_PARSE_HUGE is for programmers, not for the archivist reading the message
        message = "a single text is longer than the 10,000,000 characters the parser accepts"
    elif message.startswith("Excessive depth in document"):
        message = "elements are nested deeper than the parser accepts (256 levels)"
    elif empty:
        message = "the file is empty (no XML element in it)"
    return EADSyntaxError(message, filename=filename, line=line, column=column)


def version_from_namespace(namespace: str | None) -> str | None:
    """ "2002" or "3" for a known EAD namespace, None for no/unknown namespace."""
    return EAD_NAMESPACES.get(namespace or "")


def version_from_doctype(public_id: str | None, system_url: str | None) -> str | None:
    """EAD3 DOCTYPEs name "ead3"; EAD 2002 ones name "ead.dtd" / "Version 2002"."""
    text = f"{public_id or ''} {system_url or ''}".casefold()
    if not text.strip():
        return None
    if "ead3" in text or "version 3" in text:
        return "3"
    if "ead" in text:
        return "2002"
    return None


def version_from_first_child(local_name: str) -> str | None:
    """``<control>`` exists only in EAD3, ``<eadheader>`` only in EAD 2002."""
    return {"control": "3", "eadheader": "2002"}.get(local_name)


def entity_text(name: str) -> str | None:
    """The character a standard (HTML / ISO 8879) entity stands for, else None.

    Legacy DTD-based finding aids use ``&eacute;`` and friends that the (unloaded) DTD would
    define; these are safe to map.  Anything else is never expanded.
    """
    codepoint = html.entities.name2codepoint.get(name)
    return chr(codepoint) if codepoint is not None else None
