"""Search by stems: "letter" finds "letters", and exact matches still rank first.

PostgreSQL: a dictionary of English Snowball stems without stop words (every word stays
searchable, as in the ``fonds`` configuration), a configuration ``fonds_stem`` that folds
accents and then stems, and a second weighted document ``stemmed`` (generated, as
``document`` is) in its own GIN index with the facet keys, so a word with a facet is one
index scan as before. ``document`` keeps the exact words for quoted phrases and prefixes.

SQLite: a second FTS5 table with the ``porter`` tokenizer over the same text. It stores no
text of its own (``content=`` the exact table), only its index.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fonds_stem",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS fonds_english",
    "CREATE TEXT SEARCH DICTIONARY fonds_english (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION fonds_stem (COPY = fonds)",
    """
    ALTER TEXT SEARCH CONFIGURATION fonds_stem
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH fonds_english
    """,
    """
    ALTER TEXT SEARCH CONFIGURATION fonds_stem
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, fonds_english
    """,
    """
    ALTER TABLE archive_search_unit
        ADD COLUMN stemmed tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('fonds_stem', title), 'A')
            || setweight(to_tsvector('fonds_stem', names), 'B')
            || setweight(to_tsvector('fonds_stem', subjects || ' ' || identifier), 'C')
            || setweight(to_tsvector('fonds_stem', notes), 'D')
        ) STORED
    """,
    "CREATE INDEX search_unit_stemmed ON archive_search_unit USING gin (stemmed, facets)",
]

POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_unit_stemmed",
    "ALTER TABLE archive_search_unit DROP COLUMN IF EXISTS stemmed",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fonds_stem",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS fonds_english",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE archive_search_stem USING fts5(
        title, names, subjects, identifier, notes,
        content='archive_search_fts',
        tokenize="porter unicode61 remove_diacritics 2"
    )
    """,
    # (FTS5's 'rebuild' cannot read an FTS5 table as its content: the rows are copied.)
    """
    INSERT INTO archive_search_stem (rowid, title, names, subjects, identifier, notes)
    SELECT rowid, title, names, subjects, identifier, notes FROM archive_search_fts
    """,
]

SQLITE_BACKWARD = ["DROP TABLE IF EXISTS archive_search_stem"]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("archive", "0012_authority_link_indexes")]

    operations = [migrations.RunPython(forward, backward)]
