"""Shared fixtures: one moto server per test process, a fresh stack from template.yaml per
test that needs AWS (unique stack names keep tests apart without resetting moto)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Every test: no captured log line may hold a full phone number or email address.
from tests.logscan import pytest_runtest_makereport  # noqa: F401

# Properties are about behaviour, not speed: no per-example deadline, so a loaded CI machine
# cannot fail a property test by being slow (speed is measured in `make bench`). The default
# profile draws the same examples every run, so CI is reproducible; hunting for new failures
# is `HYPOTHESIS_PROFILE=explore make test` (random examples, five times as many).
settings.register_profile("project", deadline=None, print_blob=True, derandomize=True)
settings.register_profile(
    "explore", deadline=None, print_blob=True, max_examples=500, database=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))

# Never reach real AWS from tests, whatever the developer's shell holds.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
os.environ.pop("AWS_PROFILE", None)

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS = REPO_ROOT / "events"
# The real-world corpus beside the repository (CI has it); CONSULAR_ALERTS_SHARED overrides.
SHARED = Path(os.environ.get("CONSULAR_ALERTS_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


# Template parameters for the tests of everything but two-person approval: one officer
# publishes alone (no level, no audience needs a second). The approval tests
# (test_approval*.py, tests/hostile/approval_cases.py) run the template's defaults.
ONE_OFFICER = {"ApprovalLevel": "5", "ApprovalAudience": "1000000000"}


@pytest.fixture
def stack(moto_endpoint: str):  # type: ignore[no-untyped-def]
    from alerts_local.lambdas import apply_environment
    from alerts_local.stack import deploy

    deployed = deploy(moto_endpoint, f"t{uuid.uuid4().hex[:10]}", parameters=ONE_OFFICER)
    apply_environment(deployed, "WARNING")
    return deployed


def _controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")  # xdist workers have it


def pytest_sessionstart(session: pytest.Session) -> None:
    if _controller(session.config):
        import shutil

        from tests.faults.conftest import TALLY_DIR

        shutil.rmtree(TALLY_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The fault-injection figures the README quotes (build/resilience.json)."""
    if not _controller(config):
        return
    import json

    from tests.faults.conftest import TALLY_DIR, summarize

    summary = summarize()
    if summary is None:
        return
    (TALLY_DIR.parent / "resilience.json").write_text(json.dumps(summary, indent=2) + "\n")
    terminalreporter.write_sep("-", "fault injection")
    terminalreporter.write_line(
        f"{summary['scenarios']} scenarios, {summary['faults']} faults injected: "
        f"{summary['expected']} segment publishes due, {summary['lost']} lost, "
        f"{summary['duplicates']} duplicates outside the crash window, "
        f"{summary['duplicates_in_crash_window']} inside it"
    )


@pytest.fixture
def approval_stack(moto_endpoint: str):  # type: ignore[no-untyped-def]
    """A stack with the template's approval rules (ApprovalLevel 3, ApprovalAudience 1000)."""
    from alerts_local.lambdas import apply_environment
    from alerts_local.stack import deploy

    deployed = deploy(moto_endpoint, f"a{uuid.uuid4().hex[:10]}")
    apply_environment(deployed, "WARNING")
    return deployed
