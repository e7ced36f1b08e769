from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from archive.search import signals  # noqa: F401  (keeps the search index current)
        from archive.services import changes

        changes.connect()  # keeps Collection.content_changed current
