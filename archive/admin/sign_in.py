"""The admin's sign-in form, with the sign-in throttle of ``archive.sign_in`` in front."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from archive import sign_in


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """Refuses a locked-out username before its password is checked; counts wrong passwords."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        # The admin's login view always passes the request; a form built without one (no
        # address known) is still throttled by username.
        request = self.request
        address = sign_in.client_address(request) if request is not None else "unknown"
        wait = sign_in.sign_in_lockout(username=username, address=address)
        if wait:
            raise ValidationError(sign_in.lockout_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            # No user: a wrong username or password. (A right password for an inactive or
            # non-staff account is refused by Django's own message and not counted.)
            if self.user_cache is None:
                wait = sign_in.sign_in_failed(username=username, address=address)
                if wait:
                    raise ValidationError(sign_in.lockout_message(wait), code="throttled") from None
            raise
        sign_in.sign_in_succeeded(username=username, address=address)
        return cleaned


admin.site.login_form = ThrottledAdminAuthenticationForm
