"""Fixtures shared by the whole suite. Keep this small: each test folder has its own conftest.py."""

from pathlib import Path

import pytest
from django.conf import settings


def _required_dir(setting_name: str, what: str) -> Path:
    path = Path(getattr(settings, setting_name))
    if not path.is_dir():
        pytest.fail(
            f"{what} was not found at {path}. Point the {setting_name} environment variable at it "
            f"(see README.md, Configuration); these tests must not be skipped.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The directory of real EAD files from other institutions (with MANIFEST.tsv)."""
    return _required_dir("FONDS_CORPUS_DIR", "The EAD test corpus")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    """The directory holding the official schemas: ead2002/, ead3/, eac-cpf/."""
    return _required_dir("FONDS_SCHEMA_DIR", "The official EAD schemas")


@pytest.fixture(autouse=True)
def _export_cache_dir(settings, tmp_path_factory):
    """Each test keeps its validated exports apart (never in the project's media/)."""
    settings.FONDS_EXPORT_CACHE_DIR = tmp_path_factory.mktemp("export-cache")
