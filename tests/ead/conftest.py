"""Fixtures locating the shared corpus and schemas (env FONDS_CORPUS_DIR / FONDS_SCHEMA_DIR)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.corpus import CORPUS_DIR, SCHEMA_DIR


@cache
def schema(version: str):
    from lxml import etree

    path = SCHEMA_DIR / ("ead2002/ead.xsd" if version == "2002" else "ead3/ead3.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS_DIR.exists():
        pytest.fail(f"EAD corpus not found at {CORPUS_DIR}: set FONDS_CORPUS_DIR")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    if not SCHEMA_DIR.exists():
        pytest.fail(f"EAD schemas not found at {SCHEMA_DIR}: set FONDS_SCHEMA_DIR")
    return SCHEMA_DIR
