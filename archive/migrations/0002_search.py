"""The search index: hand-written because each database gets its own full-text machinery.

PostgreSQL: the ``unaccent`` extension, an IMMUTABLE wrapper around it (``unaccent()`` itself
is only STABLE, so it cannot appear in index expressions), a text search configuration
``fonds`` (the ``simple`` one with ``unaccent`` in front, so every word is folded to lower case
without accents and nothing is stemmed or dropped as a stop word), a table of weighted
``tsvector`` documents with GIN indexes, and the facet table.

SQLite: a plain table for the sortable and filterable columns, an FTS5 virtual table whose
``unicode61 remove_diacritics 2`` tokenizer folds case and accents, and the same facet table.

The tables are not Django models: only ``archive.search`` reads and writes them.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION fonds_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$
    """,
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fonds",
    "CREATE TEXT SEARCH CONFIGURATION fonds (COPY = pg_catalog.simple)",
    """
    ALTER TEXT SEARCH CONFIGURATION fonds
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple
    """,
    """
    CREATE TABLE archive_search_unit (
        unit_id bigint PRIMARY KEY,
        collection_id bigint NOT NULL,
        repository_id bigint NOT NULL,
        level varchar(16) NOT NULL,
        sort_title text NOT NULL,
        begin_year integer NULL,
        end_year integer NULL,
        online boolean NOT NULL,
        title text NOT NULL,
        names text NOT NULL,
        subjects text NOT NULL,
        identifier text NOT NULL,
        notes text NOT NULL,
        document tsvector NOT NULL,
        subjects_doc tsvector NOT NULL,
        identifier_doc tsvector NOT NULL
    )
    """,
    "CREATE INDEX search_unit_document ON archive_search_unit USING gin (document)",
    "CREATE INDEX search_unit_subjects ON archive_search_unit USING gin (subjects_doc)",
    "CREATE INDEX search_unit_identifier ON archive_search_unit USING gin (identifier_doc)",
    "CREATE INDEX search_unit_collection ON archive_search_unit (collection_id)",
    """
    CREATE TABLE archive_search_facet (
        unit_id bigint NOT NULL,
        kind varchar(16) NOT NULL,
        key varchar(255) NOT NULL,
        label text NOT NULL
    )
    """,
    "CREATE INDEX search_facet_unit ON archive_search_facet (unit_id)",
    "CREATE INDEX search_facet_kind_key ON archive_search_facet (kind, key, unit_id)",
]

POSTGRES_BACKWARD = [
    "DROP TABLE IF EXISTS archive_search_facet",
    "DROP TABLE IF EXISTS archive_search_unit",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fonds",
    "DROP FUNCTION IF EXISTS fonds_unaccent(text)",
]

SQLITE_FORWARD = [
    """
    CREATE TABLE archive_search_unit (
        unit_id integer PRIMARY KEY,
        collection_id integer NOT NULL,
        repository_id integer NOT NULL,
        level varchar(16) NOT NULL,
        sort_title text NOT NULL,
        begin_year integer NULL,
        end_year integer NULL,
        online bool NOT NULL
    )
    """,
    "CREATE INDEX search_unit_collection ON archive_search_unit (collection_id)",
    # rowid = unit id. Column order matters: bm25() weights are given in this order.
    """
    CREATE VIRTUAL TABLE archive_search_fts USING fts5(
        title, names, subjects, identifier, notes,
        tokenize="unicode61 remove_diacritics 2"
    )
    """,
    """
    CREATE TABLE archive_search_facet (
        unit_id integer NOT NULL,
        kind varchar(16) NOT NULL,
        key varchar(255) NOT NULL,
        label text NOT NULL
    )
    """,
    "CREATE INDEX search_facet_unit ON archive_search_facet (unit_id)",
    "CREATE INDEX search_facet_kind_key ON archive_search_facet (kind, key, unit_id)",
]

SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS archive_search_facet",
    "DROP TABLE IF EXISTS archive_search_fts",
    "DROP TABLE IF EXISTS archive_search_unit",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise RuntimeError(f"Fonds search supports PostgreSQL and SQLite, not {vendor}")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
