"""What a backend hands the query builder: how to match a query, and how to rank the matches."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from archive.search.text import has_words

UNIT_TABLE = "archive_search_unit"
FACET_TABLE = "archive_search_facet"

# The plain columns of the unit table, in the order both backends write them, and the values
# of an index row (``archive.search.index.IndexRow``) for them, as a tuple.
UNIT_COLUMNS = (
    "unit_id",
    "collection_id",
    "repository_id",
    "level",
    "sort_title",
    "begin_year",
    "end_year",
    "online",
)
unit_values = operator.attrgetter(*UNIT_COLUMNS)

# Fields a researcher may restrict a query to; "all" searches every field.
FIELDS = ("all", "title", "names", "subjects", "identifier", "notes")


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query.

    ``exact``: typed in quotes, so only these very words match (no stemming). ``prefix``:
    typed with a trailing ``*``, so any word starting with ``text`` matches (no stemming).
    Any other word also matches the words sharing its stem ("letter" finds "letters").
    """

    text: str
    excluded: bool
    exact: bool = False
    prefix: bool = False

    @property
    def stemmed(self) -> bool:
        return not (self.exact or self.prefix)


def parse(query: str) -> list[list[Term]]:
    """Web-search syntax as alternatives of conjunctions (the precedence of PostgreSQL's
    ``websearch_to_tsquery``: ``a b OR c`` is ``(a AND b) OR c``), with quotes for exact
    words and a trailing ``*`` for a prefix. Both backends build their query from this."""
    groups: list[list[Term]] = [[]]
    for m in _TOKEN.finditer(query):
        sign, phrase, word = m.groups()
        exact = prefix = False
        if word is not None:
            if word.upper() == "OR":
                if groups[-1]:
                    groups.append([])
                continue
            excluded = word.startswith("-") and len(word) > 1
            text = word[1:] if excluded else word
            if text.endswith("*"):
                text, prefix = text.rstrip("*"), True
        else:
            excluded, text, exact = bool(sign), phrase, True
        if has_words(text):
            groups[-1].append(Term(text, excluded, exact=exact, prefix=prefix))
    return [g for g in groups if g]


@dataclass(frozen=True)
class Match:
    """SQL pieces for "the units matching this query".

    ``from_sql`` names the unit table ``u`` (joined to whatever the backend needs), and
    ``score_sql`` is a number where higher means more relevant. Parameters are listed in the
    order their placeholders appear: FROM first, then WHERE.

    ``candidates_sql``, when set, is a condition on the unit table ``u`` that every match
    meets and that the index answers without reading rows (the words of a phrase, without
    their order). The query builder then looks for matches only among the first rows it
    selects, and ``from_sql`` names only what the backend adds beside ``u``.
    """

    from_sql: str
    where_sql: str
    score_sql: str
    from_params: list[Any] = field(default_factory=list)
    where_params: list[Any] = field(default_factory=list)
    # False for a query made only of exclusions: there is nothing to highlight.
    highlight: bool = True
    candidates_sql: str = ""
    candidates_params: list[Any] = field(default_factory=list)


NO_MATCH_FROM = f"{UNIT_TABLE} u"


class SearchBackend(Protocol):
    """What a backend module (``postgres``, ``sqlite``) provides: writing and deleting index
    rows, and the SQL pieces the query builder (``archive.search.query``) puts together.

    ``cursor`` is a DB-API cursor on the current connection (Django's, or psycopg's own in
    the import's writer thread), inside the caller's transaction.
    """

    # Extra columns of the unit table the facet query reads ("" when there are none).
    FACET_COLUMNS: str
    # A facet value's label from ``t.kind`` and ``t.key`` (``archive.search.counts.top_sql``).
    COUNT_LABEL_SQL: str

    def tune(self, cursor: Any) -> None:
        """Session settings the search queries need (run once per search)."""
        ...

    def write(self, cursor: Any, rows: Iterable[Any]) -> int:
        """Insert index rows (``archive.search.index.IndexRow``); returns how many."""
        ...

    def delete_units(self, cursor: Any, ids: Sequence[int]) -> None:
        """Remove the rows of these units."""
        ...

    def delete_collection(self, cursor: Any, collection_id: int) -> None:
        """Remove every row of one collection."""
        ...

    def delete_all(self, cursor: Any) -> None:
        """Empty the index."""
        ...

    def match(self, query: str, field: str) -> Match:
        """The SQL matching ``query`` in ``field`` ("all" or one of :data:`FIELDS`)."""
        ...

    def snippets(
        self, cursor: Any, query: str, field: str, ids: Sequence[int]
    ) -> dict[int, tuple[str, str]]:
        """Highlighted title and text of the given hits."""
        ...

    def facet_conditions(self, selected: Sequence[tuple[str, str]]) -> list[tuple[str, list[Any]]]:
        """WHERE conditions (with parameters) for the selected facet values."""
        ...

    def decade_conditions(self, decade: int) -> list[tuple[str, list[Any]]]:
        """WHERE conditions for units dated within ``decade``."""
        ...

    def facet_sql(self, source: str) -> str:
        """The facet count query over the filtered units selected by ``source``."""
        ...

    def facet_values_sql(self, source: str, kind: str) -> tuple[str, list[Any]]:
        """(key, label, count) of every value of one facet kind (not repository, collection
        or level, which are columns) over the filtered units selected by ``source``."""
        ...

    def facet_labels(self, cursor: Any, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Display labels of facet values."""
        ...
