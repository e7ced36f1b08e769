"""Counts of the whole index kept beside it, and an index for listing it in order.

``archive_search_count`` holds signed deltas ``(kind, key, n)``: every index write adds
``+1`` per unit for the total (kind ``total``), its repository, collection and level and each
of its facet keys, every delete the same with ``-1`` (``archive.search.counts``). Rows are
only ever appended, so an admin edit never waits on an import holding a row of it; the index
writer folds them into one row per key from time to time (``counts.compact``). Browsing
everything then reads the sums instead of every unit.

``search_unit_browse`` on ``(collection_id, sort_title, unit_id)`` is the order of a listing
without words: its first page is read from the index instead of sorting every unit. It
replaces ``search_unit_collection`` (its first column answers the same look-ups). On SQLite
the facet table's index on the unit grows to ``(unit_id, kind, key)``, so counting the
facets of the matches reads that index alone.

Existing index rows are counted here, so the counts are right from the first request.
"""

from django.db import migrations

_COUNT_TABLE = """
    CREATE TABLE archive_search_count (
        kind varchar(16) NOT NULL,
        key varchar(255) NOT NULL,
        n bigint NOT NULL
    )
"""

_BROWSE = [
    "CREATE INDEX search_unit_browse ON archive_search_unit (collection_id, sort_title, unit_id)",
    "DROP INDEX IF EXISTS search_unit_collection",
]

_UNBROWSE = [
    "CREATE INDEX IF NOT EXISTS search_facet_unit ON archive_search_facet (unit_id)",
    "DROP INDEX IF EXISTS search_facet_unit_kind_key",
    "CREATE INDEX IF NOT EXISTS search_unit_collection ON archive_search_unit (collection_id)",
    "DROP INDEX IF EXISTS search_unit_browse",
    "DROP TABLE IF EXISTS archive_search_count",
]

_COLUMNS_COUNTED = """
    SELECT 'total' AS kind, '' AS key FROM archive_search_unit
    UNION ALL SELECT 'repository', CAST(repository_id AS TEXT) FROM archive_search_unit
    UNION ALL SELECT 'collection', CAST(collection_id AS TEXT) FROM archive_search_unit
    UNION ALL SELECT 'level', level FROM archive_search_unit
"""

POSTGRES_FORWARD = [
    _COUNT_TABLE,
    *_BROWSE,
    f"""
    INSERT INTO archive_search_count (kind, key, n)
    SELECT kind, key, COUNT(*) FROM (
        {_COLUMNS_COUNTED}
        UNION ALL
        SELECT split_part(k, ':', 1), substr(k, strpos(k, ':') + 1)
        FROM archive_search_unit, unnest(facets) k WHERE k <> 'span:wide'
    ) t GROUP BY kind, key
    """,
]

SQLITE_FORWARD = [
    _COUNT_TABLE,
    *_BROWSE,
    # Facet counting reads (kind, key) of the matched units from the index alone.
    "CREATE INDEX search_facet_unit_kind_key ON archive_search_facet (unit_id, kind, key)",
    "DROP INDEX IF EXISTS search_facet_unit",
    f"""
    INSERT INTO archive_search_count (kind, key, n)
    SELECT kind, key, COUNT(*) FROM (
        {_COLUMNS_COUNTED}
        UNION ALL
        SELECT kind, key FROM archive_search_facet
        WHERE kind NOT IN ('repository', 'collection', 'level')
    ) t GROUP BY kind, key
    """,
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRES_FORWARD if vendor == "postgresql" else SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, _UNBROWSE if vendor == "sqlite" else _UNBROWSE[2:])


class Migration(migrations.Migration):
    dependencies = [("archive", "0014_requests")]

    operations = [migrations.RunPython(forward, backward)]
