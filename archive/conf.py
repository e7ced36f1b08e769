"""Fonds' own settings (``FONDS_*``) with their defaults, read when used: every one that
``archive`` reads is declared here.

Set any of them in the Django settings (``config/settings.py``) to change it; read them here,
as ``conf.import_max_unit_bytes()``, never with ``getattr(settings, ...)`` scattered about.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings

#: The most bytes of an EAD file the description of one unit may take (the collection's
#: description or one component's, without its child components; or the header). The
#: reader counts bytes as the parser reads them and refuses a file past this, naming the
#: line, so an import holds at most about this much of a file's text at once (a few times
#: over while mapping it). Real finding aids stay far below: their longest notes are tens of
#: kilobytes.
IMPORT_MAX_UNIT_BYTES = 16 * 1024 * 1024


def import_max_unit_bytes() -> int:
    """``FONDS_IMPORT_MAX_UNIT_BYTES``, default :data:`IMPORT_MAX_UNIT_BYTES`."""
    return int(getattr(settings, "FONDS_IMPORT_MAX_UNIT_BYTES", IMPORT_MAX_UNIT_BYTES))


#: The largest EAD file, in MB, the admin's "Import EAD" page accepts (per file). Well above
#: the largest finding aids institutions publish (tens of MB at most), low enough that an
#: upload's disk use and import time stay bounded. ``manage.py import_ead`` has no limit.
MAX_UPLOAD_MB = 200

#: Seconds between two heartbeats of a running import job.
IMPORT_HEARTBEAT_SECONDS = 10

#: Seconds without a heartbeat after which a running import job's worker counts as stopped.
IMPORT_LEASE_SECONDS = 300


def max_upload_mb() -> float:
    """``FONDS_MAX_UPLOAD_MB``, default :data:`MAX_UPLOAD_MB`."""
    return float(getattr(settings, "FONDS_MAX_UPLOAD_MB", MAX_UPLOAD_MB))


def import_heartbeat_seconds() -> float:
    """``FONDS_IMPORT_HEARTBEAT_SECONDS``, default :data:`IMPORT_HEARTBEAT_SECONDS`."""
    return float(getattr(settings, "FONDS_IMPORT_HEARTBEAT_SECONDS", IMPORT_HEARTBEAT_SECONDS))


def import_lease_seconds() -> float:
    """``FONDS_IMPORT_LEASE_SECONDS``, default :data:`IMPORT_LEASE_SECONDS`."""
    return float(getattr(settings, "FONDS_IMPORT_LEASE_SECONDS", IMPORT_LEASE_SECONDS))


def import_dir() -> str | None:
    """``FONDS_IMPORT_DIR``: where uploads wait for their import job (None: under MEDIA_ROOT)."""
    value = getattr(settings, "FONDS_IMPORT_DIR", None)
    return str(value) if value else None


#: Seconds a request for an export waits while another one builds the same file, before it
#: answers 503 ("being prepared, try again"). A 100,000-component export with its validation
#: takes well under a minute.
EXPORT_LOCK_TIMEOUT = 600


def export_cache_dir() -> Path:
    """``FONDS_EXPORT_CACHE_DIR``: where validated exports are kept (default under MEDIA_ROOT)."""
    value = getattr(settings, "FONDS_EXPORT_CACHE_DIR", None)
    return Path(value) if value else Path(settings.MEDIA_ROOT) / "exports"


def export_lock_timeout() -> float:
    """``FONDS_EXPORT_LOCK_TIMEOUT``, default :data:`EXPORT_LOCK_TIMEOUT`."""
    return float(getattr(settings, "FONDS_EXPORT_LOCK_TIMEOUT", EXPORT_LOCK_TIMEOUT))


#: Finding aids with at most this many components get their PDF built inside the request
#: that asks for it (a few seconds); larger ones are built by a background task while the
#: link's page says that the PDF is being prepared.
PDF_DIRECT_COMPONENTS = 1000

#: The most units a PDF's contents list holds. Above it the list keeps the levels that fit
#: (series always) and says so: a PDF's layout is held in memory whole while it is written.
PDF_MAX_COMPONENTS = 20000


def pdf_direct_components() -> int:
    """``FONDS_PDF_DIRECT_COMPONENTS``, default :data:`PDF_DIRECT_COMPONENTS`."""
    return int(getattr(settings, "FONDS_PDF_DIRECT_COMPONENTS", PDF_DIRECT_COMPONENTS))


def pdf_max_components() -> int:
    """``FONDS_PDF_MAX_COMPONENTS``, default :data:`PDF_MAX_COMPONENTS`."""
    return int(getattr(settings, "FONDS_PDF_MAX_COMPONENTS", PDF_MAX_COMPONENTS))


#: Records per OAI-PMH ListIdentifiers response, and per ListRecords response in ``oai_dc``;
#: a resumption token asks for the next page.
OAI_PAGE_SIZE = 50

#: Seconds a resumption token stays valid after it was issued (stated in its
#: ``expirationDate``); an older token gets ``badResumptionToken``.
OAI_TOKEN_SECONDS = 24 * 60 * 60

#: ``repositoryName`` of the OAI-PMH Identify response.
OAI_REPOSITORY_NAME = "Fonds"


#: Records per ListRecords response in an EAD format (``oai_ead``, ``ead3``). One, because
#: an XML document may hold each ``xs:ID`` value once and finding aids reuse the same ids
#: ("ser1", "ref12"): two finding aids in one response would make it schema-invalid. A page
#: of one also keeps a response's size to one finding aid.
OAI_EAD_PAGE_SIZE = 1


def oai_ead_page_size() -> int:
    """``FONDS_OAI_EAD_PAGE_SIZE``, default :data:`OAI_EAD_PAGE_SIZE` (at least 1)."""
    return max(1, int(getattr(settings, "FONDS_OAI_EAD_PAGE_SIZE", OAI_EAD_PAGE_SIZE)))


def oai_page_size() -> int:
    """``FONDS_OAI_PAGE_SIZE``, default :data:`OAI_PAGE_SIZE` (at least 1)."""
    return max(1, int(getattr(settings, "FONDS_OAI_PAGE_SIZE", OAI_PAGE_SIZE)))


def oai_token_seconds() -> int:
    """``FONDS_OAI_TOKEN_SECONDS``, default :data:`OAI_TOKEN_SECONDS`."""
    return max(1, int(getattr(settings, "FONDS_OAI_TOKEN_SECONDS", OAI_TOKEN_SECONDS)))


def oai_repository_name() -> str:
    """``FONDS_OAI_REPOSITORY_NAME``, default :data:`OAI_REPOSITORY_NAME`."""
    return str(getattr(settings, "FONDS_OAI_REPOSITORY_NAME", "") or OAI_REPOSITORY_NAME)


def oai_namespace() -> str:
    """``FONDS_OAI_NAMESPACE``: the namespace-identifier of OAI identifiers (``oai:NS:...``).

    It must be a domain name (letters, digits and hyphens, at least one dot). Default: the
    first such host of ``ALLOWED_HOSTS``, else ``fonds.local``. Identifiers are only stable
    while it stays the same: set it once for a production site.
    """
    value = getattr(settings, "FONDS_OAI_NAMESPACE", "")
    if value:
        return str(value)
    from archive.oai.identifiers import is_namespace

    for host in getattr(settings, "ALLOWED_HOSTS", []):
        if is_namespace(host):
            return str(host)
    return "fonds.local"


def oai_admin_email() -> str:
    """``FONDS_OAI_ADMIN_EMAIL``: ``adminEmail`` of Identify. Default: the first of
    ``ADMINS``, else ``archivist@`` the namespace."""
    value = getattr(settings, "FONDS_OAI_ADMIN_EMAIL", "")
    if value:
        return str(value)
    for admin in getattr(settings, "ADMINS", []):
        email = admin[1] if isinstance(admin, tuple | list) else admin
        if email:
            return str(email)
    return f"archivist@{oai_namespace()}"


#: Failed sign-ins for one username from one client address, within the window below,
#: after which that username is refused from that address for the window's length.
LOGIN_FAILURE_LIMIT = 5

#: Seconds over which failed sign-ins are counted (and the length of the refusal).
LOGIN_FAILURE_WINDOW = 15 * 60


def login_failure_limit() -> int:
    """``FONDS_LOGIN_FAILURE_LIMIT``, default :data:`LOGIN_FAILURE_LIMIT`."""
    return int(getattr(settings, "FONDS_LOGIN_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT))


def login_failure_window() -> int:
    """``FONDS_LOGIN_FAILURE_WINDOW``, default :data:`LOGIN_FAILURE_WINDOW`."""
    return int(getattr(settings, "FONDS_LOGIN_FAILURE_WINDOW", LOGIN_FAILURE_WINDOW))


def login_throttle_cache() -> str:
    """``FONDS_LOGIN_THROTTLE_CACHE``: the cache alias counting failed sign-ins (default
    ``"default"``; shared between processes only if that cache is)."""
    return str(getattr(settings, "FONDS_LOGIN_THROTTLE_CACHE", "default") or "default")


def client_address_header() -> str:
    """``FONDS_CLIENT_ADDRESS_HEADER``: the ``request.META`` key a trusted proxy fills with
    the client's address (e.g. ``HTTP_X_FORWARDED_FOR``); empty: ``REMOTE_ADDR``."""
    return str(getattr(settings, "FONDS_CLIENT_ADDRESS_HEADER", "") or "")


