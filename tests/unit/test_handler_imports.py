"""Importing a handler (Lambda's Init phase) loads no model, parser or data package: each is
loaded by the first request that needs it (README: performance). `make bench` times both, the
import and the import with a first request, from the built artifacts; this keeps the rule
from slipping between benches, on the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# Loaded by a request, never by an import: pydantic (and the models built with it), the
# phone-number and country databases, the feed parser, the tracer.
HEAVY = {"pydantic", "pydantic_core", "phonenumbers", "pycountry", "feedparser", "aws_xray_sdk"}
HANDLERS = sorted(
    path.name for path in (REPO_ROOT / "functions").iterdir() if (path / "app.py").exists()
)


def _imported(function: str) -> set[str]:
    code = "import json, sys, app; print(json.dumps(sorted(sys.modules)))"
    paths = [REPO_ROOT / "functions" / function, REPO_ROOT / "layers" / "shared"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "POWERTOOLS"))}
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in paths)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO_ROOT / "functions" / function,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_api_handlers_are_among_those_checked() -> None:
    assert {"subscriptions", "ingest", "advisories", "email_pages", "fanout"} <= set(HANDLERS)


@pytest.mark.parametrize("function", HANDLERS)
def test_importing_a_handler_loads_nothing_heavy(function: str) -> None:
    modules = _imported(function)
    assert {"app", "boto3"} <= modules  # the import did run
    assert {name.split(".")[0] for name in modules} & HEAVY == set()
