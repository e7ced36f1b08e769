"""THE rule for which URLs from the data may become links on our pages.

Every ``href`` built from catalogue data passes ``safe_link``: digital-object links, links
inside notes (``archive.ead.markup.to_html``), authority identifiers of names and subjects,
repository web sites.  A URL it refuses is shown as text, never as a link.

The rule is an allowlist: an absolute ``http`` or ``https`` URL with a host (and, where the
caller asks for it, ``mailto:`` with an address).  Everything else is refused:

- script-carrying schemes (``javascript:``, ``vbscript:``, ``data:``...) and any other scheme
  (``file:``, ``ftp:``, ``hdl:``...): we cannot vouch for what a browser does with them;
- relative URLs (``images/x.jpg``, ``/x``, ``?q``): an EAD ``href`` is relative to wherever
  the finding aid was published, not to our pages, so resolving it here would point at the
  wrong file or at one of our own URLs;
- protocol-relative ``//host/x``: its scheme would come from our page, and in EAD it is as
  unanchored as any other relative reference;
- ``http:x``, ``http:/x`` or ``http:\\\\x`` (no ``//host``): browsers resolve these against
  the current page or repair them in ways other tools do not; we refuse the ambiguity.

Before deciding, the URL is normalised the way a browser's URL parser does it (WHATWG URL
standard): leading and trailing C0 controls and spaces are stripped, tabs and newlines
anywhere are removed, and the scheme is compared case-insensitively.  So ``" JaVaScRiPt:"``,
``"java\\tscript:"`` and ``"\\x00javascript:"`` are all seen as ``javascript:``.  Any other
control character left inside the URL refuses it.

This module is pure Python (no Django import) so that ``archive.ead`` — which must run
without Django — can use it; ``archive/__init__.py`` imports nothing, so importing
``archive.links`` from ``archive.ead`` does not load Django either.  Django-side wrappers
(the template filter, the form validator) live with their layers and call this rule.
"""

from __future__ import annotations

import re

__all__ = ["LINK_RULE_MESSAGE", "is_script_url", "normalise_url", "safe_link"]

# What a browser strips from both ends of a URL (C0 controls and space) and removes inside.
_EDGE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile("[\t\n\r]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# scheme://authority[/path][?query][#fragment], the authority (host) not empty
_WEB = re.compile(r"(?i)https?://[^/\\?#\s]+(?:[/?#].*)?", re.DOTALL)
_MAILTO = re.compile(r"(?i)mailto:[^@\s/\\]+@[^@\s/\\]+")

# Schemes that run code or embed a document when followed; used for public exports.
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha", "data"})

LINK_RULE_MESSAGE = (
    "Only absolute web addresses (http:// or https:// followed by a host name) can be links."
)


def normalise_url(url: str | None) -> str:
    """The URL as a browser's parser reads it: ends stripped, tabs and newlines removed."""
    if not url:
        return ""
    return _TAB_NEWLINE.sub("", url.strip(_EDGE))


def safe_link(url: str | None, *, mailto: bool = False) -> str | None:
    """The URL to put in an ``href``, or None when it must be shown as text.

    Returns the normalised URL (scheme lowercased) for an absolute http(s) URL with a host,
    or for ``mailto:name@host`` when ``mailto`` is true.  The caller still escapes the result
    for HTML (templates do it by default).  Cost: two regular expressions on the string.
    """
    text = normalise_url(url)
    if not text or _CONTROL.search(text):
        return None
    match = _SCHEME.match(text)
    if match is None:
        return None  # relative, protocol-relative, or no scheme at all
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        if not _WEB.fullmatch(text):
            return None
        return scheme + text[len(scheme) :]
    if scheme == "mailto" and mailto and _MAILTO.fullmatch(text):
        return "mailto" + text[len(scheme) :]
    return None


def is_script_url(url: str | None) -> bool:
    """True when a browser following ``url`` would run script or open an inline document.

    Used where a URL is passed on rather than linked (public EAD exports): relative and
    other-scheme references are legitimate data there, ``javascript:``/``data:`` are not.
    """
    text = _CONTROL.sub("", normalise_url(url))
    match = _SCHEME.match(text)
    return match is not None and match.group(1).lower() in _SCRIPT_SCHEMES
