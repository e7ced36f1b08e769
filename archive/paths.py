"""Which finding aid, component or download a public URL names.

Public URLs are written with identifiers as they are: an EAD id that is a handle or an ARK
(``ark:/13030/tf5p30086k``, ``http://hdl.loc.gov/loc.music/eadmus.mu012007``) keeps its
slashes and colons, and only what a URL cannot hold is percent-encoded. Slashes then no longer
separate the EAD id from the component id, so a path under ``/collections/<repository>/`` is
read against the repository's EAD ids: the longest EAD id the path starts with names the
finding aid, and what follows is the component's id (which may hold slashes too) or
``ead/<format>.xml``. A path that names nothing is tried once more percent-decoded, so links
written when identifiers were encoded whole (``ark%3A%2F13030...``) still lead to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from archive.models import Collection

# More path segments than this cannot name a finding aid (bounds the one look-up query).
MAX_SEGMENTS = 64

_DOWNLOAD = re.compile(r"(?P<ead_id>.+)/ead/(?P<fmt>[^/]+)\.xml")


@dataclass(frozen=True)
class Location:
    """What a path under ``/collections/<repository>/`` names."""

    ead_id: str
    ref: str | None = None  # a component's id, None for the collection page
    fmt: str | None = None  # an EAD download's format
    canonical: bool = True  # False: found only after decoding; redirect to the clean URL


class IdentifierConverter:
    """An EAD id or component id in a URL: any characters, slashes included (``reverse``
    percent-encodes what a URL cannot hold)."""

    regex = ".+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def locate(repository_code: str, rest: str) -> Location | None:
    """Read ``rest``, the path after ``/collections/<repository>/``, or None."""
    found = _locate(repository_code, rest)
    if found is None and "%" in rest:
        decoded = _locate(repository_code, unquote(rest))
        if decoded is not None:
            return Location(decoded.ead_id, decoded.ref, decoded.fmt, canonical=False)
    return found


def _locate(repository_code: str, rest: str) -> Location | None:
    download = _DOWNLOAD.fullmatch(rest)
    trimmed = rest.removesuffix("/")
    segments = trimmed.split("/")
    if not trimmed or len(segments) > MAX_SEGMENTS:
        return None
    prefixes = ["/".join(segments[:n]) for n in range(1, len(segments) + 1)]
    if download:
        prefixes.append(download["ead_id"])
    ead_ids = set(
        Collection.objects.filter(
            repository__code=repository_code, ead_id__in=prefixes
        ).values_list("ead_id", flat=True)
    )
    if download and download["ead_id"] in ead_ids:
        return Location(download["ead_id"], fmt=download["fmt"])
    for n in range(len(segments), 0, -1):
        ead_id = prefixes[n - 1]
        if ead_id in ead_ids:
            ref = "/".join(segments[n:])
            return Location(ead_id, ref=ref or None, canonical=rest.endswith("/"))
    return None
