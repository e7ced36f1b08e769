"""OAI identifiers: ``oai:<namespace>:<repository code>/<EAD id>`` (the oai-identifier scheme).

Built from the repository code and the EAD id only, so a record keeps its identifier across
re-imports and replacements; the EAD id is percent-encoded where the scheme needs it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_NAMESPACE = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
# Characters the oai-identifier scheme allows unescaped in the local identifier (besides
# letters and digits), minus "%", which escapes everything else.
_SAFE = "-_.!~*'();/?:@&=+$,"


def is_namespace(text: str) -> bool:
    """Whether ``text`` is a valid namespace-identifier (a domain name with a dot)."""
    return bool(_NAMESPACE.fullmatch(text))


def record_identifier(*, namespace: str, repository_code: str, ead_id: str) -> str:
    return f"oai:{namespace}:{repository_code}/{quote(ead_id, safe=_SAFE)}"


def identifier_parse(*, namespace: str, identifier: str) -> tuple[str, str] | None:
    """``(repository code, EAD id)`` of an identifier of this repository, else None."""
    prefix = f"oai:{namespace}:"
    if not identifier.startswith(prefix):
        return None
    code, sep, local = identifier[len(prefix) :].partition("/")
    if not sep or not code or not local:
        return None
    return code, unquote(local)
