"""Django settings for Fonds.

Everything that differs between a laptop and a server comes from the environment, so the same
file serves `make run`, the test suite and a multi-worker PostgreSQL deployment:

    DATABASE_URL            database (default: SQLite file db.sqlite3 next to manage.py)
    DJANGO_SECRET_KEY       required unless DJANGO_DEBUG is on
    DJANGO_DEBUG            "1"/"true"/"yes"/"on" turns debug on (default off)
    DJANGO_ALLOWED_HOSTS    comma-separated host names
    DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://archives.example.org
    FONDS_TASKS_BACKEND     "database": tasks run in a `manage.py db_worker` process (the
                            default with DEBUG off); "immediate": at once, inside the
                            request (the default with DEBUG on, e.g. `make run`)
    FONDS_MAX_UPLOAD_MB     largest EAD file the admin accepts, in MB (default 200)
    FONDS_IMPORT_LEASE_SECONDS  a running import with no sign of life for this long lost its
                            worker and is marked failed (default 300)
    DJANGO_MEDIA_ROOT       uploaded files, e.g. EAD files queued for import (default: media/)
    FONDS_CORPUS_DIR        directory of real-world EAD files used by the tests
    FONDS_SCHEMA_DIR        directory of the official EAD 2002 / EAD3 / EAC-CPF schemas
    FONDS_EXPORT_CACHE_DIR  validated exports kept until their collection changes (default:
                            media/exports); shared by every web worker
"""

import base64
import hashlib
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def load_env_file(path: Path) -> None:
    """Read ``NAME=value`` lines from a local ``.env`` file as defaults for the environment.

    ``make venv`` writes one holding a random DJANGO_SECRET_KEY, so management commands work on
    a developer's machine without exporting anything. Real environment variables always win,
    and a server without the file behaves exactly as configured by its environment.
    """
    if not path.is_file():
        return
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        os.environ.setdefault(name.strip(), value.strip().strip("'\""))


