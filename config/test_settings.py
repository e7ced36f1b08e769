"""Settings for the test suite: the real settings with a fixed key and fast, local defaults.

The database still comes from DATABASE_URL, so `DATABASE_URL=postgres://... pytest` runs the
same suite on PostgreSQL (Django creates and drops test_<name>).
"""

import os
import tempfile
from pathlib import Path

# settings.py refuses to load with DEBUG off and no key; the suite runs with DEBUG off on purpose
# (as production does), so provide a key before importing it.
os.environ.setdefault("DJANGO_SECRET_KEY", "fonds-test-suite-key-not-secret")

from .settings import *  # noqa: E402,F403
from .settings import LOGGING  # noqa: E402

DEBUG = False
SECRET_KEY = "fonds-test-suite-key-not-secret"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Immediate tasks with DEBUG off is what fonds.W001 warns about; here it is deliberate.
SILENCED_SYSTEM_CHECKS = ["fonds.W001"]
# Uploads of this run in a folder of its own: reaping leftover upload folders must never
# touch a developer's media/imports (job numbers of the test database are not theirs).
FONDS_IMPORT_DIR = Path(tempfile.gettempdir()) / f"fonds-test-imports-{os.getpid()}"

# No collectstatic before tests: plain storage, and WhiteNoise looks files up in the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "ERROR"}}
