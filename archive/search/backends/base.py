"""What a backend hands the query builder: how to match a query, and how to rank the matches."""

from __future__ import annotations

from dataclasses import dataclass, field

UNIT_TABLE = "archive_search_unit"
FACET_TABLE = "archive_search_facet"

# Fields a researcher may restrict a query to; "all" searches every field.
FIELDS = ("all", "title", "names", "subjects", "identifier", "notes")


@dataclass(frozen=True)
class Match:
    """SQL pieces for "the units matching this query".

    ``from_sql`` names the unit table ``u`` (joined to whatever the backend needs), and
    ``score_sql`` is a number where higher means more relevant. Parameters are listed in the
    order their placeholders appear: FROM first, then WHERE.
    """

    from_sql: str
    where_sql: str
    score_sql: str
    from_params: list = field(default_factory=list)
    where_params: list = field(default_factory=list)
    # False for a query made only of exclusions: there is nothing to highlight.
    highlight: bool = True


NO_MATCH_FROM = f"{UNIT_TABLE} u"
