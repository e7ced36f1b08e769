"""The shared EAD corpus as the tests see it: where it is and what its MANIFEST.tsv says.

One reader for every test folder, so a file is called well-formed (or small) by one rule.
No Django here: ``tests/ead`` runs without it (``-p no:django``), so the directories come
from the same environment variables, with the same defaults, as ``config/settings.py``.
"""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = Path(os.environ.get("FONDS_CORPUS_DIR", REPO.parent / "shared" / "corpus" / "ead"))
SCHEMA_DIR = Path(os.environ.get("FONDS_SCHEMA_DIR", REPO.parent / "shared" / "schemas"))

# Stands in for the file names when the MANIFEST cannot be read: a parametrized test then runs
# once and fails on it (opening a file of that name) instead of silently running nothing.
MISSING = "MANIFEST.tsv is missing"


@cache
def manifest() -> dict[str, dict[str, str]]:
    """The MANIFEST's rows by file name (empty when the corpus is not there)."""
    path = CORPUS_DIR / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def is_well_formed(name: str) -> bool:
    """What the MANIFEST says: its validation column names the files that are not XML at all."""
    return "not well-formed" not in manifest()[name].get("validates_against_xsd", "")


def corpus_files(*, well_formed: bool | None = None) -> list[str]:
    """File names in the MANIFEST, sorted; only the (not) well-formed ones when asked.

    Never empty: a missing MANIFEST gives ``[MISSING]`` so that tests fail loudly.
    """
    names = sorted(manifest())
    if well_formed is not None:
        names = [name for name in names if is_well_formed(name) == well_formed]
    return names or [MISSING]


def smallest_files(count: int) -> list[Path]:
    """The ``count`` smallest files by the MANIFEST's byte counts (ties by name: stable)."""
    rows = sorted(manifest().values(), key=lambda row: (int(row["bytes"]), row["file"]))
    return [CORPUS_DIR / row["file"] for row in rows[:count]]
