from django.db import models
from simple_history.models import HistoricalRecords


class Repository(models.Model):
    """An institution (or a unit of one) that holds collections.

    ``code`` is our own short key, used in URLs and on the command line; ``agency_code`` is the
    ISIL or MARC organisation code that EAD carries in ``@mainagencycode``/``<agencycode>``.
    """

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    parent_institution = models.CharField(max_length=255, blank=True)
    address = models.TextField(blank=True, help_text="Postal address, one line per line.")
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=64, blank=True)
    agency_code = models.CharField(
        "ISIL / agency code", max_length=64, blank=True, help_text="e.g. US-CtY-BR"
    )
    country_code = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, e.g. US"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("archive:repository", kwargs={"code": self.code})
