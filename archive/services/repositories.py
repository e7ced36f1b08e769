"""Which repository a file names: agency codes compared with or without their country.

The import decides its target repository here (``services/imports.repository_from_file``),
before anything is loaded.
"""

from __future__ import annotations

from django.utils.text import slugify

from archive.exchange.columns import REPOSITORY_CODE_LENGTH, REPOSITORY_NAME_LENGTH, clip
from archive.models import Repository


def repository_code_for(text: str) -> str:
    """Our repository code (a slug, at most 64 characters) for an agency code or a name."""
    return slugify(text)[:REPOSITORY_CODE_LENGTH].strip("-")


def agency_key(code: str, country: str = "") -> tuple[str, str]:
    """(country, local code) of an agency code, so that ``GB-249`` and ``249`` compare.

    ISIL and MARC agency codes may carry their country as a two-letter prefix (``GB-249``,
    ``US-CtY-BR``, ``FR-751010101``); the same institution is often written without it in
    older files. ``country`` is the country known from elsewhere (the repository's or the
    file's country code) for a code written without its prefix.
    """
    code = " ".join(code.split())
    prefix, dash, rest = code.partition("-")
    if dash and rest and len(prefix) == 2 and prefix.isalpha():
        return prefix.upper(), rest.casefold()
    return country.upper()[:2], code.casefold()


def agency_codes_match(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Same local code, and no two different countries: ``249`` is ``GB-249``, not ``FR-249``."""
    return a[1] == b[1] and (not a[0] or not b[0] or a[0] == b[0])


def repository_named(name: str, agency: str, country: str = "") -> Repository | None:
    """The repository with the file's agency code (with or without its country prefix, or
    that code's slug), else its name."""
    if agency:
        found = Repository.objects.filter(agency_code__iexact=agency).first()
        if found is None:
            wanted = agency_key(agency, country)
            candidates = Repository.objects.exclude(agency_code="").only(
                "pk", "agency_code", "country_code"
            )
            found = next(
                (
                    repository
                    for repository in candidates.order_by("pk")
                    if agency_codes_match(
                        agency_key(repository.agency_code, repository.country_code), wanted
                    )
                ),
                None,
            )
            if found is not None:
                found = Repository.objects.get(pk=found.pk)
        if found is None:
            found = Repository.objects.filter(code=repository_code_for(agency)).first()
        if found is not None:
            return found
    if name:
        return Repository.objects.filter(name__iexact=clip(name, REPOSITORY_NAME_LENGTH)).first()
    return None
