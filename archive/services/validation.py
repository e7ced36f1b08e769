"""Validate an export file against the official XSD of its version, at run time.

The schemas are found through ``settings.FONDS_SCHEMA_DIR`` and loaded by the one loader,
``archive.ead.schemas`` (pure lxml, no Django), compiled once per thread
(``schemas.thread_schema``): an lxml validator keeps the errors of its last run on itself, so
a compiled schema is never shared between threads; a copy per thread costs a compile (a
fraction of a second for EAD3) once per worker thread and lets two threads validate at the
same time.

The file is validated as it streams through the parser (``iterparse(schema=...)``): each
element is dropped as it ends, so memory stays flat whatever the size of the finding aid.

Beware: lxml's ``iterparse`` with a ``schema`` AND ``resolve_entities=False`` stops
reporting well-formedness errors (a truncated file, a stray ``&``, passes as valid; lxml
6.2). So the parse here keeps libxml2's default entity handling, and is made safe otherwise:
a document with a DOCTYPE (the only way to declare entities) is refused before parsing, no
DTD or network is loaded, libxml2's size limits stay on (no ``huge_tree``), and the root
element must have been closed.

Streaming validation in libxml2 does not check that ``xs:ID`` values are unique (validating
a tree does), so the ``id`` values (the only ID-typed attribute of EAD 2002 and EAD3) are
tracked here. (Neither mode checks that an IDREF names an existing id.)
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from archive import conf
from archive.ead import schemas
from archive.ead.parsing import safe_parser

SCHEMA_FILES = {
    "ead2002": "ead2002/ead.xsd",
    "ead3": "ead3/ead3.xsd",
    "eac-cpf": "eac-cpf/cpf.xsd",
}


class DocumentInvalid(Exception):
    """The document breaks its schema (or is not well-formed); the message says where."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"{reason} (near line {line})" if line else reason)


def export_schema(fmt: str) -> etree.XMLSchema:
    """The compiled XSD of ``fmt`` ("ead2002" | "ead3" | "eac-cpf") for the calling thread."""
    path = conf.schema_dir() / SCHEMA_FILES[fmt]
    if not path.is_file():
        raise DocumentInvalid(f"the {fmt} schema was not found at {path}; set FONDS_SCHEMA_DIR")
    try:
        return schemas.thread_schema(path)
    except schemas.SchemaNotFound as exc:
        raise DocumentInvalid(str(exc)) from None


def export_validate(path: Path, fmt: str) -> int:
    """Check the file at ``path`` against the schema of ``fmt``; returns its element count.

    Raises :class:`DocumentInvalid` with the schema's first complaint and the line of the
    last element read before it. Reads the file once; memory does not grow with it.
    """
    schema = export_schema(fmt)
    with open(path, "rb") as head:
        if b"<!DOCTYPE" in head.read(4096):
            raise DocumentInvalid("the document declares a DOCTYPE; exports never do", 1)
    elements = 0
    line: int | None = None
    closed = False
    seen: set[str] = set()
    try:
        events = etree.iterparse(
            str(path),
            events=("end",),
            schema=schema,
            no_network=True,
            load_dtd=False,
            remove_blank_text=False,
        )
        for element in schemas.ended_elements(events):  # (each dropped once looked at)
            elements += 1
            line = element.sourceline
            ident = element.get("id")
            if ident is not None:
                ident = " ".join(ident.split())  # (xs:ID values are whitespace-collapsed)
                if ident in seen:
                    raise DocumentInvalid(f"the id {ident!r} is used twice", line)
                seen.add(ident)
            if element.getparent() is None:
                closed = True  # the root's end: the whole document was read
    except etree.XMLSyntaxError as exc:
        reason = _first_error(exc)
        raise DocumentInvalid(reason, line) from exc
    if not closed:
        raise DocumentInvalid("the document ends before its root element is closed", line)
    return elements


def document_validate(data: bytes, fmt: str) -> None:
    """Check a small document held in memory (an EAC-CPF record) against ``fmt``'s schema.

    Parsed with the package's safe parser (no DTD, entities or network); raises
    :class:`DocumentInvalid` with the schema's first complaint and its line.
    """
    schema = export_schema(fmt)
    try:
        tree = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentInvalid(f"not well-formed: {exc.msg}", exc.lineno) from exc
    if not schema.validate(tree):
        error = schema.error_log[0]
        raise DocumentInvalid(_short(error.message), error.line)


def _first_error(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg or exc)
    quoted = re.search(r"b'(.*)'", message) or re.search(r'b"(.*)"', message)
    if quoted:  # (lxml's iterparse words some errors as "line 1: b'...'")
        message = quoted.group(1)
    message = _short(message.split(" (line ")[0])
    # libxml2's codes: schema validity errors are the 18xx (XML_SCHEMAV_*), the rest is
    # the parser's (the document is not even well-formed XML).
    return message if 1800 <= (exc.code or 0) < 1900 else f"not well-formed: {message}"


def _short(message: str) -> str:
    for namespace in (
        "urn:isbn:1-931666-22-9",
        "http://ead3.archivists.org/schema/",
        "urn:isbn:1-931666-33-4",
    ):
        message = message.replace("{" + namespace + "}", "")
    return message.strip()


__all__ = [
    "SCHEMA_FILES",
    "DocumentInvalid",
    "document_validate",
    "export_schema",
    "export_validate",
]
