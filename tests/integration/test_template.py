"""template.yaml: lints clean, and keeps the promises the design makes about it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alerts_local.stack import load_sam, stream_mappings, translate
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(load_sam())


def _sam_cli() -> str | None:
    candidates = [
        os.environ.get("SAM_CLI"),
        str(REPO_ROOT / ".venv-sam/bin/sam"),
        shutil.which("sam"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None)


def test_cfn_lint_passes() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "template.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_passes() -> None:
    sam = _sam_cli()
    if sam is None:
        pytest.skip("SAM CLI not installed (make test installs it in .venv-sam)")
    result = subprocess.run(
        [sam, "validate", "--lint", "--template", "template.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def _statements(cfn: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    found.append((logical_id, statement))
    return found


def test_no_wildcard_actions_in_any_function_policy(cfn: dict[str, Any]) -> None:
    statements = _statements(cfn)
    assert statements, "expected inline policies from the SAM policy templates"
    for role, statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            assert "*" not in action, f"{role} allows wildcard action {action}"


def test_functions_run_python313_with_the_shared_layer(cfn: dict[str, Any]) -> None:
    functions = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 9
    for function in functions:
        assert function["Properties"]["Runtime"] == "python3.13"
        assert function["Properties"]["Layers"]


def test_publisher_api_requires_iam(cfn: dict[str, Any]) -> None:
    publisher = cfn["Resources"]["PublisherApi"]["Properties"]["Body"]
    post = publisher["paths"]["/advisories"]["post"]
    assert post["security"] == [{"AWS_IAM": []}]


def test_fanout_stream_mapping_is_bounded_and_has_an_on_failure_queue(
    cfn: dict[str, Any],
) -> None:
    (mapping,) = stream_mappings(cfn)
    assert mapping.function == "FanoutFunction"
    assert mapping.table == "AdvisoriesTable"
    assert mapping.report_item_failures
    assert 0 <= mapping.max_retries <= 10
    assert mapping.on_failure_queue == "FanoutFailureQueue"
    assert mapping.filters, "head items must be filtered out before the function runs"


def test_segment_topic_permissions_are_scoped_to_this_stack(cfn: dict[str, Any]) -> None:
    for role, statement in _statements(cfn):
        if statement.get("Sid") in {
            "PublishToAudienceSegments",
            "ManageAudienceSegmentSubscriptions",
        }:
            resource = statement["Resource"]["Fn::Sub"]
            assert resource.endswith(":${AWS::StackName}-seg-*"), role
