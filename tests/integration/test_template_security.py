"""template.yaml, security checks across the whole template (issue 6): the publisher API
takes IAM-signed requests only, on every route; no IAM or key policy statement anywhere
allows a wildcard action; every table is encrypted with KMS, those holding citizens' data
with the customer-managed key; every SNS topic is encrypted with it but the one declared
exception. (test_template.py and test_template_citizen.py check the single resources.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Tables that hold citizens' addresses, or keyed hashes of addresses and client IPs.
PERSONAL_DATA_TABLES = {"SubscribersTable", "RateLimitsTable"}
# Alarm names and metric values only; why it is not encrypted is written beside it.
UNENCRYPTED_TOPICS = {"OperationsAlarmTopic"}
HTTP_METHODS = {
    "get",
    "put",
    "post",
    "delete",
    "patch",
    "head",
    "options",
    "x-amazon-apigateway-any-method",
}


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _policy_documents(cfn: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy document in the deployed template: role policies, managed and inline
    policies, key policies, topic, queue and bucket policies."""
    for logical_id, resource in cfn["Resources"].items():
        props = resource.get("Properties", {})
        for policy in props.get("Policies", []):
            yield logical_id, policy["PolicyDocument"]
        for name in ("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument"):
            if name in props:
                yield logical_id, props[name]


def test_every_policy_statement_lists_explicit_actions(cfn: dict[str, Any]) -> None:
    checked = 0
    for logical_id, document in _policy_documents(cfn):
        for statement in document["Statement"]:
            actions = statement.get("Action", [])
            assert "NotAction" not in statement, f"{logical_id}: NotAction allows everything else"
            if statement["Effect"] == "Deny":
                continue  # a Deny only narrows: `s3:*` over plain HTTP grants nothing
            for action in [actions] if isinstance(actions, str) else actions:
                assert "*" not in action, f"{logical_id} {statement.get('Sid', '')}: {action}"
                checked += 1
    # The four function roles, the key policy and the roles' trust policies were read.
    assert checked > 40


def test_every_publisher_route_requires_iam_and_no_api_key(cfn: dict[str, Any]) -> None:
    body = cfn["Resources"]["PublisherApi"]["Properties"]["Body"]
    routes = [
        (path, method, operation)
        for path, item in body["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    assert routes, "the publisher API has routes"
    for path, method, operation in routes:
        if method == "options":
            # The browser's CORS preflight is unsigned; API Gateway answers it itself (a mock
            # integration), so it reaches no function.
            integration = operation["x-amazon-apigateway-integration"]
            assert integration["type"] == "mock", f"{method} {path}"
            continue
        assert operation.get("security") == [{"AWS_IAM": []}], f"{method} {path}"
    schemes = body["securityDefinitions"]
    assert schemes["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert "api_key" not in schemes  # API keys identify callers, they do not authenticate
    assert not _of_type(cfn, "AWS::ApiGateway::ApiKey")


def test_every_table_is_encrypted_with_kms(sam: dict[str, Any]) -> None:
    tables = _of_type(sam, "AWS::DynamoDB::Table")
    assert set(tables) > PERSONAL_DATA_TABLES
    for logical_id, table in tables.items():
        sse = table["Properties"]["SSESpecification"]
        assert sse["SSEEnabled"] is True, logical_id
        assert sse["SSEType"] == "KMS", logical_id
        if logical_id in PERSONAL_DATA_TABLES:
            assert sse["KMSMasterKeyId"] == {"Ref": "SubscriberDataKey"}, logical_id


def test_every_topic_uses_the_customer_key_but_the_declared_exception(
    sam: dict[str, Any],
) -> None:
    topics = _of_type(sam, "AWS::SNS::Topic")
    assert set(topics) >= UNENCRYPTED_TOPICS
    for logical_id, topic in topics.items():
        if logical_id not in UNENCRYPTED_TOPICS:
            assert topic["Properties"].get("KmsMasterKeyId") in (
                {"Ref": "SubscriberDataKey"},
                {"Fn::GetAtt": ["SubscriberDataKey", "Arn"]},
            ), logical_id
    # The segment topics are created by the subscriptions function, with the key it is
    # given here (test_citizen_api checks the attribute on a created topic).
    env = sam["Resources"]["SubscriptionsFunction"]["Properties"]["Environment"]["Variables"]
    assert env["SUBSCRIBER_DATA_KEY_ARN"] == {"Fn::GetAtt": ["SubscriberDataKey", "Arn"]}


def test_the_unencrypted_topic_carries_no_subscriber_data(sam: dict[str, Any]) -> None:
    """Alarms publish to it, and one function: the delivery check's canary notice (operator
    names, countries, segments, advisory ids; test_delivery_report.py checks that no phone
    number is in it). No other function may."""
    for logical_id, resource in _of_type(sam, "AWS::Serverless::Function").items():
        env = resource["Properties"].get("Environment", {}).get("Variables", {})
        names = [k for k, v in env.items() if v == {"Ref": "OperationsAlarmTopic"}]
        allowed = ["OPERATIONS_TOPIC_ARN"] if logical_id == "DeliveryReportFunction" else []
        assert names == allowed, logical_id
    for alarm in _of_type(sam, "AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OperationsAlarmTopic"}]
