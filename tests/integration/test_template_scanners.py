"""template.yaml against the scanners (issue 16): checkov passes with a configuration whose
every skip says why; both APIs write access logs that hold no phone, email, token or path;
point-in-time recovery where the data matters; an optional WAF; each function's logs have a
retention."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts_local.stack import choose_branches, decide_conditions, load_sam, translate
from tests.conftest import REPO_ROOT

# What an access log line may hold: who called, which route as declared, how it went.
ACCESS_LOG_VARIABLES = {
    "$context.requestId",
    "$context.requestTime",
    "$context.httpMethod",
    "$context.resourcePath",  # /subscriptions/{subscription_id}, never the id
    "$context.status",
    "$context.responseLatency",
    "$context.integrationLatency",
    "$context.responseLength",
    "$context.error.responseType",  # THROTTLED, ACCESS_DENIED...: no message text
    "$context.wafResponseCode",
    "$context.identity.sourceIp",
    "$context.identity.userArn",  # the publisher's IAM identity
    "$context.identity.accountId",
}
# Tables whose loss matters (the duty officer's shutdown switches and the delivery receipts
# included); the rate-limit counters live an hour (template.yaml says why).
PITR_TABLES = {
    "AdvisoriesTable",
    "SubscribersTable",
    "DeliveryLedgerTable",
    "FeedsTable",
    "CountriesTable",
    "DeliveryReceiptsTable",
}


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return load_sam()


@pytest.fixture(scope="module")
def cfn(sam: dict[str, Any]) -> dict[str, Any]:
    return translate(sam)


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == kind}


def _checkov() -> str | None:
    candidates = [os.environ.get("CHECKOV"), str(REPO_ROOT / ".venv-checkov/bin/checkov")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def test_checkov_finds_nothing_that_is_not_skipped_with_a_reason() -> None:
    checkov = _checkov()
    if checkov is None:
        pytest.skip("checkov not installed (make test installs it in .venv-checkov)")
    result = subprocess.run(
        [checkov, "--config-file", ".checkov.yaml", "--output", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(result.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert report["summary"]["passed"] > 40
    # Skipped: exactly the template's per-resource skips (their reasons: the next tests).
    in_template = [
        skip
        for resource in load_sam()["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert report["summary"]["skipped"] == len(in_template) > 0


def test_every_checkov_skip_in_the_configuration_says_why() -> None:
    lines = (REPO_ROOT / ".checkov.yaml").read_text(encoding="utf-8").splitlines()
    config = yaml.safe_load("\n".join(lines))
    assert config["skip-check"], "the configuration skips checks"
    for check in config["skip-check"]:
        (index,) = [i for i, line in enumerate(lines) if line.strip() == f"- {check}"]
        reason = lines[index - 1].strip()
        assert reason.startswith("#"), check
        assert len(reason) > 40, check


def test_every_scanner_skip_in_the_template_says_why(sam: dict[str, Any]) -> None:
    text = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")
    for logical_id, resource in sam["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "")) > 20, (logical_id, skip["id"])
    # cfn-lint ignores: a comment on the line, or the lines just above (YAML drops them).
    for match in re.finditer(r"ignore_checks:\n((?:\s+(?:#.*|- \w+.*)\n)+)", text):
        entries = [line.strip() for line in match.group(1).splitlines()]
        for index, entry in enumerate(entries):
            if entry.startswith("- "):
                commented = "#" in entry or (index > 0 and entries[index - 1].startswith("#"))
                assert commented, entry


def test_both_apis_log_access_without_what_could_identify_a_citizen(
    cfn: dict[str, Any],
) -> None:
    stages = of_type(cfn, "AWS::ApiGateway::Stage")
    groups = of_type(cfn, "AWS::Logs::LogGroup")
    assert len(stages) == 2
    for name, stage in stages.items():
        setting = stage["AccessLogSetting"]
        (group,) = re.findall(r"log-group:\$\{(\w+)\}$", setting["DestinationArn"]["Fn::Sub"])
        assert groups[group]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
        line = json.loads(setting["Format"])  # one JSON object per request
        used = set(line.values())
        assert used <= ACCESS_LOG_VARIABLES, used - ACCESS_LOG_VARIABLES
        # Paths carry subscription ids, query strings publication fields, headers tokens.
        for forbidden in ("$context.path", "querystring", "header", "$input", "message"):
            assert not [v for v in used if forbidden in v], (name, forbidden)
        for needed in ("$context.requestId", "$context.resourcePath", "$context.status"):
            assert needed in used, (name, needed)
        assert "$context.responseLatency" in used
        assert stage["TracingEnabled"] is True
    publisher = stages["PublisherApiv1Stage"]["AccessLogSetting"]["Format"]
    assert "$context.identity.userArn" in publisher  # who posted (CloudTrail does not say)


def test_api_gateway_may_write_logs_on_a_new_account(cfn: dict[str, Any]) -> None:
    """A stage with access logs needs the account's API Gateway logging role, which a new
    account lacks: the stack sets it before the APIs (and keeps the role on teardown)."""
    (account,) = of_type(cfn, "AWS::ApiGateway::Account").values()
    role = account["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert cfn["Resources"][role]["DeletionPolicy"] == "Retain"
    for api in ("CitizenApi", "PublisherApi"):
        assert cfn["Resources"][api]["DependsOn"] == "ApiGatewayAccount"


def test_point_in_time_recovery_where_the_data_matters(sam: dict[str, Any]) -> None:
    tables = of_type(sam, "AWS::DynamoDB::Table")
    recovered = {
        name
        for name, table in tables.items()
        if table.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    }
    assert recovered == PITR_TABLES
    (skip,) = sam["Resources"]["RateLimitsTable"]["Metadata"]["checkov"]["skip"]
    assert skip["id"] == "CKV_AWS_28"


def test_the_waf_is_optional_off_by_default_and_guards_the_citizen_api(
    cfn: dict[str, Any],
) -> None:
    assert cfn["Parameters"]["EnableWaf"]["Default"] == "false"
    wafs = {k: r for k, r in cfn["Resources"].items() if r["Type"].startswith("AWS::WAFv2::")}
    assert {r["Condition"] for r in wafs.values()} == {"UsesWaf"}
    assert not decide_conditions(cfn, {})("UsesWaf")
    assert decide_conditions(cfn, {"EnableWaf": "true"})("UsesWaf")
    (association,) = of_type(cfn, "AWS::WAFv2::WebACLAssociation").values()
    target = association["ResourceArn"]["Fn::Sub"]
    assert "/restapis/${CitizenApi}/stages/${CitizenApiv1Stage}" in target
    (acl,) = of_type(cfn, "AWS::WAFv2::WebACL").values()
    assert acl["Scope"] == "REGIONAL"
    # Sampled requests would keep headers and paths: manage tokens, subscription ids.
    assert acl["VisibilityConfig"]["SampledRequestsEnabled"] is False
    statements = [r["Statement"] for r in acl["Rules"]]
    groups = [
        s["ManagedRuleGroupStatement"]["Name"]
        for s in statements
        if "ManagedRuleGroupStatement" in s
    ]
    assert "AWSManagedRulesCommonRuleSet" in groups
    # Issue 15: a rate-based rule per client address, first, blocking.
    (per_client,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert acl["Rules"][0] is per_client
    assert per_client["Action"] == {"Block": {}}
    rate = per_client["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP"
    assert rate["Limit"] == {"Ref": "WafRequestsPerClientPer5Minutes"}
    assert cfn["Parameters"]["WafRequestsPerClientPer5Minutes"]["Default"] == 300
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"])


def test_every_function_has_a_log_group_with_a_retention(cfn: dict[str, Any]) -> None:
    groups = of_type(cfn, "AWS::Logs::LogGroup").values()
    named = {g["LogGroupName"]["Fn::Sub"]: g["RetentionInDays"] for g in groups}
    for function in of_type(cfn, "AWS::Lambda::Function"):
        assert named["/aws/lambda/${" + function + "}"] == {"Ref": "LogRetentionDays"}


def test_outputs_name_the_site_for_both_kinds_of_deploy(cfn: dict[str, Any]) -> None:
    for given in ("", "https://alerts.example.org"):
        outputs = choose_branches(cfn["Outputs"], decide_conditions(cfn, {"PublicBaseUrl": given}))
        assert ("Ref" in outputs["SiteUrl"]["Value"]) == bool(given)
