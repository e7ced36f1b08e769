"""Fixtures of the EAC-CPF tests: the corpus of real authority records and the schema."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from archive.ead.parsing import safe_parser


def eac_corpus_dir() -> Path:
    """``../shared/corpus/eac-cpf``: beside the EAD corpus (``FONDS_CORPUS_DIR``)."""
    return Path(settings.FONDS_CORPUS_DIR).parent / "eac-cpf"


def corpus_files() -> list[Path]:
    return sorted(eac_corpus_dir().glob("*.xml"))


@cache
def cpf_schema() -> etree.XMLSchema:
    path = Path(settings.FONDS_SCHEMA_DIR) / "eac-cpf" / "cpf.xsd"
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def schema_errors(data: bytes) -> list[str]:
    """The schema's complaints about a document (empty when it is valid)."""
    schema = cpf_schema()
    if schema.validate(etree.fromstring(data, safe_parser())):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@pytest.fixture(scope="session")
def eac_files() -> list[Path]:
    files = corpus_files()
    if len(files) < 47:
        pytest.fail(
            f"the EAC-CPF corpus at {eac_corpus_dir()} holds {len(files)} records, not 47; "
            "point FONDS_CORPUS_DIR at ../shared/corpus/ead",
            pytrace=False,
        )
    return files
