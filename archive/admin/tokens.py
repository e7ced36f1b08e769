"""Admin for personal API tokens: each staff member makes and revokes their own.

The secret is shown once, in the message after the token is made; only its digest is kept, so
a lost token is revoked and replaced, never recovered. Superusers see (and may revoke) every
token, to shut out a script quickly.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from archive import permissions
from archive.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "hint", "user", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    fields = ["name"]
    readonly_fields = ["hint", "created", "last_used", "revoked"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        qs = super().get_queryset(request).select_related("user")
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("name",) if obj is None else ("name", "hint", "created", "last_used", "revoked")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return self._own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.is_member(request.user)

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return self._own(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return self._own(request, obj)

    @staticmethod
    def _own(request: HttpRequest, obj: ApiToken | None) -> bool:
        """Members reach their own tokens; superusers every token."""
        if not permissions.is_member(request.user):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        user = request.user
        if not user.is_authenticated:  # (the admin lets no one else this far)
            raise PermissionDenied
        token, secret = ApiToken.issue(user=user, name=obj.name)
        obj.pk, obj.digest, obj.hint = token.pk, token.digest, token.hint
        self.message_user(
            request,
            f"Your new API token is {secret} — copy it now: it will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token.revoke()
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
