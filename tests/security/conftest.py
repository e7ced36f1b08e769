"""Shared fixtures of the security suite: counting rows, importing a file the two ways a user
can (the ``import_ead`` command and the admin's "Import EAD" page) and a local listener that
records whether anything tried to fetch a URL.

Only fixtures every security test file may want live here; a test file's own fixtures stay in it.
"""

from __future__ import annotations

import html
import io
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.models import Agent, Collection, Component, ImportJob, Note, Repository, Subject

# The rows an import writes and a refused import must leave exactly as they were.
COUNTED = (Collection, Component, Note, Agent, Subject, Repository)

# What must never reach a user: a Python traceback or the repr of an exception object
# (``DataError('value too long')``, ``XMLSyntaxError(...)``, ``KeyError('x')``).
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\b\w*(Error|Exception|Warning)\('")


def count_rows() -> dict[str, int]:
    """Row counts of the models an import writes, by model name."""
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture
def row_counts() -> Callable[[], dict[str, int]]:
    """``row_counts()`` -> rows of Collection, Component, Note, Agent, Subject, Repository."""
    return count_rows


@dataclass
class Outcome:
    """What a user saw of one import: whether it was imported, and every message shown."""

    imported: bool
    messages: list[str]  # one line per file refused (command stderr lines / job errors)
    text: str  # everything the user could read (output, errors, the page)

    def refusal(self) -> str:
        """The single refusal message (fails the test when there is not exactly one)."""
        assert not self.imported, f"expected a refusal, it was imported:\n{self.text}"
        assert len(self.messages) == 1, f"expected one refusal message:\n{self.text}"
        return self.messages[0]


def assert_clean(outcome: Outcome) -> None:
    """No traceback and no raw exception repr anywhere the user could read."""
    found = TRACEBACK.search(outcome.text)
    assert found is None, f"a traceback or raw exception reached the user:\n{outcome.text}"


@pytest.fixture
def import_by_command(caplog: pytest.LogCaptureFixture) -> Callable[[str | Path], Outcome]:
    """``import_by_command(path)``: ``manage.py import_ead PATH`` as an operator runs it.

    The operator's terminal also shows what the command logs (the console handler writes to
    standard error), so the log, tracebacks included, is part of what the user saw.
    """

    def run(path: str | Path) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        caplog.clear()
        try:
            call_command("import_ead", str(path), stdout=out, stderr=err)
        except CommandError as exc:
            failure = str(exc)
        else:
            failure = ""
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        messages = [line.removeprefix("FAILED ") for line in lines if line.startswith("FAILED ")]
        text = "\n".join([out.getvalue(), err.getvalue(), failure, caplog.text])
        return Outcome(imported=not failure and not messages, messages=messages, text=text)

    return run


@pytest.fixture
def upload_dir(tmp_path: Path, settings) -> Path:  # noqa: ANN001 - pytest-django fixture
    """Uploads wait in a folder a few levels deep, so an upload name with ``../..`` that
    escaped it would land in ``tmp_path`` where the test can see it."""
    folder = tmp_path / "media" / "imports" / "uploads"
    settings.FONDS_IMPORT_DIR = str(folder)
    return folder


BOUNDARY = "fonds-security-boundary"


def multipart(filename: str, content: bytes) -> bytes:
    """A multipart body with one file under the exact ``filename`` given (Django's test client
    would reduce it to its base name before sending; a hostile browser need not)."""
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/xml\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def import_by_upload(
    admin_client, upload_dir: Path, django_capture_on_commit_callbacks
) -> Callable[[str, bytes], Outcome]:
    """``import_by_upload(filename, content)``: a superuser posts the file on the admin's
    "Import EAD" page (the test settings run the import task at once) and reads the page
    the admin lands on."""

    def run(filename: str, content: bytes) -> Outcome:
        url = reverse("admin:archive_importjob_import")
        before = set(ImportJob.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                url,
                data=multipart(filename, content),
                content_type=f"multipart/form-data; boundary={BOUNDARY}",
                follow=True,
            )
        assert response.status_code == 200, response.status_code
        page = html.unescape(response.content.decode())
        jobs = ImportJob.objects.exclude(pk__in=before)
        if not jobs.exists():
            # Refused by the form, before any job: its errors are shown on the page.
            form = response.context["form"]
            errors = [str(error) for field in form.errors.values() for error in field]
            assert errors, f"neither a job nor a form error:\n{page[:3000]}"
            return Outcome(imported=False, messages=errors, text="\n".join([*errors, page]))
        job = jobs.get()
        text = "\n".join([*job.errors, *job.warnings, page])
        imported = job.status == ImportJob.Status.SUCCEEDED
        return Outcome(imported=imported, messages=list(job.errors), text=text)

    return run


class Listener:
    """A local TCP server on a free port that records every connection made to it and answers
    each with a small DTD/HTTP response (so a fetch, if one happened, would not hang)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.connections: list[bytes] = []
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self._server.settimeout(0.05)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="security-listener")
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1)
            try:
                request = conn.recv(4096)
            except OSError:
                request = b""
            self.connections.append(request or b"(connected)")
            header = f"HTTP/1.0 200 OK\r\nContent-Length: {len(self.body)}\r\n\r\n".encode()
            try:
                conn.sendall(header + self.body)
            except OSError:
                pass

    def close(self) -> list[bytes]:
        """Stop; return every connection made, including any still waiting in the backlog."""
        if self._stop.is_set():
            return self.connections
        self._stop.set()
        self._thread.join()
        self._server.setblocking(False)
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                break
            self._answer(conn)
        self._server.close()
        return self.connections


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A :class:`Listener` whose answer would define entities carrying a marker."""
    server = Listener(b'<!ENTITY remote "FETCHED-OVER-THE-NETWORK">')
    yield server
    server.close()
