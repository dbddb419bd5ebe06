"""The citizen API fuzzed from its checked-in OpenAPI document, against the local runtime.

Schemathesis generates valid and invalid requests for every operation in
openapi/citizen-api.json and sends them over HTTP to `alerts serve`'s runtime. No request may
make the API fail (5xx); every response must be one the document declares, with the declared
content type and body schema. Rate limits answer 429 once the budgets are spent: declared,
and fine.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alerts_cli.openapi import DOCUMENT
from alerts_local.server import LocalRuntime, start
from tests.conftest import ONE_OFFICER

schema = schemathesis.openapi.from_path(DOCUMENT)
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
# Per operation. `make test` keeps its 10 minutes with 15; HYPOTHESIS_PROFILE=explore (the
# hunt for new failures, tests/conftest.py) sends ten times as many.
MAX_EXAMPLES = 150 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 15


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"fz{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()
    if CASES:  # what this worker ran (pytest -s shows it)
        statuses = dict(sorted(STATUSES.items()))
        print(f"\nschemathesis: {sum(CASES.values())} cases, statuses {statuses}")
        for operation, count in sorted(CASES.items()):
            print(f"  {operation}: {count}")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    database=None,
)
def test_the_api_never_fails_and_answers_as_documented(
    case: schemathesis.Case, runtime: LocalRuntime
) -> None:
    response = case.call_and_validate(
        base_url=runtime.url,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        timeout=30,
    )
    CASES[f"{case.method} {case.path}"] += 1
    STATUSES[response.status_code] += 1
    assert response.status_code < 500


def test_the_runtime_serves_the_document_and_swagger_ui(runtime: LocalRuntime) -> None:
    document = requests.get(f"{runtime.url}/openapi.json", timeout=30)
    assert document.status_code == 200
    assert document.json() == json.loads(DOCUMENT.read_text(encoding="utf-8"))
    page = requests.get(f"{runtime.url}/swagger", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text
    assert '"/subscriptions/{subscription_id}/verify"' in page.text
