"""The JSON API under ``/api/``: a thin layer over selectors, services, visibility and permissions.

Built with django-ninja, which derives the OpenAPI 3 document (``/api/openapi.json``) and the
browsable docs (``/api/docs``) from the typed Pydantic schemas in ``archive.api.schemas``. Each
resource family has its router module; none holds a rule of its own about who sees what:

- without a token, a read sees what the public site shows (``archive.visibility``);
- with a personal token (``Authorization: Bearer ...``), the token's user sees and changes
  what their repository roles allow (``archive.permissions``), and the public view elsewhere.
"""