def today_pinned() -> str | date | None:
    """``FONDS_TODAY``: a date (or ISO date text) that "On this day" takes for today, for
    demos and tests; None (the default): the real date."""
    value = getattr(settings, "FONDS_TODAY", None)
    return value if isinstance(value, str | date) and value else None


def schema_dir() -> Path:
    """``FONDS_SCHEMA_DIR``: the folder of the official EAD 2002 and EAD3 schemas that
    exports are validated against (default: ``../shared/schemas`` beside the project)."""
    value = getattr(settings, "FONDS_SCHEMA_DIR", None)
    return Path(value) if value else Path(settings.BASE_DIR).parent / "shared" / "schemas"


#: The most components one researcher's request list may hold.
REQUEST_MAX_ITEMS = 200

#: Request submissions accepted from one client address within the window below; more are
#: answered 429 until the window ends. 0 turns the limit off.
REQUEST_RATE_LIMIT = 5

#: Seconds over which request submissions are counted.
REQUEST_RATE_WINDOW = 60 * 60


def request_max_items() -> int:
    """``FONDS_REQUEST_MAX_ITEMS``, default :data:`REQUEST_MAX_ITEMS`."""
    return int(getattr(settings, "FONDS_REQUEST_MAX_ITEMS", REQUEST_MAX_ITEMS))


def request_rate_limit() -> int:
    """``FONDS_REQUEST_RATE_LIMIT``, default :data:`REQUEST_RATE_LIMIT`."""
    return int(getattr(settings, "FONDS_REQUEST_RATE_LIMIT", REQUEST_RATE_LIMIT))


def request_rate_window() -> int:
    """``FONDS_REQUEST_RATE_WINDOW``, default :data:`REQUEST_RATE_WINDOW`."""
    return int(getattr(settings, "FONDS_REQUEST_RATE_WINDOW", REQUEST_RATE_WINDOW))


def request_from_email() -> str:
    """``FONDS_REQUEST_FROM_EMAIL``: the sender of request emails (default
    ``DEFAULT_FROM_EMAIL``)."""
    value = getattr(settings, "FONDS_REQUEST_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    return str(value)
