"""Search over every public collection and component: one interface, a backend per database.

    from archive.search import search
    results = search(query='"Victor Serge" -Trotsky', filters={"level": ["file"]})

PostgreSQL uses weighted ``tsvector`` documents (exact words, and English stems) with GIN
indexes and ``unaccent``; SQLite uses two FTS5 tables (a diacritic-folding tokenizer, and the
same with the porter stemmer). Both read the index kept by ``archive.search.index``, which
holds public units only, and take one query syntax (``archive.search.backends.base.parse``).
"""

from __future__ import annotations

from archive.search.query import search
from archive.search.results import FACETS, FIELD_LABELS, SORTS, SearchResults

__all__ = ["FACETS", "FIELD_LABELS", "SORTS", "SearchResults", "search"]
