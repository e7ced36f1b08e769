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


def test_tasks_run_immediately_unless_the_database_backend_is_asked_for():
    assert load(DJANGO_SECRET_KEY="k")["TASKS_BACKEND"] == (
        "django.tasks.backends.immediate.ImmediateBackend"
    )
    database = load(DJANGO_SECRET_KEY="k", FONDS_TASKS_BACKEND="database")
    assert database["TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in database["INSTALLED_APPS"]


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
