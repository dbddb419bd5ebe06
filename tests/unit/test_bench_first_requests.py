"""`make bench` times each API's import with one first request that is answered before any
AWS call (bench/coldstart.py). Those requests and the settings given with them are checked
here, in-process on the source tree, so that a new required setting or a changed answer
shows in `make test` rather than as a broken benchmark."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import pytest
from consular_alerts import bootstrap
from consular_alerts import settings as settings_module
from pydantic import BaseModel

from bench.coldstart import FIRST_REQUESTS, FUNCTIONS
from tests.conftest import REPO_ROOT

_SETTING_NAMES = {
    field
    for model in vars(settings_module).values()
    if isinstance(model, type) and issubclass(model, BaseModel)
    for field in model.model_fields
}


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"


def _handler(function: str) -> Any:
    path = REPO_ROOT / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"bench_first_request_{function}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


@pytest.mark.parametrize("name", sorted(FIRST_REQUESTS))
def test_each_first_request_is_answered_as_the_bench_expects_without_aws(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    event, settings, status = FIRST_REQUESTS[name]
    assert name in FUNCTIONS  # timed beside its import
    # Only what the bench gives: nothing another test left in the environment.
    for variable in list(os.environ):
        if variable.lower() in _SETTING_NAMES:
            monkeypatch.delenv(variable)
    for variable, value in settings.items():
        monkeypatch.setenv(variable, value)
    # No endpoint at all: an AWS call would fail rather than reach anything.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    bootstrap.reset()
    try:
        answer = _handler(name)(event, _Context())
    finally:
        bootstrap.reset()
    assert answer["statusCode"] == status, answer["body"]
