"""Check what staff type into a mixed-content field before it is saved.

Stored fragments (``Note.content``, ``Component.title_markup``, the finding aid's subtitle,
author...) are XML in the neutral vocabulary (``archive.ead.markup``). An archivist mostly
types plain words, sometimes a little markup. :func:`check_fragment` is the one gate every
place that takes such text calls (the admin now; the API and spreadsheets later):

- plain text stays text: an ``&`` that starts no entity reference becomes ``&amp;``, a ``<``
  that starts no tag becomes ``&lt;``, ``]]>`` is escaped, line ends become ``\\n``; an HTML
  entity such as ``&eacute;`` (which XML without a DTD does not know) becomes its character;
- what looks like markup must be well-formed: a tag never closed, a closing tag that closes
  nothing or the wrong element, a tag that is not complete, is reported with its line and
  column in the text as typed;
- every element must be one the EAD 2002 content model allows at that place (its children,
  recursively), with attributes it has: ``<table> is not allowed in a title``; a link's
  ``href`` may not be empty nor a script URL (``archive.links``; relative and other
  addresses stay possible, the pages show them as text).

Raw markup stays possible for experts: anything the schema allows there passes unchanged.
No Django here (``python -m archive.ead`` territory).
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from archive.links import is_script_url

from .conform import ContentModel, content_model
from .parsing import safe_parser

EAD2002_NS = "urn:isbn:1-931666-22-9"

# Where a fragment goes, as the EAD 2002 element whose content it becomes, and the words the
# messages use for it. Note types are their own element names ("scopecontent"...).
PLACES: dict[str, str] = {
    "unittitle": "a title",
    "titleproper": "a title",
    "subtitle": "a subtitle",
    "author": "an author statement",
    "sponsor": "a sponsor statement",
    "edition": "an edition statement",
    "creation": "a creation note",
    "langusage": "a language of description",
    "descrules": "a rules statement",
    "daodesc": "a digital object description",
    "note": "a note",
}
# Notes written as phrase content (no <p> of their own): see the writers.
PHRASE_NOTES = frozenset(
    "abstract physloc materialspec langmaterial physfacet dimensions legalstatus".split()
)
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})

_NAME = r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_ATTRIBUTE = rf"\s+{_NAME}\s*=\s*(?:\"[^\"<]*\"|'[^'<]*')"
_TOKENS = re.compile(
    rf"""
      (?P<comment><!--.*?-->)
    | (?P<cdata><!\[CDATA\[.*?\]\]>)
    | (?P<tag><(?P<close>/)?(?P<name>{_NAME})(?P<attrs>(?:{_ATTRIBUTE})*)\s*(?P<empty>/)?>)
    | (?P<opening><(?:/?[A-Za-z_]|!--|!\[CDATA\[))
    | (?P<entity>&(?P<ref>\#[0-9]+|\#x[0-9A-Fa-f]+|{_NAME});)
    | (?P<amp>&)
    | (?P<lt><)
    | (?P<cdata_end>\]\]>)
    | (?P<newline>\r\n?)
    | (?P<bad>[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff])
    """,
    re.VERBOSE | re.DOTALL,
)


_START_NAME = re.compile(rf"<({_NAME})")


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a fragment cannot be saved; ``str()`` is the message shown to the user."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return f"{self.message} (line {self.line})"
        return f"{self.message} (line {self.line}, column {self.column})"


def place_label(where: str) -> str:
    return PLACES.get(where, "a note")


def note_place(note_type: str) -> str:
    """The element a note of ``note_type`` (``Note.note_type``) is written as."""
    return "note" if note_type in ("note", "did_note", "") else note_type


def check_fragment(
    text: str, where: str = "note", *, label: str | None = None
) -> tuple[str, list[Problem]]:
    """Normalise ``text`` typed for the content of ``where`` and list what is wrong with it.

    ``where`` is the EAD 2002 element the fragment becomes the content of: ``"unittitle"``,
    ``"subtitle"``, a note type (``"scopecontent"``, ``"physloc"``...) or ``"note"``.
    Returns the text to store (plain text escaped, see the module docstring) and the
    problems; the text is only worth storing when the list is empty. ``label`` names the
    place in messages ("a title"; default from ``PLACES``). Cost: one scan and one parse.
    """
    if not text:
        return text, []
    normalised, problems = _normalise(text)
    if problems:
        return normalised, problems
    try:
        root = etree.fromstring(f"<fragment>{normalised}</fragment>".encode(), safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = str(exc.msg).split(", line ")[0].strip() if exc.msg else "not well-formed"
        return normalised, [Problem(f"The markup is not well-formed: {message}", line)]
    return normalised, _content_problems(root, where, label or place_label(where))


# --------------------------------------------------------------------------- the scan


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in the text as typed."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


#: Tokens written back as a fixed text: characters that would otherwise be read as markup.
_REPLACEMENTS = {"amp": "&amp;", "lt": "&lt;", "cdata_end": "]]&gt;", "newline": "\n"}


def _normalise(text: str) -> tuple[str, list[Problem]]:
    """``text`` with stray markup characters escaped, and the problems of its tags."""
    out: list[str] = []
    problems: list[Problem] = []
    open_tags: list[tuple[str, int]] = []  # (name, offset of its "<")
    last = 0
    for match in _TOKENS.finditer(text):
        out.append(text[last : match.start()])
        last = match.end()
        kind = match.lastgroup
        token = match.group()
        if kind == "tag" or match.group("tag"):
            name = match.group("name")
            if match.group("close"):
                _close_tag(text, match, open_tags, problems)
            elif not match.group("empty"):
                open_tags.append((name, match.start()))
            out.append(token)
        elif kind in ("comment", "cdata"):
            out.append(token)
        elif kind == "opening":
            problems.append(
                Problem(
                    f"{_excerpt(text, match.start())} is not a complete tag; write &lt; for a "
                    f"“<” that starts no markup, and put attribute values in quotes",
                    *_position(text, match.start()),
                )
            )
            started = _START_NAME.match(text, match.start())
            if started:  # its end tag, when it comes, is not a second mistake
                open_tags.append((started.group(1), -1))
            out.append(token)
        elif kind == "entity":
            out.append(_entity_text(match.group("ref"), token))
        elif kind in _REPLACEMENTS:
            out.append(_REPLACEMENTS[kind])
        elif kind == "bad":
            problems.append(
                Problem(
                    f"the character U+{ord(token):04X} cannot be stored in XML; remove it",
                    *_position(text, match.start()),
                )
            )
    out.append(text[last:])
    for name, at in open_tags:
        if at < 0:
            continue  # reported as incomplete
        problems.append(Problem(f"<{name}> is never closed", *_position(text, at)))
    return "".join(out), problems


def _close_tag(
    text: str, match: re.Match[str], open_tags: list[tuple[str, int]], problems: list[Problem]
) -> None:
    """An end tag: close its element in ``open_tags``, or say why it closes nothing."""
    name = match.group("name")
    if match.group("attrs") or match.group("empty"):
        problems.append(
            Problem(f"</{name}> cannot have attributes", *_position(text, match.start()))
        )
    elif not open_tags:
        problems.append(Problem(f"</{name}> closes nothing", *_position(text, match.start())))
    elif open_tags[-1][0] != name:
        opened, at = open_tags[-1]
        if at >= 0:
            line, column = _position(text, at)
            problems.append(
                Problem(
                    f"</{name}> comes before <{opened}> (line {line}, column {column}) is closed",
                    *_position(text, match.start()),
                )
            )
        if any(n == name for n, _ in open_tags):
            while open_tags and open_tags[-1][0] != name:
                open_tags.pop()
            open_tags.pop()
    else:
        open_tags.pop()


def _entity_text(ref: str, token: str) -> str:
    """An entity reference as stored: XML's own and numeric ones as typed, an HTML one as its
    character, anything else as text ("&foo;" typed)."""
    if ref.startswith("#") or ref in XML_ENTITIES:
        return token
    if (char := _html_entity(ref)) is not None:
        return _escape(char)
    return "&amp;" + token[1:]


def _excerpt(text: str, offset: int) -> str:
    piece = text[offset : offset + 30].split("\n", 1)[0]
    end = piece.find(">")
    if end >= 0:
        piece = piece[: end + 1]
    return f"“{piece}”"


def _html_entity(name: str) -> str | None:
    codepoint = html.entities.name2codepoint.get(name)
    return chr(codepoint) if codepoint is not None else None


def _escape(char: str) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, char)


# --------------------------------------------------------------------------- the content model


def _model() -> ContentModel:
    return content_model("2002", EAD2002_NS)


def _allowed_at_top(model: ContentModel, where: str) -> dict[str, Any]:
    """The type whose children may stand at the top of a fragment for ``where``."""
    spec = model.type_of(where)
    if spec is None:
        spec = model.type_of("odd")
    assert spec is not None
    if where in PLACES and where != "note" or where in PHRASE_NOTES or spec["mixed"]:
        return spec
    # A block note: runs of words and phrase elements are written inside a <p>.
    paragraph = model.child_type(spec, "p")
    if paragraph is None:
        return spec
    children = dict(paragraph["children"])
    children.update(spec["children"])
    return {**spec, "children": children, "mixed": True}


def _content_problems(root: Any, where: str, label: str) -> list[Problem]:
    model = _model()
    problems: list[Problem] = []
    top = _allowed_at_top(model, where)

    def walk(el: Any, spec: dict[str, Any], inside: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments
            name = child.tag
            line = child.sourceline
            if name.startswith("{") or ":" in name:
                problems.append(Problem(f"<{name}> is not an EAD element", line))
                continue
            if name not in model.elements:
                problems.append(Problem(f"<{name}> is not an EAD element", line))
                continue
            if name not in spec["children"]:
                problems.append(Problem(f"<{name}> is not allowed in {inside}", line))
                continue
            child_spec = model.child_type(spec, name)
            if child_spec is None:
                continue
            _attribute_problems(model, child, child_spec, problems)
            walk(child, child_spec, f"<{name}>")

    walk(root, top, label)
    return problems


def _attribute_problems(
    model: ContentModel, el: Any, spec: dict[str, Any], problems: list[Problem]
) -> None:
    allowed: dict[str, Any] = spec["attrs"]
    name = el.tag
    for key, value in el.attrib.items():
        if key.startswith("{"):
            problems.append(Problem(f"<{name}> cannot have the attribute {key}", el.sourceline))
            continue
        candidates = [key, "xlink:type" if key == "linktype" else f"xlink:{key}"]
        found = next((c for c in candidates if c in allowed), None)
        if found is None:
            problems.append(Problem(f"<{name}> has no attribute {key}", el.sourceline))
            continue
        if key == "href" and not value.strip():
            problems.append(
                Problem(
                    f"<{name}> has an empty href: put the web address between the quotes",
                    el.sourceline,
                )
            )
            continue
        if key == "href" and is_script_url(value):
            problems.append(
                Problem(
                    f"<{name}> links to a script ({value.strip()[:40]}); give a web address",
                    el.sourceline,
                )
            )
            continue
        if model.fix_value(allowed[found], value) is None:
            choices = allowed[found].get("enum")
            hint = f"; use one of {', '.join(choices)}" if choices and len(choices) <= 20 else ""
            problems.append(
                Problem(f'{key}="{value}" is not a value <{name}> takes{hint}', el.sourceline)
            )


__all__ = ["PHRASE_NOTES", "PLACES", "Problem", "check_fragment", "note_place", "place_label"]
