"""Sending a stored request where its repository's staff chose: the reading room's email
address and/or an Aeon-style OpenURL link or form post.

No open relay: the email goes to the address staff set on the repository's request
settings, and only there. The researcher's address appears in the body and as Reply-To,
never as a recipient. The Aeon fields are named by the repository's mapping
(``RequestSettings.aeon_fields``: Aeon field name to a Fonds value, see
``archive.models.requests.ITEM_VALUES`` and ``REQUEST_VALUES``).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.mail import EmailMessage

from archive import conf
from archive.links import safe_link
from archive.models import Component, MaterialRequest, MaterialRequestItem, RequestSettings
from archive.models.requests import ITEM_VALUES, REQUEST_VALUES
from archive.visibility import public_dates

logger = logging.getLogger(__name__)


def settings_of(request: MaterialRequest) -> RequestSettings | None:
    return RequestSettings.objects.filter(repository_id=request.repository_id).first()


# ---------------------------------------------------------------------------------- email


def request_email(request: MaterialRequest, settings: RequestSettings) -> EmailMessage:
    """The message to the reading room: who, when, and the pull list by container."""
    items = list(request.items.all())
    lines = [
        f"Request {request.pk} to {request.repository.name}",
        "",
        f"Name: {request.name}",
        f"Email: {request.email}",
        f"Visit date: {request.visit_date.isoformat()}",
    ]
    if request.notes:
        lines += ["Notes:", request.notes]
    lines.append("")
    for container, group in _by_container(items):
        first = group[0]
        where = container or "Not in a container"
        extra = ", ".join(p for p in (first.barcode, first.location) if p)
        lines.append(
            f"{first.collection_identifier or first.collection_title}: {where}"
            + (f" ({extra})" if extra else "")
        )
        for item in group:
            lines.append(f"  - {', '.join(p for p in (item.folder, item.title) if p)}")
            if item.access:
                lines.append(f"    Access: {item.access}")
    return EmailMessage(
        subject=f"Request {request.pk}: {len(items)} items for {request.visit_date.isoformat()}",
        body="\n".join(lines) + "\n",
        from_email=conf.request_from_email(),
        to=[settings.email_to],
        reply_to=[request.email],
    )


def _by_container(
    items: list[MaterialRequestItem],
) -> list[tuple[str, list[MaterialRequestItem]]]:
    groups: dict[tuple[object, ...], list[MaterialRequestItem]] = {}
    for item in items:
        key = (item.collection_id, item.container_text) if item.container_text else ("", item.pk)
        groups.setdefault(key, []).append(item)
    return [(group[0].container_text, group) for group in groups.values()]


# ----------------------------------------------------------------------------------- Aeon


@dataclass(frozen=True)
class AeonSubmission:
    """What the researcher's browser sends to Aeon: a link (GET) or a form post (POST)."""

    url: str
    method: str
    fields: list[tuple[str, str]]

    @property
    def link(self) -> str:
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}{urlencode(self.fields)}" if self.fields else self.url


def item_value(item: MaterialRequestItem, key: str, *, base_url: str = "") -> str:
    """One of ``ITEM_VALUES`` for a requested item."""
    if key == "url":
        return base_url + item.unit.get_absolute_url() if item.unit is not None else ""
    if key in ("dates", "identifier"):
        unit = item.unit
        if unit is None:
            return ""
        return unit.identifier if key == "identifier" else _dates(unit)
    if key == "ead_id":
        return item.collection.ead_id if item.collection is not None else ""
    if key == "container":
        return item.container_text
    return str(getattr(item, key, ""))


def _dates(unit: Component) -> str:
    return ", ".join(d.display for d in public_dates().filter(unit=unit) if d.display)


def request_value(request: MaterialRequest, key: str) -> str:
    """One of ``REQUEST_VALUES`` for the whole request."""
    if key == "reference":
        return str(request.pk)
    if key == "visit_date":
        return request.visit_date.isoformat()
    if key == "repository":
        return request.repository.name
    return str(getattr(request, key))


def aeon_submission(
    request: MaterialRequest, settings: RequestSettings, *, base_url: str = ""
) -> AeonSubmission | None:
    """The Aeon fields of a request as the repository's mapping names them, or ``None`` when
    Aeon is off or its address is not a web address.

    Fields come in name order. Request values are sent once. Item values are sent under the
    mapped name for a request of one item; for several, Aeon's multiple-request convention
    applies: a ``Request`` field per item (its number, 1, 2...) and each item field suffixed
    ``_<number>``.
    """
    url = safe_link(settings.aeon_url)
    if not (settings.aeon_enabled and url):
        return None
    # In field-name order: a JSON column keeps no key order on PostgreSQL (jsonb).
    mapping = {str(k): str(v) for k, v in sorted((settings.aeon_fields or {}).items())}
    fields = [
        (name, request_value(request, key))
        for name, key in mapping.items()
        if key in REQUEST_VALUES
    ]
    item_fields = [(name, key) for name, key in mapping.items() if key in ITEM_VALUES]
    items = list(request.items.select_related("unit__collection__repository", "collection"))
    single = len(items) == 1
    for number, item in enumerate(items, start=1):
        if not single:
            fields.append(("Request", str(number)))
        for name, key in item_fields:
            value = item_value(item, key, base_url=base_url)
            fields.append((name if single else f"{name}_{number}", value))
    return AeonSubmission(url=url, method=settings.aeon_method, fields=fields)


def request_deliver(request: MaterialRequest) -> list[str]:
    """Send the request by email if its repository asks for it; say how it went out.

    Aeon needs the researcher's browser (their Aeon sign-in), so it is not sent from here:
    the confirmation page offers :func:`aeon_submission`. Returns the channels used, also
    stored on the request (``delivered``).
    """
    settings = settings_of(request)
    channels: list[str] = []
    if settings is not None and settings.email_enabled and settings.email_to:
        try:
            request_email(request, settings).send(fail_silently=False)
        except (OSError, smtplib.SMTPException):
            # Stored all the same: staff find it in the admin, marked as not emailed.
            logger.exception("Request %s could not be emailed", request.pk)
            channels.append("email-failed")
        else:
            channels.append(f"email:{settings.email_to}")
    if settings is not None and settings.aeon_enabled and settings.aeon_url:
        channels.append("aeon")
    request.delivered = channels
    request.save(update_fields=["delivered", "updated"])
    return channels
