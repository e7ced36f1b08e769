"""Submitting a request list: the per-address rate limit, then one stored request per
repository, then delivery (``archive.requests.delivery``).

The rate limit counts submissions per client address in Django's cache
(``FONDS_REQUEST_RATE_LIMIT`` within ``FONDS_REQUEST_RATE_WINDOW`` seconds, the cache of
``FONDS_LOGIN_THROTTLE_CACHE``); the address is read as the sign-in throttle reads it
(``archive.sign_in.client_address``). With several worker processes that cache must be
shared, as for the sign-in throttle.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.core.cache import caches
from django.db import transaction

from archive import conf
from archive.models import MaterialRequest, MaterialRequestItem
from archive.requests.delivery import request_deliver
from archive.requests.lines import RequestLine, RequestRefused, request_lines


def _rate_key(address: str) -> str:
    return "fonds:request-submit:" + hashlib.sha256(address.encode()).hexdigest()


def submission_allowed(address: str) -> bool:
    """Count one submission from ``address``; False once the limit for the window is passed."""
    limit, window = conf.request_rate_limit(), conf.request_rate_window()
    if limit <= 0 or window <= 0:
        return True
    cache = caches[conf.login_throttle_cache()]
    key = _rate_key(address)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def _items(request: MaterialRequest, lines: list[RequestLine]) -> list[MaterialRequestItem]:
    items: list[MaterialRequestItem] = []
    for line in lines:
        container = line.container
        root = line.collection.root
        for entry in line.units:
            items.append(
                MaterialRequestItem(
                    request=request,
                    unit=entry.unit,
                    collection=line.collection,
                    container=container,
                    title=entry.unit.display_title[:1000],
                    collection_title=(root.display_title if root else "")[:1000],
                    collection_identifier=(root.shown_identifier if root else "")[:255],
                    container_text=line.container_text,
                    folder=entry.folder,
                    barcode=container.barcode if container else "",
                    location=container.label if container else "",
                    access=entry.access_text,
                    position=len(items),
                )
            )
    return items


def request_submit(
    *,
    unit_ids: Iterable[int],
    name: str,
    email: str,
    visit_date: datetime.date,
    notes: str = "",
) -> list[MaterialRequest]:
    """Store the list as one request per repository and deliver each.

    Only public units are stored (the list is read again through ``request_lines``); an
    empty list is refused. The requests are written in one transaction; delivery follows
    it, so a mail server that fails leaves the stored request (with nothing recorded as
    delivered) rather than none.
    """
    lines = request_lines(unit_ids)
    if not lines:
        raise RequestRefused("Your request list is empty: add material to it first.")
    by_repository: dict[int, list[RequestLine]] = {}
    for line in lines:
        by_repository.setdefault(line.repository.pk, []).append(line)
    requests = []
    with transaction.atomic():
        for group in by_repository.values():
            request = MaterialRequest.objects.create(
                repository=group[0].repository,
                name=name,
                email=email,
                visit_date=visit_date,
                notes=notes,
            )
            MaterialRequestItem.objects.bulk_create(_items(request, group))
            requests.append(request)
    for request in requests:
        request_deliver(request)
    return requests
