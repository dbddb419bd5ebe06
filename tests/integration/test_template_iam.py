"""IAM proven offline: every statement of every policy in the deployed template (after the SAM
transform) is checked against the IAM reference data policy_sentry ships (pinned): each action
exists; no Allow grants a wildcard action; each resource is of a type the action supports (an
action with no resource type, such as sns:Unsubscribe, takes only "*"); "*" where an action
does support resource types needs a stated reason. moto enforces no IAM, so without this a
policy AWS would refuse (or ignore) passes every other test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

import pytest
from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.all import get_all_actions
from policy_sentry.util.arns import does_arn_match

from alerts_local.stack import load_sam, translate

REGION, ACCOUNT, STACK = "us-east-1", "123456789012", "stack"
# Resource "*" for actions that do have resource types, each with its reason.
STAR_RESOURCE_REASONS = {
    "SendVerificationCodes": "an SMS to a phone number has no ARN (Publish with PhoneNumber)",
    "SendExerciseSmsToStaff": "an SMS to a phone number has no ARN (Publish with PhoneNumber)",
}
# AWS managed policies the template attaches (their documents are not in the template).
MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",  # SAM: logs
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",  # SAM: Tracing Active
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",  # SAM: the stream
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",  # SAM: email queue
    # API Gateway's account-wide logging role (template.yaml says why it is not narrowed).
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
}


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(load_sam())


# --- Resources: sample ARNs of the right shape for what a policy names ----------------------


def _arn_of(cfn: dict[str, Any], logical_id: str, attribute: str = "Arn") -> str:
    kind = cfn["Resources"][logical_id]["Type"]
    base = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:"
    shapes = {
        ("AWS::DynamoDB::Table", "Arn"): base.format("dynamodb") + f"table/{logical_id}",
        ("AWS::DynamoDB::Table", "StreamArn"): base.format("dynamodb")
        + f"table/{logical_id}/stream/2026-01-01T00:00:00.000",
        ("AWS::SQS::Queue", "Arn"): base.format("sqs") + logical_id,
        ("AWS::KMS::Key", "Arn"): base.format("kms") + "key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ("AWS::SNS::Topic", "Ref"): base.format("sns") + logical_id,
        ("AWS::SecretsManager::Secret", "Ref"): base.format("secretsmanager")
        + f"secret:{logical_id}-AbCdEf",
        ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::{logical_id.lower()}",
        ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{ACCOUNT}:role/{logical_id}",
    }
    try:
        return shapes[(kind, attribute)]
    except KeyError:
        raise AssertionError(f"no sample ARN for {kind}.{attribute} ({logical_id})") from None


def _name_of(cfn: dict[str, Any], logical_id: str) -> str:
    """What Ref gives inside an ARN being built: a name or an id (a parameter: its default)."""
    if logical_id in cfn.get("Parameters", {}):
        return str(cfn["Parameters"][logical_id]["Default"])
    kind = cfn["Resources"][logical_id]["Type"]
    if kind in {"AWS::SNS::Topic", "AWS::SecretsManager::Secret"}:
        return _arn_of(cfn, logical_id, "Ref")
    if kind == "AWS::CloudFront::Distribution":
        return "E2EXAMPLE"
    return logical_id.lower() if kind.startswith("AWS::ApiGateway::") else logical_id


def resolve(cfn: dict[str, Any], node: Any) -> str:
    """A policy's resource as a concrete ARN (wildcards kept), as CloudFormation would give it."""
    if isinstance(node, str):
        return node
    ((function, value),) = node.items()
    if function == "Ref":
        return _name_of(cfn, value)
    if function == "Fn::GetAtt":
        return _arn_of(cfn, value[0], value[1])
    if function == "Fn::Sub":
        text, variables = (value, {}) if isinstance(value, str) else value
        pseudo = {
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": STACK,
            "AWS::URLSuffix": "amazonaws.com",
        }

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return resolve(cfn, variables[name])
            if name in pseudo:
                return pseudo[name]
            if "." in name:
                return _arn_of(cfn, *name.split(".", 1))
            return _name_of(cfn, name)

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)
    raise AssertionError(f"cannot resolve {node!r}")


# --- The documents and their statements ------------------------------------------------------


