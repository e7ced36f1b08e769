"""The words of a finding aid, to prove that a conversion or an export kept every one.

A document's words are those of its text nodes: each run of character data between two pieces
of markup (start tag, end tag, comment, processing instruction) is one text node, normalised
(Unicode NFKC, case-folded) and cut into words (``\\w+``). Comments and processing instructions
are not text. Attribute values are not counted: a writer may legitimately move a value between
an attribute and an element (EAD3 spells some 2002 attributes as elements and back).

Words are counted as a multiset, so "lost" means "fewer times in the output than in the
input": a title written once where the source had it twice has lost a word.

    lost = words_lost(document_words("in.xml"), document_words("out.xml"))
    print(describe_lost(lost))   # 3 words lost: 'serge'×2, 'victor'

The count streams (elements are dropped as they end), so a 100,000-component file costs no memory
beyond the counter. Pure Python + lxml, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from .parsing import Source, open_source, safe_iterparse, safe_parser, syntax_error_from

WORD = re.compile(r"\w+", re.UNICODE)

_BATCH = 1 << 20  # characters of text counted at once


def text_words(texts: Iterable[str]) -> Counter[str]:
    """The words of some text nodes (each normalised on its own), as a multiset."""
    counter: Counter[str] = Counter()
    for text in texts:
        counter.update(WORD.findall(unicodedata.normalize("NFKC", text).casefold()))
    return counter


def document_words(source: Source, *, filename: str | None = None) -> Counter[str]:
    """The words of every text node of a document (path, bytes or binary file object).

    Streams: at an element's end its own text and its children's tails are complete, are
    kept, and the children are dropped. The kept text nodes are counted in batches, joined by
    a line break (never part of a word), which gives the same words as counting each node
    alone at a fraction of the cost. Raises :class:`~archive.ead.parsing.EADSyntaxError`
    (file, line, column) when the document is not well-formed.
    """
    stream, owned, name = open_source(source)
    counter: Counter[str] = Counter()
    batch: list[str] = []
    size = 0
    try:
        for _, el in safe_iterparse(stream, ("end",)):
            text = el.text
            if text and not text.isspace():
                batch.append(text)
                size += len(text)
            for child in el:
                tail = child.tail
                if tail and not tail.isspace():
                    batch.append(tail)
                    size += len(tail)
            el.clear(keep_tail=True)
            if size > _BATCH:
                counter.update(text_words(["\n".join(batch)]))
                batch.clear()
                size = 0
    except etree.XMLSyntaxError as exc:
        raise syntax_error_from(exc, filename or name) from None
    finally:
        if owned:
            stream.close()
    counter.update(text_words(["\n".join(batch)]))
    return counter


def words_lost(before: Counter[str], after: Counter[str]) -> Counter[str]:
    """Words of ``before`` missing from ``after`` (with how many times each is missing)."""
    return before - after


def describe_lost(lost: Counter[str], *, shown: int = 10) -> str:
    """ "0 words lost", or "3 words lost: 'serge'×2, 'victor'" (the most frequent first)."""
    total = sum(lost.values())
    if not total:
        return "0 words lost"
    noun = "word" if total == 1 else "words"
    listed = ", ".join(
        f"{word!r}×{count}" if count > 1 else repr(word) for word, count in lost.most_common(shown)
    )
    more = ", ..." if len(lost) > shown else ""
    return f"{total} {noun} lost: {listed}{more}"


@dataclass(frozen=True, slots=True)
class LostText:
    """A text node of the input whose words are (partly) missing from the output."""

    line: int | None
    path: str  # local names from the root, e.g. "ead/control/maintenanceagency/agencycode"
    text: str  # the node's text, whitespace collapsed
    missing: Counter[str]

    def __str__(self) -> str:
        words = ", ".join(sorted(self.missing))
        return f"line {self.line or '?'}: <{self.path}>: {self.text[:80]!r} (missing: {words})"


def lost_text(source: Source, after: Counter[str]) -> list[LostText]:
    """Where the words missing from ``after`` (the output's words) stood in ``source``.

    Builds a tree of the input (call it for a report, on a failure). A word that occurs in
    several places is attributed to one of them: the description (``<archdesc>``) claims the
    output's words first, then the header, so a header statement that was dropped is named
    even when its words also occur in the description.
    """
    stream, owned, _ = open_source(source)
    try:
        root = etree.parse(stream, safe_parser())
    finally:
        if owned:
            stream.close()
    nodes: list[tuple[bool, int | None, str, str]] = []
    for el in root.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        names = [etree.QName(a).localname for a in el.iterancestors()][::-1]
        names.append(etree.QName(el).localname)
        path = "/".join(names)
        in_description = "archdesc" in names
        texts = [el.text, *(child.tail for child in el)]
        for text in texts:
            if text and not text.isspace():
                nodes.append((not in_description, el.sourceline, path, text))
    nodes.sort(key=lambda node: node[0])  # stable: document order within each group
    available = Counter(after)
    found: list[LostText] = []
    for _, line, path, text in nodes:
        words = text_words([text])
        missing = words - available
        available -= words
        if missing:
            found.append(LostText(line, path, " ".join(text.split()), missing))
    found.sort(key=lambda lost: lost.line or 0)
    return found
