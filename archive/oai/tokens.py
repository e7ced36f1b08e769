"""Resumption tokens: the list request, the position reached, and when the token was issued.

A token is signed (``django.core.signing``), so a harvester cannot forge or alter it, and
carries the key of the last record sent: (datestamp, repository code, EAD id). The next page
starts after that key, so records that change or disappear while a harvest runs never make
another record be skipped or sent twice in the same pass (a changed record gets a later
datestamp and comes again at the end, as the protocol expects). ``completeListSize`` is
counted once, at the first page, and carried along with the cursor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

from archive import conf

_SALT = "archive.oai.resumption"


class TokenError(Exception):
    """A resumption token that is not ours, is damaged, or has expired (message says which)."""


@dataclass(frozen=True, slots=True)
class Token:
    verb: str
    prefix: str
    set_spec: str | None
    start: str | None  # the from/until arguments as given, for the record
    until: str | None
    after: tuple[str, str, str]  # the key of the last record sent
    cursor: int  # how many records were sent before the page this token asks for
    size: int  # completeListSize


def token_encode(token: Token) -> str:
    payload = [
        token.verb,
        token.prefix,
        token.set_spec,
        token.start,
        token.until,
        list(token.after),
        token.cursor,
        token.size,
    ]
    return signing.dumps(payload, salt=_SALT, compress=True)


def token_expiry(issued: dt.datetime) -> dt.datetime:
    return issued + dt.timedelta(seconds=conf.oai_token_seconds())


def token_decode(text: str) -> Token:
    """The token's content; :class:`TokenError` if it is not valid (any more)."""
    max_age = conf.oai_token_seconds()
    try:
        payload = signing.loads(text, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError(
            f"the resumption token has expired (tokens are valid for {max_age} seconds); "
            "start the list again without a token"
        ) from None
    except signing.BadSignature:
        raise TokenError("the resumption token is not one this repository issued") from None
    try:
        verb, prefix, set_spec, start, until, after, cursor, size = payload
        return Token(
            verb=str(verb),
            prefix=str(prefix),
            set_spec=set_spec,
            start=start,
            until=until,
            after=(str(after[0]), str(after[1]), str(after[2])),
            cursor=int(cursor),
            size=int(size),
        )
    except (TypeError, ValueError, IndexError):
        raise TokenError("the resumption token is not one this repository issued") from None