def statements(cfn: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, kind, statement): kind is identity, resource (key, bucket, queue policies) or
    trust (who may assume a role)."""
    for logical_id, resource in cfn["Resources"].items():
        props = resource.get("Properties", {})
        documents = [("identity", p["PolicyDocument"]) for p in props.get("Policies", [])]
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            documents.append(("identity", props["PolicyDocument"]))
        elif "PolicyDocument" in props:
            documents.append(("resource", props["PolicyDocument"]))
        if "KeyPolicy" in props:
            documents.append(("resource", props["KeyPolicy"]))
        if "AssumeRolePolicyDocument" in props:
            documents.append(("trust", props["AssumeRolePolicyDocument"]))
        for kind, document in documents:
            for statement in document["Statement"]:
                where = f"{logical_id} {statement.get('Sid', '')}".strip()
                yield where, kind, statement


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def arn_formats(action: str) -> list[str]:
    service, name = action.split(":", 1)
    data = get_action_data(service, name).get(service, [])
    return [entry["resource_arn_format"] for entry in data]


def supports(action: str, arn: str) -> bool:
    """Whether `arn` is of a resource type `action` supports, per the IAM reference."""
    formats = [f for f in arn_formats(action) if f != "*"]
    return any(does_arn_match(arn, f) or _shape_matches(arn, f) for f in formats)


def _shape_matches(arn: str, arn_format: str) -> bool:
    """A second reading of the format, for names with '/' in them (log groups, API paths),
    which policy_sentry's matcher splits as if they were resource types."""
    pattern = ""
    for literal, variable in re.findall(r"([^$]*)(\$\{\w+\}|$)", arn_format):
        pattern += re.escape(literal)
        if variable in {"${Partition}", "${Region}", "${Account}"}:
            pattern += "[^:]*"
        elif variable:
            # A name between colons (or last after one) may hold '/': log-group:a/b:...
            pattern += "[^:]+" if literal.endswith(":") else "[^:/]+"
    return re.fullmatch(pattern, arn.replace("*", "x")) is not None


# --- The checks -------------------------------------------------------------------------------


def test_every_action_exists_in_the_iam_reference(cfn: dict[str, Any]) -> None:
    known = {a.lower() for a in get_all_actions()}
    checked = 0
    for where, _, statement in statements(cfn):
        for action in _listed(statement["Action"]):
            matching = [a for a in known if fnmatchcase(a, action.lower())]
            assert matching, f"{where}: {action} is no IAM action"
            checked += 1
    assert checked > 60


def test_no_allow_grants_a_wildcard_action(cfn: dict[str, Any]) -> None:
    for where, _, statement in statements(cfn):
        assert "NotAction" not in statement, where
        assert "NotResource" not in statement, where
        if statement["Effect"] == "Allow":
            for action in _listed(statement["Action"]):
                assert not set(action) & {"*", "?"}, f"{where}: {action}"


def test_every_resource_is_of_a_type_its_actions_support(cfn: dict[str, Any]) -> None:
    """What AWS checks and moto does not: an action scoped to an ARN of a type it does not
    support never matches (an Allow grants nothing, a Deny denies nothing)."""
    scoped = 0
    for where, kind, statement in statements(cfn):
        if kind != "identity" and not (kind == "resource" and "Resource" in statement):
            continue
        resources = [resolve(cfn, r) for r in _listed(statement["Resource"])]
        for action in _listed(statement["Action"]):
            if "*" in action:
                continue  # a Deny's wildcard (test_no_allow_grants_a_wildcard_action)
            for arn in resources:
                if arn == "*":
                    if kind == "identity" and any(f != "*" for f in arn_formats(action)):
                        assert where.split()[-1] in STAR_RESOURCE_REASONS, (
                            f"{where}: {action} on '*' though it supports resource types"
                        )
                    continue
                assert supports(action, arn), (
                    f"{where}: {action} does not take a resource like {arn} "
                    f"(IAM reference: {arn_formats(action)})"
                )
                scoped += 1
    assert scoped > 30


def test_actions_without_a_resource_type_are_granted_on_star_only(cfn: dict[str, Any]) -> None:
    """sns:Unsubscribe (subscription ARNs have no IAM resource type) is the citizen API's;
    scoped to topic ARNs, AWS would refuse it."""
    found = {}
    for where, kind, statement in statements(cfn):
        for action in _listed(statement["Action"]):
            if kind == "identity" and arn_formats(action) == ["*"]:
                found[action] = (where, statement["Resource"])
    assert found["sns:Unsubscribe"][1] == "*"
    assert all(resource == "*" for _, resource in found.values()), found


