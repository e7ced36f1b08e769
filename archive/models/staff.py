from django.conf import settings
from django.db import models


class RepositoryMembership(models.Model):
    """A staff member's role in one repository: what they may see and do in the admin.

    Records of a repository (its collections, their components and everything attached to
    them) are visible only to its members and to superusers. Agents and subjects are shared.
    """

    class Role(models.TextChoices):
        # Ordered from most to least powerful; ``archive.permissions`` relies on the order.
        MANAGER = "manager", "Manager"
        ARCHIVIST = "archivist", "Archivist"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="repository_memberships"
    )
    repository = models.ForeignKey(
        "archive.Repository", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ARCHIVIST)

    class Meta:
        ordering = ["repository", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "repository"], name="repositorymembership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.repository}"