load_env_file(Path(os.environ.get("FONDS_ENV_FILE", BASE_DIR / ".env")))

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off. Set DJANGO_SECRET_KEY to a "
            "long random string for any shared or production server (for example the output "
            "of: python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
            "DJANGO_DEBUG=1 for local development only."
        )
    # Only reachable with DEBUG on: a fixed key is fine for a laptop and nothing else.
    SECRET_KEY = "django-insecure-fonds-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its templates, for /sitemap.xml (archive/sitemaps.py)
    "django_filters",
    "treebeard",
    "simple_history",
    "django_tasks_db",  # app label "django_tasks_database"
    "ninja",  # the API docs page served with its own static files, not from a CDN
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policy too (see "Security headers" below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # csp_nonce for {% csp_nonce_attr %}, which the Django admin's templates use.
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN, so two writers queue on busy_timeout instead of failing with "database is locked"
    # halfway through a transaction. Django runs each init_command statement on connect.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Demo data (`manage.py loaddata demo`) and small EAD samples live in the top-level fixtures/.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Tasks (Django 6 tasks framework) ---------------------------------------------------------

TASK_BACKENDS = {
    # Stored in the database and run by `manage.py db_worker` (django-tasks-db): an import
    # never holds a web worker, however large the file.
    "database": "django_tasks_db.DatabaseBackend",
    # Run at once, in the process that enqueued them: no worker to start. For development
    # (uploads import while you wait) and tests; the check fonds.W001 warns with DEBUG off.
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("FONDS_TASKS_BACKEND", "").strip().lower()
if not _tasks_backend:
    _tasks_backend = "immediate" if DEBUG else "database"
if _tasks_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"FONDS_TASKS_BACKEND is {_tasks_backend!r}; use one of: {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_tasks_backend]}}

# --- Uploads -------------------------------------------------------------------------------------


def env_number(name: str) -> float | None:
    """A positive number from the environment, or None when the variable is not set."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ImproperlyConfigured(f"{name} is {value!r}; give a positive number.")
    return number


# Django's own limits, spelled out: an uploaded file larger than 2.5 MB is streamed to a
# temporary file on disk (never held in memory), and the non-file part of a request body may
# not exceed 2.5 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Fonds' upload and import-job settings; unset ones keep the defaults in archive/conf.py:
#   FONDS_MAX_UPLOAD_MB (200): the largest EAD file the admin's "Import EAD" page accepts.
#     Well above the largest finding aids institutions publish (tens of MB for the very
#     largest; the biggest file in the test corpus is 3 MB) and low enough to bound an
#     upload's disk use and import time (a 211 MB file takes about 70 s to import). Larger
#     files are imported on the server with `manage.py import_ead`, which has no limit. Give
#     the proxy the same limit (nginx: client_max_body_size) so it refuses bigger bodies
#     before they reach Django.
#   FONDS_IMPORT_HEARTBEAT_SECONDS (10): how often a running import records a sign of life.
#   FONDS_IMPORT_LEASE_SECONDS (300): a running import silent this long lost its worker
#     (killed, out of memory, machine restarted) and is marked failed.
if (_max_upload_mb := env_number("FONDS_MAX_UPLOAD_MB")) is not None:
    FONDS_MAX_UPLOAD_MB = _max_upload_mb
if (_heartbeat := env_number("FONDS_IMPORT_HEARTBEAT_SECONDS")) is not None:
    FONDS_IMPORT_HEARTBEAT_SECONDS = _heartbeat
if (_lease := env_number("FONDS_IMPORT_LEASE_SECONDS")) is not None:
    FONDS_IMPORT_LEASE_SECONDS = _lease

# --- Auth ----------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files (EAD files waiting for their import job). On several machines, point this at
# storage every web worker and task worker shares.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files served by WhiteNoise; needs `manage.py collectstatic` when
    # DEBUG is off (with DEBUG on, templates get the plain names).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers (every response) ------------------------------------------------------


def env_whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be zero or more, not {number}.")
    return number


def admin_path(value: str) -> str:
    """The admin's URL prefix as path() wants it: "staff/" for "staff", "/staff" or "staff/"."""
    cleaned = value.strip().strip("/")
    if not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", cleaned):
        raise ImproperlyConfigured(
            f"FONDS_ADMIN_PATH must be a path of letters, digits, '-', '_', '.' and '/' such as "
            f"admin/ or staff/office/, not {value!r} (the public site itself answers at /)."
        )
    return cleaned + "/"


def csp_hash(source: str) -> str:
    """A CSP hash source for one exact inline text (e.g. a style attribute's value)."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


# No script or style on our pages is inline, so scripts load only from this site: an injected
# <script> or on...= handler does not run. Styles: our own come from stylesheets only (classes,
# never style attributes). The Django admin's templates mark their one inline <style> (a change
# list without actions) with a nonce, so style-src takes the nonce as well; Django makes a nonce
# only for pages that ask for one, so public pages keep one fixed header. The one style
# attribute let in, by its hash, is django-simple-history's on its history page paginator;
# any other style attribute is refused. 'unsafe-inline' appears nowhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_HASHES, csp_hash("border-top: 0")],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Readers' paths through the catalogue (and the staff path) are not sent to other sites.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No script of ours reads the CSRF cookie: forms carry {% csrf_token %}.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True

# --- Mail (requests for material go to each repository's reading-room address) -----------
#
#   DJANGO_EMAIL_HOST       SMTP server (default localhost); with DJANGO_DEBUG=1 and no host,
#                           messages are printed on the console instead of sent
#   DJANGO_EMAIL_PORT       its port (default 25)
#   DJANGO_EMAIL_USER, DJANGO_EMAIL_PASSWORD, DJANGO_EMAIL_TLS (STARTTLS, default off)
#   DJANGO_DEFAULT_FROM_EMAIL  the sender of Fonds' messages

EMAIL_HOST_NAME = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
MAILERS: dict[str, dict[str, object]]
if DEBUG and not EMAIL_HOST_NAME:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST_NAME or "localhost",
                "port": env_whole_number("DJANGO_EMAIL_PORT", 25),
                "username": os.environ.get("DJANGO_EMAIL_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_TLS"),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "") or "webmaster@localhost"

# --- Security behind HTTPS -----------------------------------------------------------------
#
#   DJANGO_HTTPS                    the site is served over HTTPS only (behind a TLS proxy)
#   DJANGO_HSTS_SECONDS             Strict-Transport-Security max-age (default one year)
#   DJANGO_HSTS_INCLUDE_SUBDOMAINS  add includeSubDomains (default on)
#   DJANGO_HSTS_PRELOAD             add preload (default off)
#   DJANGO_SSL_REDIRECT             redirect plain HTTP to HTTPS (default on)
#   DJANGO_SSL_REDIRECT_EXEMPT      comma-separated path regexes answered over plain HTTP too,
#                                   e.g. ^healthz/$ for a load balancer's health check

if env_bool("DJANGO_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_whole_number("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # "preload" asks browser makers to hard-code HTTPS for the whole domain, for years;
        # that is the domain owner's decision, taken with DJANGO_HSTS_PRELOAD=1, so the deploy
        # check's reminder to send it is silenced while it is off.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # With a proxy that redirects by itself, DJANGO_SSL_REDIRECT=0 turns this off.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = env_list("DJANGO_SSL_REDIRECT_EXEMPT")

# --- Sign-in throttling and the admin's address ----------------------------------------------

# After FONDS_LOGIN_FAILURE_LIMIT failed sign-ins for one username from one address within
# FONDS_LOGIN_FAILURE_WINDOW seconds, that username is refused from that address for the same
# time (archive/sign_in.py). Counts live in Django's cache (FONDS_LOGIN_THROTTLE_CACHE).
FONDS_LOGIN_FAILURE_LIMIT = env_whole_number("FONDS_LOGIN_FAILURE_LIMIT", 5)
FONDS_LOGIN_FAILURE_WINDOW = env_whole_number("FONDS_LOGIN_FAILURE_WINDOW", 15 * 60)
FONDS_LOGIN_THROTTLE_CACHE = os.environ.get("FONDS_LOGIN_THROTTLE_CACHE", "default").strip()
# The request header (a request.META key) holding the client's address when a proxy sits in
# front, e.g. HTTP_X_FORWARDED_FOR; its last entry is used. Empty: REMOTE_ADDR.
FONDS_CLIENT_ADDRESS_HEADER = os.environ.get("FONDS_CLIENT_ADDRESS_HEADER", "").strip()

FONDS_ADMIN_PATH = admin_path(os.environ.get("FONDS_ADMIN_PATH", "admin/"))

# --- Logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "archive": {
            "handlers": ["console"],
            "level": os.environ.get("FONDS_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# --- Fonds ---------------------------------------------------------------------------------

FONDS_CORPUS_DIR = Path(
    os.environ.get("FONDS_CORPUS_DIR", BASE_DIR.parent / "shared" / "corpus" / "ead")
).resolve()
FONDS_SCHEMA_DIR = Path(
    os.environ.get("FONDS_SCHEMA_DIR", BASE_DIR.parent / "shared" / "schemas")
).resolve()
# Validated exports; unset ones keep the defaults in archive/conf.py:
#   FONDS_EXPORT_CACHE_DIR (MEDIA_ROOT/exports): validated exports kept per collection, format
#     and audience until the collection changes. Every web worker must see the same directory.
#   FONDS_EXPORT_LOCK_TIMEOUT (600): seconds a request waits for another one building the
#     same export before answering 503.
if os.environ.get("FONDS_EXPORT_CACHE_DIR", "").strip():
    FONDS_EXPORT_CACHE_DIR = Path(os.environ["FONDS_EXPORT_CACHE_DIR"].strip())
if (_export_lock := env_number("FONDS_EXPORT_LOCK_TIMEOUT")) is not None:
    FONDS_EXPORT_LOCK_TIMEOUT = _export_lock

# Crawlers (archive/sitemaps.py):
#   FONDS_ROBOTS_DISALLOW_ALL (off): /robots.txt keeps every crawler out (a staging site).
#   FONDS_ROBOTS_TXT (unset): a file whose text is served as /robots.txt instead of ours.
#   FONDS_SITEMAP_LIMIT (50000): URLs per sitemap file (the protocol's own limit by default).
FONDS_ROBOTS_DISALLOW_ALL = env_bool("FONDS_ROBOTS_DISALLOW_ALL")
FONDS_ROBOTS_TXT = os.environ.get("FONDS_ROBOTS_TXT", "").strip()
FONDS_SITEMAP_LIMIT = max(1, min(50_000, env_whole_number("FONDS_SITEMAP_LIMIT", 50_000)))