def test_the_functions_hold_only_what_their_adapters_call(cfn: dict[str, Any]) -> None:
    """The permissions issue 16 names as unused are gone, and no batch or scan action is left
    where the adapters make none (that every call made is granted: test_iam_calls.py)."""
    granted: dict[str, set[str]] = {}
    batch_reads: set[tuple[str, str]] = set()
    for where, kind, statement in statements(cfn):
        if kind == "identity" and statement["Effect"] == "Allow":
            role = where.split()[0]
            granted.setdefault(role, set()).update(_listed(statement["Action"]))
            if "dynamodb:BatchGetItem" in _listed(statement["Action"]):
                batch_reads.update((role, resolve(cfn, r)) for r in _listed(statement["Resource"]))
    citizen = granted["SubscriptionsFunctionRole"]
    assert not citizen & {"dynamodb:Scan", "dynamodb:BatchGetItem", "sns:SetTopicAttributes"}
    # Email goes through SES: no SNS email subscription's state is ever read.
    assert "sns:GetSubscriptionAttributes" not in citizen
    for role, actions in granted.items():
        batch = {a for a in actions if a.startswith("dynamodb:Batch")}
        assert batch <= {"dynamodb:BatchGetItem"}, role
        assert "dynamodb:DescribeTable" not in actions, role
        assert "sns:SetTopicAttributes" not in actions, role  # no adapter sets them
    # The batch reads: the internet state of an advisory's countries (shutdown mode,
    # adapters/dynamodb/countries.py), by the dry run and the fan-out; a segment's email
    # subscribers, 100 records a call (adapters/dynamodb/email_members.py); an exercise's
    # staff records, for their addresses (training mode, adapters/dynamodb/staff.py).
    countries = _arn_of(cfn, "CountriesTable")
    assert batch_reads == {
        ("IngestFunctionRole", countries),
        ("FanoutFunctionRole", countries),
        ("EmailDeliveryFunctionRole", _arn_of(cfn, "SubscribersTable")),
        ("FanoutFunctionRole", _arn_of(cfn, "SubscribersTable")),
    }
    scans = {role for role, actions in granted.items() if "dynamodb:Scan" in actions}
    # The feeds table is the list of feeds; the countries table the list of switches set.
    assert scans == {"FeedPollerFunctionRole", "CountriesFunctionRole"}
    # The fan-out gives a claim back (DeleteItem) after a publish that surely failed.
    assert "dynamodb:DeleteItem" in granted["FanoutFunctionRole"]


def test_audience_counters_reach_the_subscribers_table_only_to_count_email_members(
    cfn: dict[str, Any],
) -> None:
    """The dry run, approval and delivery report count a segment's email members (Select=COUNT
    on the index): Query on EmailSegmentMembers, and nothing of the table itself. The ingest
    function also counts the staff an exercise reaches from the StaffSubscribers index, which
    holds preferences and no address (training mode)."""
    table = _arn_of(cfn, "SubscribersTable")
    for role in ("IngestFunctionRole", "DeliveryReportFunctionRole"):
        on_subscribers = {
            (action, resolve(cfn, resource))
            for where, kind, statement in statements(cfn)
            if kind == "identity" and where.split()[0] == role and statement["Effect"] == "Allow"
            for resource in _listed(statement["Resource"])
            if resolve(cfn, resource).startswith(table)
            for action in _listed(statement["Action"])
        }
        staff = {("dynamodb:Query", f"{table}/index/StaffSubscribers")}
        expected = {("dynamodb:Query", f"{table}/index/EmailSegmentMembers")}
        assert on_subscribers == expected | (staff if role == "IngestFunctionRole" else set()), role


def test_only_known_aws_managed_policies_are_attached(cfn: dict[str, Any]) -> None:
    attached = {
        arn if isinstance(arn, str) else arn["Fn::Sub"]
        for resource in cfn["Resources"].values()
        for arn in resource.get("Properties", {}).get("ManagedPolicyArns", [])
    }
    assert attached == MANAGED_POLICIES


def test_the_checker_itself_refuses_what_aws_would() -> None:
    """The issue's case: sns:Unsubscribe scoped to topics; and a table action on an index."""
    assert not supports("sns:Unsubscribe", f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-seg-*")
    assert not supports("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/i")
    assert supports("dynamodb:Query", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/i")
    assert not supports("logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:sns/x")
    assert supports(
        "logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:sns/x/*:log-stream:*"
    )
