"""Text preparation shared by the index and both backends.

Kept free of database code: turning a stored note fragment into searchable words, folding a
title for sorting, reading a year out of an ISO 8601 date, and turning the database's
highlighted snippet into safe HTML.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from archive.ead.markup import is_internal
from archive.ead.parsing import safe_parser

# The backends wrap matched words in these two private-use characters; ``snippet_html``
# escapes everything else and only then turns them into <mark>. They are removed from indexed
# text so that a document can never forge a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKERS = str.maketrans("", "", MARK_START + MARK_END)

# Block-level elements of a note: their text must not run into the next block's first word.
_BLOCKS = frozenset(
    "p head item list chronlist chronitem event eventgrp defitem label table row entry "
    "blockquote address addressline note lb listhead bibref archref indexentry".split()
)
_TAG = re.compile(r"<[^>]*>")
# The fast path of ``fragment_text``: a block element's tags become a space, any other tag
# disappears (``19<emph>th</emph>`` stays one word), then entities are unescaped.
_BLOCK_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(_BLOCKS, key=len, reverse=True)) + r")(?=[\s/>])[^>]*>"
)
_YEAR = re.compile(r"^\s*(-?\d{1,4})")


def clean(text: str | None) -> str:
    """Text as indexed: markers removed and whitespace collapsed."""
    if not text:
        return ""
    if MARK_START in text or MARK_END in text:
        text = text.translate(_MARKERS)
    return " ".join(text.split())


def fragment_text(fragment: str | None) -> str:
    """The public words of a stored note fragment.

    Elements marked ``audience="internal"`` are dropped with their content (they never reach a
    public page, so they must not be found either); block elements are separated by a space.
    A fragment that is not well-formed is indexed with its tags stripped rather than lost.
    """
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return clean(fragment)
    if "internal" not in fragment and "<!" not in fragment and "<?" not in fragment:
        # Nothing to drop and no comment, CDATA or processing instruction: two regular
        # expressions give the same words as a parse at a tenth of its cost (an import
        # indexes every note of a finding aid).
        return clean(unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", fragment))))
    try:
        root = etree.fromstring(f"<fragment>{fragment}</fragment>".encode(), safe_parser())
    except etree.XMLSyntaxError:
        return clean(_TAG.sub(" ", fragment))
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        if is_internal(node):
            return
        block = node.tag in _BLOCKS
        if block:
            out.append(" ")
        if node.text:
            out.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                out.append(child.tail)
        if block:
            out.append(" ")

    walk(root)
    return clean("".join(out))


# PostgreSQL refuses a tsvector whose distinct words take more than 1 MB (1,048,575 bytes of
# lexemes): "string is too long for tsvector". A unit's indexed text is cut to fit a budget
# below that, on every database (the same unit is found by the same words everywhere).
INDEX_WORD_BYTES = 1_000_000
_WORD = re.compile(r"\S+")


def fit_words(fields: list[str], budget: int = INDEX_WORD_BYTES) -> tuple[list[str], int]:
    """``fields`` (the indexed texts of one unit, most important first) cut so that their
    distinct words fit ``budget``; returns them and the number of words kept, or -1 when
    nothing was cut (the usual case, decided from the lengths alone).

    The estimate errs on the safe side: each distinct whitespace-separated word (lower
    case) counts twice its UTF-8 bytes, because the database's parser also indexes the
    parts of a hyphenated word or of a URL besides the whole, and a word may carry
    punctuation that the database drops.
    """
    if sum(map(len, fields)) * 8 <= budget:  # 4 bytes a character at most, counted twice
        return fields, -1
    seen: set[str] = set()
    used = 0
    kept = 0
    out: list[str] = []
    for text in fields:
        if used > budget:
            out.append("")
            continue
        cut = None
        for match in _WORD.finditer(text):
            word = match.group().lower()
            if word not in seen:
                cost = 2 * len(word.encode())
                if used + cost > budget:
                    cut = match.start()
                    used = budget + 1
                    break
                seen.add(word)
                used += cost
            kept += 1
        out.append(text if cut is None else text[:cut].rstrip())
    return (out, kept) if used > budget else (fields, -1)


def fold(text: str) -> str:
    """Lower case without accents: the sort key of titles ("Écrits" sorts with "ecrits")."""
    if text.isascii():  # most titles: nothing to decompose
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def year_of(value: str | None) -> int | None:
    """The year of a normalised ISO 8601 date ("1936-05-01" -> 1936), or None."""
    if not value:
        return None
    match = _YEAR.match(value)
    return int(match.group(1)) if match else None


def snippet_html(raw: str | None) -> SafeString:
    """HTML for a snippet the database marked with ``MARK_START``/``MARK_END``.

    Everything from the database is escaped; the only markup in the result is our own
    ``<mark>``, balanced even if the database cut a fragment in the middle of a match.
    """
    if not raw:
        return mark_safe("")
    out: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", raw):
        if piece == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif piece == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(str(escape(piece)))
    if open_mark:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above was escaped


def decade_key(decade: int) -> str:
    """The facet key of a decade: "1930", or "-0050" so that keys sort as numbers do."""
    return f"{decade:05d}" if decade < 0 else str(decade)


def has_words(text: str) -> bool:
    """Whether a query holds anything a tokenizer would keep (letters or digits)."""
    return any(ch.isalnum() for ch in text)
