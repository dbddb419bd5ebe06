"""template.yaml, what operators take from the deployed stack (issue 16): the role SNS needs
for SMS delivery-status logs (account SMS attributes are no CloudFormation resource, so a
custom resource sets them) and the managed policy a publisher needs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from alerts_local.stack import load_sam, translate


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(load_sam())


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == kind}


def test_sns_may_write_sms_delivery_status_logs(cfn: dict[str, Any]) -> None:
    role = cfn["Resources"]["SmsDeliveryStatusRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "sns.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    granted = {
        a for p in role["Policies"] for s in p["PolicyDocument"]["Statement"] for a in s["Action"]
    }
    assert granted == {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:PutMetricFilter",
        "logs:PutRetentionPolicy",
    }
    for statement in (s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]):
        assert (
            ":log-group:sns/${AWS::Region}/${AWS::AccountId}/" in statement["Resource"]["Fn::Sub"]
        )
    outputs = cfn["Outputs"]
    assert outputs["SmsDeliveryStatusRoleArn"]["Value"] == {
        "Fn::GetAtt": ["SmsDeliveryStatusRole", "Arn"]
    }
    # The account's SMS attributes, which CloudFormation has no resource for: a custom resource
    # names this role and samples every success (the receipts count each phone).
    settings = cfn["Resources"]["SmsDeliveryStatusSettings"]["Properties"]
    assert settings["RoleArn"] == {"Fn::GetAtt": ["SmsDeliveryStatusRole", "Arn"]}
    assert settings["SuccessSamplingRate"] == "100"


def test_the_publisher_policy_allows_exactly_the_publisher_routes(cfn: dict[str, Any]) -> None:
    (policy,) = of_type(cfn, "AWS::IAM::ManagedPolicy").values()
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "execute-api:Invoke"
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
    stage = f"{prefix}${{PublisherApi}}/${{PublisherApiv1Stage}}"
    resources = [r["Fn::Sub"] for r in statement["Resource"]]
    assert all(r.startswith(stage + "/") for r in resources)
    allowed = {r.removeprefix(stage) for r in resources}
    body = cfn["Resources"]["PublisherApi"]["Properties"]["Body"]
    routes = {
        f"/{method.upper()}{re.sub(r'{[^}]+}', '*', path)}"
        for path, item in body["paths"].items()
        for method in item
        if method != "options"  # the unsigned preflight, answered by API Gateway
    }
    assert routes == allowed
    assert cfn["Outputs"]["PublisherPolicyArn"]["Value"] == {"Ref": "PublisherInvokePolicy"}
