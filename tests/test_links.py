"""The one link rule (``archive.links``): what may become an ``href`` on our pages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive.links import is_script_url, normalise_url, safe_link

# Values a browser would follow as script or an inline document, written the ways real
# attacks write them: case, whitespace and control characters that the URL parser drops.
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " JaVaScRiPt:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\r\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "\x01\x02 javascript:alert(1)\x1f ",
    "javascript://example.org/%0aalert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    " DATA:image/svg+xml;base64,PHN2Zz4=",
]

# Not script, but not a link we can vouch for on our pages either.
REFUSED = [
    "",
    "   ",
    "images/x.jpg",
    "./x.pdf",
    "/etc/passwd",
    "?q=1",
    "#top",
    "//evil.example/x",
    "\\\\evil.example\\x",
    "http:evil.example",
    "http:/evil.example",
    "http:\\\\evil.example",
    "https://",
    "https:///path",
    "httpjavascript:alert(1)",
    "http.javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://ftp.example.org/file",
    "hdl:10079/fa/beinecke.serge",
    "urn:nbn:de:1234",
    "mailto:archives@example.org",  # only where the caller allows mailto
    "\u00a0https://example.org/",  # NBSP is not whitespace to a URL parser
    "https://exa mple.org/",
    "https://example.org/\x00x",
    "java&#x09;script:alert(1)",  # an entity not decoded: no scheme at all
]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_script_urls_never_become_links(url: str) -> None:
    assert safe_link(url) is None
    assert safe_link(url, mailto=True) is None
    assert is_script_url(url)


@pytest.mark.parametrize("url", REFUSED)
def test_other_urls_are_refused_as_links(url: str) -> None:
    assert safe_link(url) is None


@pytest.mark.parametrize(
    "url", ["images/x.jpg", "//host/x", "hdl:10079/x", "ftp://x.org/f", "https://x.org/"]
)
def test_only_script_urls_count_as_script(url: str) -> None:
    # public exports pass these on: relative and other-scheme references are real EAD data
    assert not is_script_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/", "https://example.org/"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://Example.org/A?b=1#c", "https://Example.org/A?b=1#c"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("\x00https://example.org/x\x1f", "https://example.org/x"),
        ("https://exa\tmple.org/x\n", "https://example.org/x"),
        ("https://example.org/a b", "https://example.org/a b"),
        (
            'https://example.org/x" onmouseover="alert(1)',
            'https://example.org/x" onmouseover="alert(1)',
        ),
        ("https://user@example.org:8443/x", "https://user@example.org:8443/x"),
        (
            "https://id.loc.gov/authorities/names/n50003420",
            "https://id.loc.gov/authorities/names/n50003420",
        ),
    ],
)
def test_web_urls_are_links_as_a_browser_reads_them(url: str, expected: str) -> None:
    # the result is what goes into the href (still escaped by the template: the quote in the
    # onmouseover case becomes &quot; and stays inside the attribute)
    assert safe_link(url) == expected


def test_mailto_only_when_asked_and_with_an_address() -> None:
    assert safe_link("mailto:archives@example.org", mailto=True) == "mailto:archives@example.org"
    assert safe_link(" MAILTO:archives@example.org", mailto=True) == "mailto:archives@example.org"
    assert safe_link("mailto:archives@example.org") is None
    assert safe_link("mailto:", mailto=True) is None
    assert safe_link("mailto:javascript:alert(1)", mailto=True) is None


def test_normalisation_is_the_browser_s() -> None:
    assert normalise_url(" \x00java\tscr\nipt:x\r ") == "javascript:x"
    assert normalise_url(None) == ""
    assert normalise_url("\u00a0x") == "\u00a0x"


def test_the_rule_and_the_ead_package_load_without_django() -> None:
    """``archive.ead`` must run without Django; it uses the rule, so the rule must too."""
    code = (
        "import sys, archive.links, archive.ead.markup; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
