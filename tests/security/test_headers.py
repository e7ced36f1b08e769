"""HTTP hardening: the security headers and Content-Security-Policy on every kind of page, no
inline script anywhere, the HttpOnly CSRF cookie, the sign-in throttle, the admin's address.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from archive import sign_in
from archive.models import ImportJob
from tests.factories import PASSWORD, PagesWorld, build_pages_world, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(db) -> PagesWorld:
    return build_pages_world()


@pytest.fixture
def staff(db) -> User:
    return make_user("curator", superuser=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Sign-in counts live in the cache: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def public_pages(world: PagesWorld) -> dict[str, str]:
    papers = world.papers
    outline = reverse("archive:outline", args=[papers.repository.code, papers.ead_id])
    return {
        "home": reverse("archive:home"),
        "search": reverse("archive:search") + "?q=Serge",
        "repository": reverse("archive:repository", args=[world.repository.code]),
        "collection": papers.get_absolute_url(),
        "collection print view": papers.get_absolute_url() + "?print=1",
        "component": world.file11.get_absolute_url(),
        "outline page": f"{outline}?node={world.series1.ref}",
        "outline fragment": f"{outline}?node={world.series1.ref}&fragment=1",
        "names": reverse("archive:agents"),
        "name": world.agent.get_absolute_url(),
        "subjects": reverse("archive:subjects"),
        "subject": world.subject.get_absolute_url(),
        "EAD 2002 download": reverse(
            "archive:collection-ead", args=[papers.repository.code, papers.ead_id, "ead2002"]
        ),
        "EAD3 download": reverse(
            "archive:collection-ead", args=[papers.repository.code, papers.ead_id, "ead3"]
        ),
        "not found": "/collections/nowhere/nothing/",
    }


def staff_pages(world: PagesWorld) -> dict[str, str]:
    job = ImportJob.objects.create(
        status=ImportJob.Status.FAILED, files=["a.xml"], errors=["a.xml, line 3: broken"]
    )
    return {
        "admin index": reverse("admin:index"),
        "collection list": reverse("admin:archive_collection_changelist"),
        "component change page": reverse("admin:archive_component_change", args=[world.file11.pk]),
        "component history": reverse("admin:archive_component_history", args=[world.file11.pk]),
        "outline editor": reverse("admin:archive_collection_outline", args=[world.papers.pk]),
        "name change page": reverse("admin:archive_agent_change", args=[world.agent.pk]),
        "import page": reverse("admin:archive_importjob_import"),
        "import job": reverse("admin:archive_importjob_change", args=[job.pk]),
        "staff EAD download": reverse(
            "archive:collection-ead", args=["rbml", world.papers.ead_id, "ead3"]
        )
        + "?internal=1",
    }


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_hardened(response, what: str) -> None:
    headers = response.headers
    csp = directives(response)
    assert csp, f"{what}: no Content-Security-Policy header"
    assert csp["default-src"] == ["'self'"], what
    assert csp["script-src"] == ["'self'"], f"{what}: scripts must come from this site only"
    assert csp["object-src"] == ["'none'"], what
    assert csp["base-uri"] == ["'none'"], what
    assert csp["frame-ancestors"] == ["'none'"], what
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"], what
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"], what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", what


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.nonces: list[str] = []
        self.style_attributes: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        line = self.getpos()[0]
        # A data block (json_script) is never run, so the policy does not apply to it.
        is_data = (values.get("type") or "").lower() in {"application/json", "application/ld+json"}
        if tag == "script" and not values.get("src") and not is_data:
            self.problems.append(f"line {line}: <script> without src")
        if tag == "style":
            if values.get("nonce"):
                self.nonces.append(values["nonce"] or "")
            else:
                self.problems.append(f"line {line}: <style> without a nonce")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"line {line}: <{tag} {name}=...> event handler")
            if name == "style":
                self.style_attributes.append((line, value or ""))
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: <{tag} {name}=javascript:...>")


def assert_no_inline_code(response, what: str) -> None:
    if not response["Content-Type"].startswith("text/html"):
        return
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.problems == [], f"{what}: {parser.problems}"
    csp = directives(response)
    for nonce in parser.nonces:
        # An inline <style> is only allowed when it carries this response's nonce.
        assert f"'nonce-{nonce}'" in csp["style-src"], what
    for line, value in parser.style_attributes:
        # A style attribute only where the policy lets that exact value in by its hash.
        digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
        allowed = csp.get("style-src-attr", [])
        assert "'unsafe-hashes'" in allowed and f"'sha256-{digest}'" in allowed, (
            f"{what}: line {line}: style={value!r} would be refused by the policy"
        )


# --------------------------------------------------------------------------- headers


def test_every_public_page_kind_carries_the_headers_and_no_inline_code(client, world: PagesWorld):
    for what, url in public_pages(world).items():
        response = client.get(url)
        assert response.status_code in (200, 404), f"{what}: {response.status_code}"
        assert_hardened(response, what)
        assert_no_inline_code(response, what)
        # Nothing on a public page asks for a nonce: the policy is the same for every reader.
        assert "nonce-" not in response.headers["Content-Security-Policy"], what


def test_every_staff_page_kind_carries_the_headers_and_no_inline_code(client, world, staff):
    login = client.get(reverse("admin:login"))
    assert login.status_code == 200
    assert_hardened(login, "admin login")
    assert_no_inline_code(login, "admin login")

    client.force_login(staff)
    for what, url in staff_pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, f"{what}: {response.status_code}"
        assert_hardened(response, what)
        assert_no_inline_code(response, what)


def test_static_files_carry_the_policy_and_nosniff(client):
    """Served by WhiteNoise ahead of most middleware; the policy and nosniff still apply."""
    response = client.get("/static/archive/outline.js")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_ead_download_is_not_sniffed_or_framed(client, world: PagesWorld):
    papers = world.papers
    url = reverse("archive:collection-ead", args=[papers.repository.code, papers.ead_id, "ead3"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(("application/xml", "text/xml"))
    assert_hardened(response, "EAD download")


def test_behind_https_plain_requests_are_redirected_except_exempt_paths(settings):
    """What DJANGO_HTTPS turns on (see tests/test_settings_env.py), seen from a client."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^subjects/$"]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()  # after the settings change: the middleware reads them when it starts

    plain = client.get("/agents/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/agents/"
    assert client.get("/subjects/").status_code == 200  # e.g. a load balancer's health check

    secure = client.get("/agents/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_hardened(secure, "names page over HTTPS")


# --------------------------------------------------------------------------- scripts and cookies


def test_no_template_or_script_of_ours_holds_inline_code_or_reads_cookies():
    """Every template (rendered or not) and every script, read as text."""
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    problems = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text, re.I):
            if "src=" not in match.group(0):
                problems.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
        for pattern in (handler, re.compile(r"javascript:", re.I), re.compile(r"\sstyle=")):
            for match in pattern.finditer(text):
                problems.append(f"{template.relative_to(ROOT)}: {match.group(0)!r}")
        if re.search(r"<style\b", text, re.I):
            problems.append(f"{template.relative_to(ROOT)}: inline <style>")
    for script in sorted((ROOT / "archive" / "static").rglob("*.js")):
        if "document.cookie" in script.read_text():
            problems.append(f"{script.relative_to(ROOT)} reads document.cookie")
    assert problems == []


def test_csrf_cookie_is_http_only_and_forms_carry_the_token(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:archive_collection_outline", args=[world.papers.pk]))
    assert response.status_code == 200
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_the_outline_editor_posts_with_the_token_from_the_page(world, staff):
    """With the cookie out of JavaScript's reach, a form post still passes the CSRF check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    outline = reverse("admin:archive_collection_outline", args=[world.papers.pk])
    page = client.get(outline)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    publish = reverse(
        "admin:archive_collection_outline_publish", args=[world.papers.pk, world.series1.pk]
    )
    refused = client.post(publish, {"publish": "0", "next": outline})
    assert refused.status_code == 403
    accepted = client.post(
        publish, {"publish": "0", "next": outline, "csrfmiddlewaretoken": token.group(1)}
    )
    assert accepted.status_code == 302
    world.series1.refresh_from_db()
    assert world.series1.published is False


# --------------------------------------------------------------------------- sign-in throttle


def sign_in_attempt(client: Client, username: str, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )


def test_sign_in_locks_out_after_the_limit_and_says_so(client, staff, settings):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 3
    settings.FONDS_LOGIN_FAILURE_WINDOW = 600
    for _ in range(2):
        response = sign_in_attempt(client, "curator", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    third = sign_in_attempt(client, "curator", "wrong")
    assert "Too many failed sign-in attempts; try again in 10 minutes." in third.content.decode()

    # Locked: even the right password is refused, with the same message, and no session.
    right = sign_in_attempt(client, "curator", PASSWORD)
    assert right.status_code == 200
    assert "Too many failed sign-in attempts; try again in 10 minutes." in right.content.decode()
    assert "_auth_user_id" not in client.session
    # The same username differing in case shares the count.
    assert "Too many failed" in sign_in_attempt(client, "CURATOR", PASSWORD).content.decode()


def test_sign_in_works_again_after_the_window(client, staff, settings, monkeypatch):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 2
    settings.FONDS_LOGIN_FAILURE_WINDOW = 300
    start = sign_in.now()
    monkeypatch.setattr(sign_in, "now", lambda: start)
    for _ in range(2):
        sign_in_attempt(client, "curator", "wrong")
    almost = start + 299
    monkeypatch.setattr(sign_in, "now", lambda: almost)
    response = sign_in_attempt(client, "curator", PASSWORD)
    assert "try again in 1 minute." in response.content.decode()

    monkeypatch.setattr(sign_in, "now", lambda: start + 301)
    response = sign_in_attempt(client, "curator", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_correct_sign_in_clears_the_count(client, staff, settings):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 3
    sign_in_attempt(client, "curator", "wrong")
    sign_in_attempt(client, "curator", "wrong")
    assert sign_in_attempt(client, "curator", PASSWORD).status_code == 302
    client.logout()
    sign_in_attempt(client, "curator", "wrong")
    sign_in_attempt(client, "curator", "wrong")
    assert sign_in_attempt(client, "curator", PASSWORD).status_code == 302


def test_lockout_is_per_address(staff, settings):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 2
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        sign_in_attempt(guesser, "curator", "wrong")
    assert "Too many failed" in sign_in_attempt(guesser, "curator", PASSWORD).content.decode()
    at_desk = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in_attempt(at_desk, "curator", PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(staff, settings):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 2
    settings.FONDS_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    # Every request arrives from the proxy; the guesser forges the first entry each time.
    for forged in ("10.0.0.1", "10.0.0.2"):
        proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9")
        sign_in_attempt(proxied, "curator", "wrong")
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.3, 203.0.113.9")
    assert "Too many failed" in sign_in_attempt(proxied, "curator", PASSWORD).content.decode()
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert sign_in_attempt(colleague, "curator", PASSWORD).status_code == 302


def test_a_limit_of_zero_turns_the_throttle_off(client, staff, settings):
    settings.FONDS_LOGIN_FAILURE_LIMIT = 0
    for _ in range(10):
        sign_in_attempt(client, "curator", "wrong")
    assert sign_in_attempt(client, "curator", PASSWORD).status_code == 302


# --------------------------------------------------------------------------- the admin's path


def urlconf_with_admin_at(settings, admin_path: str):
    """config/urls.py loaded afresh under another FONDS_ADMIN_PATH (the real module untouched)."""
    settings.FONDS_ADMIN_PATH = admin_path
    spec = importlib.util.spec_from_file_location(
        "config_urls_moved_admin", ROOT / "config" / "urls.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    settings.ROOT_URLCONF = module
    return module


def test_the_admin_answers_at_its_configured_path_only(client, world, staff, settings):
    urlconf_with_admin_at(settings, "back-office/staff/")
    assert reverse("admin:index") == "/back-office/staff/"
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404

    login = client.get("/back-office/staff/login/")
    assert login.status_code == 200
    assert 'action="/back-office/staff/login/' in login.content.decode()
    # The public footer's staff link follows the setting.
    home = client.get(reverse("archive:home")).content.decode()
    assert 'href="/back-office/staff/">Staff sign-in' in home
    assert 'href="/admin/' not in home

    response = sign_in_attempt(client, "curator", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/back-office/staff/"
    outline = client.get(f"/back-office/staff/archive/collection/{world.papers.pk}/outline/")
    assert outline.status_code == 200
    assert not re.search(r"(href|action)=\"/admin/", outline.content.decode())


def test_the_default_admin_path_is_admin(client, settings):
    assert settings.FONDS_ADMIN_PATH == "admin/"
    assert reverse("admin:index") == "/admin/"
