"""template.yaml, citizen side: addresses encrypted with a customer-managed key, a key policy
without wildcard actions, the link secret generated (never in the repository), abuse limits
as parameters, and a tighter stage throttle on the requests that send an SMS."""

from __future__ import annotations

from typing import Any

import pytest


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_the_key_policy_lists_explicit_actions_only(sam: dict[str, Any]) -> None:
    key = sam["Resources"]["SubscriberDataKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    for statement in statements:
        for action in _actions(statement):
            assert action.startswith("kms:")
            assert "*" not in action, f"{statement['Sid']} allows {action}"
    by_sid = {s["Sid"]: s for s in statements}
    # Whoever may use the key through DynamoDB is this account's, and only through DynamoDB.
    dynamodb = by_sid["DynamoDbEncryptsTheTables"]["Condition"]["StringEquals"]
    assert set(dynamodb) == {"kms:CallerAccount", "kms:ViaService"}
    assert set(_actions(by_sid["SnsDeliversFromEncryptedTopics"])) == {
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    assert "kms:PutKeyPolicy" in _actions(by_sid["AccountAdministersTheKey"])  # no lock-out


@pytest.mark.parametrize("table", ["SubscribersTable", "RateLimitsTable"])
def test_tables_with_addresses_or_their_hashes_use_the_key_and_expire_items(
    sam: dict[str, Any], table: str
) -> None:
    props = sam["Resources"][table]["Properties"]
    assert props["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Ref": "SubscriberDataKey"},
    }
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_the_subscriber_indexes_hold_no_address(sam: dict[str, Any]) -> None:
    indexes = sam["Resources"]["SubscribersTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert sorted(index["IndexName"] for index in indexes) == [
        "ByLookupHash",
        "EmailSegmentMembers",
        "StaffSubscribers",
    ]
    for index in indexes:  # no address, not even encrypted, copied into an index
        if index["IndexName"] == "StaffSubscribers":
            # The staff's preferences, so a dry run counts them without reading a record.
            assert index["Projection"] == {
                "ProjectionType": "INCLUDE",
                "NonKeyAttributes": ["countries", "language", "min_level"],
            }
        else:
            assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_the_link_secret_is_generated_not_written_down(sam: dict[str, Any]) -> None:
    secret = sam["Resources"]["LinkSigningSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    env = sam["Resources"]["SubscriptionsFunction"]["Properties"]["Environment"]["Variables"]
    assert env["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningSecret"}
    assert env["SUBSCRIBER_DATA_KEY_ARN"] == {"Fn::GetAtt": ["SubscriberDataKey", "Arn"]}


def test_abuse_limits_are_parameters_with_the_documented_defaults(sam: dict[str, Any]) -> None:
    parameters = sam["Parameters"]
    env = sam["Resources"]["SubscriptionsFunction"]["Properties"]["Environment"]["Variables"]
    for name, variable, default in [
        ("CodesPerPhonePerHour", "CODES_PER_PHONE_PER_HOUR", 3),
        ("CodesPerClientPerHour", "CODES_PER_CLIENT_PER_HOUR", 10),
        ("CodesPerPrefixPerHour", "CODES_PER_PREFIX_PER_HOUR", 20),
        ("CodesPerHour", "CODES_PER_HOUR", 500),
        ("CodeResendCooldownSeconds", "CODE_RESEND_COOLDOWN_SECONDS", 60),
    ]:
        assert parameters[name]["Default"] == default
        assert env[variable] == {"Ref": name}


def test_the_stage_throttles_the_requests_that_send_sms_tighter(cfn: dict[str, Any]) -> None:
    stages = [
        r["Properties"]
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::ApiGateway::Stage"
        and r["Properties"]["RestApiId"] == {"Ref": "CitizenApi"}
    ]
    (stage,) = stages
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["MethodSettings"]}
    default = settings[("/*", "*")]["ThrottlingRateLimit"]
    for path in (
        "/~1subscriptions",
        "/~1subscriptions~1code",
        "/~1subscriptions~1{subscription_id}~1code",
    ):
        assert settings[(path, "POST")]["ThrottlingRateLimit"] < default


def test_the_citizen_function_gets_no_more_than_it_uses(cfn: dict[str, Any]) -> None:
    role = cfn["Resources"]["SubscriptionsFunctionRole"]["Properties"]
    statements = {
        s.get("Sid"): s
        for policy in role["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
        if s.get("Sid")
    }
    assert statements["CountAbuseLimits"]["Action"] == ["dynamodb:UpdateItem"]
    assert statements["ReadTheLinkSigningSecret"]["Resource"] == {"Ref": "LinkSigningSecret"}
    assert statements["UseTheSubscriberDataKey"]["Resource"] == {
        "Fn::GetAtt": ["SubscriberDataKey", "Arn"]
    }
    for statement in statements.values():
        for action in _actions(statement):
            assert "*" not in action
