"""The admin's "View on site" redirect, asked of ``permissions`` first.

Django's ``/admin/r/<content type>/<id>/`` sends any staff member to the public address of
any object, which names the repository code, EAD id and component id of records they may not
see (an unpublished series of another repository). This view answers exactly as for an id
that names nothing unless :func:`archive.permissions.can_view` allows the record, then leaves
the redirect to Django's own view.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from archive import permissions


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        obj = model._default_manager.filter(pk=object_id).first() if model else None
    except (ContentType.DoesNotExist, ValueError, TypeError, ValidationError):
        obj = None  # unknown type, or an id malformed for the key's type ("abc")
    if obj is None:
        raise Http404("No such object")
    if obj._meta.app_label == "archive" and not permissions.can_view(request.user, obj):
        raise Http404("No such object")
    return shortcut(request, content_type_id, object_id)


# Wrapped like the admin's own views: staff sign-in required, never cached.
view_on_site_view = admin.site.admin_view(view_on_site)
