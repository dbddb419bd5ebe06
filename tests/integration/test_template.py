"""template.yaml: lints clean, and keeps the promises the design makes about it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alerts_local.stack import stream_mappings
from tests.conftest import REPO_ROOT


def _sam_cli() -> str | None:
    candidates = [
        os.environ.get("SAM_CLI"),
        str(REPO_ROOT / ".venv-sam/bin/sam"),
        shutil.which("sam"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None)


def test_cfn_lint_passes() -> None:
    """cfn-lint with the Serverless Rules (cfn-lint-serverless): log retention, tracing,
    access logs, on-failure destinations; what they flag and the template keeps is ignored
    on the resource, with its reason (test_template_scanners.py checks the reasons)."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--append-rules",
            "cfn_lint_serverless.rules",
            "--",
            "template.yaml",
        ],
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
    assert len(functions) == 13
    for function in functions:
        assert function["Properties"]["Runtime"] == "python3.13"
        assert function["Properties"]["Layers"]


def test_publisher_api_requires_iam(cfn: dict[str, Any]) -> None:
    publisher = cfn["Resources"]["PublisherApi"]["Properties"]["Body"]
    post = publisher["paths"]["/advisories"]["post"]
    assert post["security"] == [{"AWS_IAM": []}]


@pytest.mark.parametrize(
    ("function", "queue"),
    [("FanoutFunction", "FanoutFailureQueue"), ("CapFeedFunction", "CapFeedFailureQueue")],
)
def test_each_stream_mapping_is_bounded_bisects_and_has_its_own_on_failure_queue(
    cfn: dict[str, Any], function: str, queue: str
) -> None:
    mappings = {m.function: m for m in stream_mappings(cfn)}
    assert set(mappings) == {"FanoutFunction", "CapFeedFunction"}
    mapping = mappings[function]
    assert mapping.table == "AdvisoriesTable"
    assert mapping.report_item_failures
    assert 0 <= mapping.max_retries <= 10
    assert mapping.on_failure_queue == queue
    assert mapping.filters, "head items must be filtered out before the function runs"
    [resource] = [
        r["Properties"]
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert resource["BisectBatchOnFunctionError"] is True


def test_the_cap_feed_may_write_only_its_own_files_on_the_site(cfn: dict[str, Any]) -> None:
    """s3:GetObject and s3:PutObject under cap/ and feeds/ of the site bucket, nothing else
    on S3; reads of advisory versions, and the queue its scheduled runs fail to."""
    statements = [
        {**s, "Action": [s["Action"]] if isinstance(s["Action"], str) else s["Action"]}
        for role, s in _statements(cfn)
        if role == "CapFeedFunctionRole"
    ]
    s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    assert [sorted(s["Action"]) for s in s3] == [["s3:GetObject", "s3:PutObject"]]
    assert [r["Fn::Sub"] for r in s3[0]["Resource"]] == [
        "${WebBucket.Arn}/cap/*",
        "${WebBucket.Arn}/feeds/*",
    ]
    actions = sorted(a for s in statements for a in s["Action"])
    assert actions == [
        "dynamodb:GetItem", "s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sqs:SendMessage"
    ]  # fmt: skip


def test_segment_topic_permissions_are_scoped_to_this_stack(cfn: dict[str, Any]) -> None:
    for role, statement in _statements(cfn):
        if statement.get("Sid") in {
            "PublishToAudienceSegments",
            "ManageAudienceSegmentSubscriptions",
        }:
            resource = statement["Resource"]["Fn::Sub"]
            assert resource.endswith(":${AWS::StackName}-seg-*"), role
