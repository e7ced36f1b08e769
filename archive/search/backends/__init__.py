"""One full-text backend per database vendor, chosen from the connection in use."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from archive.search.backends.base import SearchBackend


def get_backend() -> SearchBackend:
    """The backend module for the default connection (``postgresql`` or ``sqlite``); each
    module provides :class:`~archive.search.backends.base.SearchBackend`."""
    vendor = connection.vendor
    if vendor == "postgresql":
        from archive.search.backends import postgres

        return postgres
    if vendor == "sqlite":
        from archive.search.backends import sqlite

        return sqlite
    raise ImproperlyConfigured(f"Fonds search supports PostgreSQL and SQLite, not {vendor}")
