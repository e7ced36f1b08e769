"""The Django admin of Fonds: every archival record editable by the staff of its repository.

Modules: ``base`` (repository scoping, stale-edit refusal), ``units`` (collections, and the
inlines and actions their units share), ``components`` (components, notes),
``outline_views`` (the outline editor), ``authorities`` (agents, subjects, merging),
``repositories`` (repositories, staff, containers, digital objects),
``quality`` (date rules and the DACS checklist). The import and export pages live in
``imports`` and ``exports``; ``sign_in`` puts the sign-in throttle on the login page.
"""

# The import engineer's module keeps its own line (Import EAD page, ImportJob admin).
from archive.admin import imports  # noqa: F401, I001
from archive.admin import authorities, components, repositories, sign_in, tokens, units  # noqa: F401
from archive.admin import requests  # noqa: F401
