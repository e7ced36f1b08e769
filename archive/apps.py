from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.tasks.signals import task_started

        from archive import checks  # noqa: F401  (registers the fonds.* system checks)
        from archive.search import signals  # noqa: F401  (keeps the search index current)
        from archive.services import changes
        from archive.tasks import import_jobs_reap_on_task_start

        changes.connect()  # keeps Collection.content_changed current

        # A task worker that starts a task (one restarted after a crash, say) first fails the
        # import jobs whose worker died.
        task_started.connect(import_jobs_reap_on_task_start, dispatch_uid="fonds-import-reap")
