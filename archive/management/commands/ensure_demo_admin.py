"""``manage.py ensure_demo_admin``: a local superuser for trying Fonds out.

Creates the account with a random password and prints the password once, so the README's
run command can be repeated safely: a second run finds the account and leaves it alone
(it never resets a password someone may have changed). For a real server create named
accounts with ``createsuperuser`` instead.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction


class Command(BaseCommand):
    help = (
        "Create a local superuser (default 'admin') with a random password printed once; "
        "if the account exists, leave it unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="Account name (default: admin)")
        parser.add_argument("--email", default="", help="E-mail address (optional)")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        username = username.strip()
        if not username:
            raise CommandError("--username must not be empty.")
        User = get_user_model()
        lookup = {User.USERNAME_FIELD: username}
        if User._default_manager.filter(**lookup).exists():
            self._report_existing(username)
            return
        # 18 random bytes: 24 URL-safe characters, easy to paste, far beyond guessing.
        password = secrets.token_urlsafe(18)
        try:
            with transaction.atomic():
                User._default_manager.create_superuser(
                    **lookup, email=email.strip(), password=password
                )
        except IntegrityError:
            # Another process created it between our check and our insert.
            self._report_existing(username)
            return
        self.stdout.write(
            f"Admin account: {username} / {password} (shown once; change it in the admin)"
        )

    def _report_existing(self, username: str) -> None:
        self.stdout.write(
            f"Admin account '{username}' already exists; its password was not changed. "
            f"To set a new one: python manage.py changepassword {username}"
        )
