"""THE rule for throttling sign-in: how many wrong passwords, from where, and for how long.

After ``FONDS_LOGIN_FAILURE_LIMIT`` failed sign-ins (default 5) for one username from one
client address within ``FONDS_LOGIN_FAILURE_WINDOW`` seconds (default 900), that username is
refused from that address for the same number of seconds, whatever the password: a correct
guess during the lockout tells the guesser nothing. A successful sign-in clears the count.
A limit or window of 0 turns the rule off.

Counting by username *and* address means a guesser elsewhere cannot lock a colleague out at
their own desk. (It also means one address trying one password on many usernames is limited
per username only.)

The counts live in Django's cache (``FONDS_LOGIN_THROTTLE_CACHE``, default ``"default"``). With
several worker processes, that cache must be shared (Redis, Memcached, or Django's database
cache); Django's default local-memory cache counts in each process separately.

Callers: the admin's sign-in form (``archive.admin.sign_in``). Costs: two or three cache reads
and writes per attempt; nothing touches the database.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.http import HttpRequest

from archive import conf

logger = logging.getLogger(__name__)


def now() -> float:
    """The clock the rule reads (seconds since the epoch); tests move it instead of sleeping."""
    return time.time()


@dataclass(frozen=True)
class _Keys:
    start: str  # when the current counting window began
    count: str  # failures in that window
    locked: str  # until when the username is refused from this address


def _keys(username: str, address: str) -> _Keys:
    # Hashed: usernames may hold characters some cache backends refuse in keys. Case-folded,
    # so "Admin" and "admin" share one count whatever the user model does with case.
    digest = hashlib.sha256(f"{username.strip().casefold()}\0{address}".encode()).hexdigest()
    base = f"fonds:sign-in:{digest}"
    return _Keys(start=f"{base}:start", count=f"{base}:count", locked=f"{base}:locked")


def _limits() -> tuple[int, int]:
    return (conf.login_failure_limit(), conf.login_failure_window())


def _cache() -> BaseCache:
    return caches[conf.login_throttle_cache()]


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from.

    ``REMOTE_ADDR``, unless ``FONDS_CLIENT_ADDRESS_HEADER`` names the ``request.META`` key a
    trusted proxy fills (e.g. ``HTTP_X_FORWARDED_FOR``): then its last entry, the one the
    proxy itself appended, since entries before it come from the client and can be forged.
    """
    header = conf.client_address_header()
    if header:
        entries = [e.strip() for e in request.META.get(header, "").split(",") if e.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def sign_in_lockout(*, username: str, address: str) -> int:
    """Seconds until ``username`` may try again from ``address``; 0 when it may try now."""
    limit, window = _limits()
    if not limit or not window:
        return 0
    locked_until = _cache().get(_keys(username, address).locked)
    remaining = (locked_until or 0) - now()
    return math.ceil(remaining) if remaining > 0 else 0


def sign_in_failed(*, username: str, address: str) -> int:
    """Count a wrong password; returns the lockout in seconds it starts (0: none yet)."""
    limit, window = _limits()
    if not limit or not window:
        return 0
    cache, keys, moment = _cache(), _keys(username, address), now()
    start = cache.get(keys.start)
    if start is None or moment >= start + window:
        cache.set_many({keys.start: moment, keys.count: 1}, timeout=window)
        count = 1
    else:
        try:
            count = cache.incr(keys.count)  # atomic where the backend is (LocMem, Redis...)
        except ValueError:  # the count expired between the two reads
            cache.set(keys.count, 1, timeout=window)
            count = 1
    if count < limit:
        return 0
    cache.set(keys.locked, moment + window, timeout=window)
    cache.delete_many([keys.start, keys.count])
    logger.warning(
        "Sign-in refused for %d s: %d failed attempts for one username from %s.",
        window,
        count,
        address,
    )
    return window


def sign_in_succeeded(*, username: str, address: str) -> None:
    """Forget the failures of ``username`` from ``address`` after a correct sign-in."""
    keys = _keys(username, address)
    _cache().delete_many([keys.start, keys.count, keys.locked])


def lockout_message(seconds: int) -> str:
    """What the sign-in page says during a lockout, in whole minutes rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts; try again in {minutes} {unit}."
