"""Fixtures locating the shared corpus and schemas (env FONDS_CORPUS_DIR / FONDS_SCHEMA_DIR)."""

from __future__ import annotations

import csv
import os
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # runnable without an installed package (-p no:django)
    sys.path.insert(0, str(REPO))

CORPUS_DIR = Path(os.environ.get("FONDS_CORPUS_DIR", REPO.parent / "shared" / "corpus" / "ead"))
SCHEMA_DIR = Path(os.environ.get("FONDS_SCHEMA_DIR", REPO.parent / "shared" / "schemas"))


@cache
def manifest() -> dict[str, dict[str, str]]:
    path = CORPUS_DIR / "MANIFEST.tsv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def corpus_files(*, well_formed: bool | None = None) -> list[str]:
    rows = manifest()
    names = sorted(n for n in rows if (CORPUS_DIR / n).exists())
    if well_formed is None:
        return names
    return [
        n for n in names if ("not well-formed" in rows[n]["validates_against_xsd"]) != well_formed
    ]


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
