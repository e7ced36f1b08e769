"""The Django admin of Fonds: every archival record editable by the staff of its repository.

Modules: ``base`` (repository scoping, stale-edit refusal), ``units`` (collections,
components, notes), ``outline_views`` (the outline editor), ``authorities`` (agents,
subjects, merging), ``repositories`` (repositories, staff, containers, digital objects),
``quality`` (date rules and the DACS checklist). The import and export pages live in
``imports`` and ``exports``.
"""

from archive.admin import authorities, repositories, units  # noqa: F401

try:  # the import engineer's module: Import EAD page and the ImportJob admin
    from archive.admin import imports  # noqa: F401
except ImportError:  # not written yet
    pass
