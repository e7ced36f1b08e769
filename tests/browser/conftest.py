"""Real-browser fixtures: Debian's Chromium driven by Playwright, axe-core from npm.

The browser is ``/usr/bin/chromium`` (``apt-get install chromium``); Playwright's own browser
download is never used. Without a browser the tests skip with a loud reason on a laptop and
fail under ``CI=true``, so a CI machine can never pass by skipping them.

axe-core is installed on first use with ``npm install --prefix`` into a cache directory
outside the repository (``FONDS_AXE_CACHE``, default ``~/.cache/fonds/axe``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make
# (loaddata) are still synchronous, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("FONDS_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE_CACHE = Path(os.environ.get("FONDS_AXE_CACHE", Path.home() / ".cache" / "fonds" / "axe"))
AXE_VERSION = "4"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _missing(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(f"BROWSER TESTS NOT RUN: {reason}")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}; install it with: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _missing("the playwright Python package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server, transactional_db) -> str:
    """The live server's base URL with the demo data loaded (the search index included)."""
    call_command("loaddata", "demo", verbosity=0)
    return live_server.url


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """Path to axe.min.js, installed from the npm registry into a cache on first use."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is not installed, so axe-core cannot be fetched")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_CACHE),
                f"axe-core@{AXE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 or not script.exists():
            pytest.fail(f"npm install axe-core failed:\n{result.stderr}", pytrace=False)
    return script


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page, axe_script: Path) -> list[dict]:
    """axe-core violations of impact serious or critical on the current page."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    # not govern: an added <script> element would be refused, as the policy intends.
    page.evaluate(axe_script.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
