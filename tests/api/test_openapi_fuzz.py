"""Property-based run over the whole OpenAPI document (schemathesis): for requests generated
from the document, as the public and as a staff token, no answer is a server error and every
answer matches what the document says (status code, content type, body schema).

Bounded (a few examples per operation) so that it stays quick in the suite; the README
describes a longer run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import build

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = hypothesis_settings(
    max_examples=int(os.environ.get("FONDS_API_FUZZ_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture
def api_world(db):
    return build()


@pytest.fixture
def api_schema(api_world, settings):
    # The schemathesis WSGI client sends "Host: localhost".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # As Django's own test client does: the end of a request must not close the connection
    # that holds the test's transaction (PostgreSQL would lose the test's data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def run_every_operation(schema, headers: dict[str, str]) -> int:
    """Generate cases for each operation of the document and check each answer.

    (The operations are walked here rather than with ``schema.parametrize()``, whose lazy
    fixture loader does not run under the pytest this project uses.)
    """
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BOUNDED
        def check(case) -> None:
            case.call_and_validate(checks=CHECKS, headers=headers)

        check()
        operations += 1
    return operations


def operation_count() -> int:
    """Every operation of the document (each method of each path)."""
    from archive.api.app import api

    return sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())


def test_anonymous(api_schema):
    # Every operation is generated for, the writes of a unit's parts, collections, agents and
    # subjects among them (61 when this was written).
    assert run_every_operation(api_schema, {}) == operation_count() >= 61


def test_staff_token(api_schema, api_world):
    headers = {"Authorization": f"Bearer {api_world.ana}"}
    assert run_every_operation(api_schema, headers) == operation_count() >= 61
