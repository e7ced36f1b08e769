"""PostgreSQL search: facet keys as an array on the index row, instead of a facet table.

Every index row gets ``facets text[]``: one ``kind:key`` string per facet value it counts
under (``decade:1930``, ``name:12`` ...; repository, collection and level stay columns), with
a GIN index. Then

- one pass over the matching rows counts every facet (``unnest`` of their arrays), where the
  facet table needed a join of one row per unit and value;
- a selected facet is ``facets @> ARRAY[...]``, an index condition that the planner combines
  with the full-text GIN scan, so "letters, 1930s" reads only the rows that have both
  instead of filtering every row that has the word.

Labels are stored once per key in ``archive_search_label`` rather than on every row.

The ``tsvector`` documents become generated columns: index rows are then copied straight into
the table (``COPY``), and the server computes each document while the client is still
building and sending the next rows, instead of after all of them (staging table, then
``INSERT ... SELECT``).

The existing index is carried over in SQL (no reindex needed): the arrays are built from the
facet table, then the facet table is dropped.

SQLite keeps its facet table: it has no array type or GIN, and its index (kind, key, unit)
already serves both filtering and counting there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE archive_search_unit ADD COLUMN facets text[] NOT NULL DEFAULT '{}'",
    """
    UPDATE archive_search_unit u SET facets = ARRAY(
            SELECT f.kind || ':' || f.key FROM archive_search_facet f
            WHERE f.unit_id = u.unit_id
              AND f.kind NOT IN ('repository', 'collection', 'level')
        ) || CASE  -- archive.search.index.MAX_DECADES: only both ends are listed
            WHEN floor(u.end_year / 10.0) - floor(u.begin_year / 10.0) + 1 > 60
            THEN ARRAY['span:wide'] ELSE ARRAY[]::text[]
        END
    """,
    """
    CREATE TABLE archive_search_label (
        key text PRIMARY KEY,
        label text NOT NULL
    )
    """,
    """
    INSERT INTO archive_search_label (key, label)
    SELECT kind || ':' || key, MAX(label) FROM archive_search_facet
    WHERE kind NOT IN ('repository', 'collection', 'level')
    GROUP BY kind, key
    """,
    "DROP TABLE archive_search_facet",
    "CREATE INDEX search_unit_facets ON archive_search_unit USING gin (facets)",
    # The same expressions as archive.search.backends.postgres computed before this migration.
    """
    ALTER TABLE archive_search_unit
        DROP COLUMN document,
        DROP COLUMN subjects_doc,
        DROP COLUMN identifier_doc,
        ADD COLUMN document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('fonds', title), 'A')
            || setweight(to_tsvector('fonds', names), 'B')
            || setweight(to_tsvector('fonds', subjects || ' ' || identifier), 'C')
            || setweight(to_tsvector('fonds', notes), 'D')
        ) STORED,
        ADD COLUMN subjects_doc tsvector GENERATED ALWAYS AS (
            to_tsvector('fonds', subjects)
        ) STORED,
        ADD COLUMN identifier_doc tsvector GENERATED ALWAYS AS (
            to_tsvector('fonds', identifier)
        ) STORED
    """,
    # The subject and identifier documents lose their indexes: a query in one of those
    # fields is found through the document's (weight C) and checked on the field's own.
    "CREATE INDEX search_unit_document ON archive_search_unit USING gin (document)",
]

POSTGRES_BACKWARD = [
    "CREATE INDEX search_unit_subjects ON archive_search_unit USING gin (subjects_doc)",
    "CREATE INDEX search_unit_identifier ON archive_search_unit USING gin (identifier_doc)",
    """
    ALTER TABLE archive_search_unit
        ALTER COLUMN document DROP EXPRESSION,
        ALTER COLUMN subjects_doc DROP EXPRESSION,
        ALTER COLUMN identifier_doc DROP EXPRESSION
    """,
    """
    CREATE TABLE archive_search_facet (
        unit_id bigint NOT NULL,
        kind varchar(16) NOT NULL,
        key varchar(255) NOT NULL,
        label text NOT NULL
    )
    """,
    """
    INSERT INTO archive_search_facet (unit_id, kind, key, label)
    SELECT u.unit_id, split_part(k, ':', 1), substr(k, strpos(k, ':') + 1),
           COALESCE(l.label, '')
    FROM archive_search_unit u, unnest(u.facets) k
    LEFT JOIN archive_search_label l ON l.key = k
    WHERE split_part(k, ':', 1) NOT IN ('repository', 'collection', 'level', 'span')
    """,
    "CREATE INDEX search_facet_unit ON archive_search_facet (unit_id)",
    "CREATE INDEX search_facet_kind_key ON archive_search_facet (kind, key, unit_id)",
    "DROP TABLE archive_search_label",
    "ALTER TABLE archive_search_unit DROP COLUMN facets",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_search")]

    operations = [migrations.RunPython(forward, backward)]
