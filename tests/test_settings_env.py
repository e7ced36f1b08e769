"""config.settings reads the environment; each case loads it in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Prints the settings a test looks at, as JSON. Reading django.conf.settings imports
# config.settings without setting up the apps, so this works whatever state the models are in.
PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "PORT": str(db.get("PORT", "")),
    "USER": db.get("USER", ""),
    "OPTIONS": db.get("OPTIONS", {}),
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "TASKS_BACKEND": settings.TASKS["default"]["BACKEND"],
    "INSTALLED_APPS": settings.INSTALLED_APPS,
    "FONDS_CORPUS_DIR": str(settings.FONDS_CORPUS_DIR),
}))
"""


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` with config.settings and only the given variables (plus PATH) set."""
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        # A developer's local .env must not leak into what these tests observe.
        "FONDS_ENV_FILE": str(PROJECT_DIR / "no-such-env-file"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load(**env: str) -> dict:
    result = run_settings(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_settings(PROBE)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("debug", ["0", "false", "no", ""])
def test_debug_values_that_mean_off_still_require_a_key(debug):
    result = run_settings(PROBE, DJANGO_DEBUG=debug)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_starts_with_a_secret_key_and_debug_off():
    loaded = load(DJANGO_SECRET_KEY="a-key-for-this-test")
    assert loaded["DEBUG"] is False


def test_debug_on_needs_no_secret_key():
    assert load(DJANGO_DEBUG="1")["DEBUG"] is True


def test_default_database_is_sqlite_file_in_project_dir():
    loaded = load(DJANGO_SECRET_KEY="k")
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(loaded["NAME"]) == PROJECT_DIR / "db.sqlite3"
    assert loaded["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in loaded["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql():
    loaded = load(
        DJANGO_SECRET_KEY="k",
        DATABASE_URL="postgres://fonds_user:pw@db.example.org:5433/fonds",
    )
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["NAME"] == "fonds"
    assert loaded["HOST"] == "db.example.org"
    assert loaded["PORT"] == "5433"
    assert loaded["USER"] == "fonds_user"
    # The SQLite-only options must not leak into a PostgreSQL connection.
    assert "transaction_mode" not in loaded["OPTIONS"]


def test_sqlite_connection_runs_in_wal_mode(tmp_path):
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    print(c.fetchone()[0])\n"
    )
    result = run_settings(
        code, DJANGO_SECRET_KEY="k", DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_allowed_hosts_is_a_comma_separated_list():
    loaded = load(DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS=" archives.example.org, localhost ,")
    assert loaded["ALLOWED_HOSTS"] == ["archives.example.org", "localhost"]


def test_tasks_run_in_a_worker_unless_debug_is_on_or_immediate_is_asked_for():
    # DEBUG off (production): an upload is never imported inside the web request.
    production = load(DJANGO_SECRET_KEY="k")
    assert production["TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in production["INSTALLED_APPS"]
    # DEBUG on (`make run`): uploads import at once, no worker to start.
    assert load(DJANGO_DEBUG="1")["TASKS_BACKEND"] == (
        "django.tasks.backends.immediate.ImmediateBackend"
    )
    forced = load(DJANGO_SECRET_KEY="k", FONDS_TASKS_BACKEND="immediate")
    assert forced["TASKS_BACKEND"] == "django.tasks.backends.immediate.ImmediateBackend"
    database = load(DJANGO_DEBUG="1", FONDS_TASKS_BACKEND="database")
    assert database["TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_task_backend_paths_are_importable():
    code = (
        "from django.utils.module_loading import import_string\n"
        "import_string('django.tasks.backends.immediate.ImmediateBackend')\n"
        "import_string('django_tasks_db.DatabaseBackend')\n"
    )
    result = run_settings(code, DJANGO_SECRET_KEY="k")
    assert result.returncode == 0, result.stderr


def test_corpus_dir_follows_the_environment(tmp_path):
    loaded = load(DJANGO_SECRET_KEY="k", FONDS_CORPUS_DIR=str(tmp_path))
    assert Path(loaded["FONDS_CORPUS_DIR"]) == tmp_path.resolve()


def test_env_file_supplies_defaults_but_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# local settings\nDJANGO_SECRET_KEY='from-file'\nDJANGO_ALLOWED_HOSTS=a.example\n"
    )
    code = (
        "import json, django; from django.conf import settings; "
        "print(json.dumps([settings.SECRET_KEY, settings.ALLOWED_HOSTS]))"
    )
    result = run_settings(code, FONDS_ENV_FILE=str(env_file), DJANGO_ALLOWED_HOSTS="b.example")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["from-file", ["b.example"]]


# --- Security settings ---------------------------------------------------------------------

# What a production server sets (see the README's deployment section), with a key long and
# varied enough for the deploy check.
PRODUCTION = {
    "DJANGO_SECRET_KEY": "vT7q-Lk2sX9pRw4ZbN8mYc3HfJ6dGe1AuQ5oKi0EtWlMnBvCxSzDy_PaOr",
    "DJANGO_ALLOWED_HOSTS": "archives.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://archives.example.org",
    "DJANGO_HTTPS": "1",
}

SECURITY_PROBE = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SILENCED_SYSTEM_CHECKS", "FONDS_ADMIN_PATH",
    "FONDS_LOGIN_FAILURE_LIMIT", "FONDS_LOGIN_FAILURE_WINDOW",
)}))
"""


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy`, failing on warnings too, in a fresh interpreter."""
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    return run_settings(code, **env)


def test_deploy_check_reports_nothing_with_https_on():
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_deploy_check_names_what_is_missing_without_https():
    result = deploy_check(**{**PRODUCTION, "DJANGO_HTTPS": "0"})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output


def test_https_defaults_hsts_redirect_and_secure_cookies():
    loaded = load_security(**PRODUCTION)
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_REDIRECT_EXEMPT"] == []
    assert loaded["SESSION_COOKIE_SECURE"] is True and loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_HTTPONLY"] is True


def test_https_settings_follow_the_environment():
    loaded = load_security(
        **PRODUCTION,
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_SSL_REDIRECT="off",
        DJANGO_SSL_REDIRECT_EXEMPT=r"^healthz/$, ^status/$",
    )
    assert loaded["SECURE_HSTS_SECONDS"] == 3600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SILENCED_SYSTEM_CHECKS"] == []  # preload on: nothing to silence
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_REDIRECT_EXEMPT"] == [r"^healthz/$", r"^status/$"]


def test_turning_hsts_subdomains_off_is_reported_by_the_deploy_check():
    result = deploy_check(**PRODUCTION, DJANGO_HSTS_INCLUDE_SUBDOMAINS="0")
    assert result.returncode != 0
    assert "security.W005" in result.stdout + result.stderr


def test_without_https_there_is_no_hsts_or_redirect():
    loaded = load_security(DJANGO_SECRET_KEY="k")
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["CSRF_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("admin/", "admin/"), ("/staff", "staff/"), (" back-office/staff/ ", "back-office/staff/")],
)
def test_admin_path_is_read_and_normalised(value, expected):
    assert load_security(DJANGO_SECRET_KEY="k", FONDS_ADMIN_PATH=value)["FONDS_ADMIN_PATH"] == (
        expected
    )


def test_admin_path_defaults_to_admin():
    assert load_security(DJANGO_SECRET_KEY="k")["FONDS_ADMIN_PATH"] == "admin/"


@pytest.mark.parametrize("value", ["/", "a//b", "staff office", "<script>", "x?y"])
def test_a_bad_admin_path_is_refused_with_a_clear_message(value):
    result = run_settings(SECURITY_PROBE, DJANGO_SECRET_KEY="k", FONDS_ADMIN_PATH=value)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: FONDS_ADMIN_PATH")
    assert repr(value) in last_line


def test_sign_in_limits_follow_the_environment():
    loaded = load_security(
        DJANGO_SECRET_KEY="k", FONDS_LOGIN_FAILURE_LIMIT="10", FONDS_LOGIN_FAILURE_WINDOW="60"
    )
    assert (loaded["FONDS_LOGIN_FAILURE_LIMIT"], loaded["FONDS_LOGIN_FAILURE_WINDOW"]) == (10, 60)
    defaults = load_security(DJANGO_SECRET_KEY="k")
    assert (defaults["FONDS_LOGIN_FAILURE_LIMIT"], defaults["FONDS_LOGIN_FAILURE_WINDOW"]) == (
        5,
        900,
    )


@pytest.mark.parametrize("value", ["five", "-1", "2.5"])
def test_a_bad_number_is_refused_with_a_clear_message(value):
    result = run_settings(SECURITY_PROBE, DJANGO_SECRET_KEY="k", FONDS_LOGIN_FAILURE_LIMIT=value)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: FONDS_LOGIN_FAILURE_LIMIT must be"
    )


def load_security(**env: str) -> dict:
    result = run_settings(SECURITY_PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
