"""`alerts teardown` on a stack created from template.yaml in moto: the run-time segment
topics, their subscriptions and every version in the site bucket go; nothing else does."""

from __future__ import annotations

import uuid

import pytest

from alerts_cli.cli import main
from alerts_local.stack import DeployedStack

PHONE = "+77011234567"
EMAIL = "citizen@example.org"


@pytest.fixture
def moto_env(stack: DeployedStack, monkeypatch: pytest.MonkeyPatch) -> DeployedStack:
    """The command builds its own clients: point them at moto."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.endpoint_url)
    return stack


def _topic(stack: DeployedStack, name: str, *endpoints: tuple[str, str]) -> str:
    sns = stack.client("sns")
    arn: str = sns.create_topic(Name=name)["TopicArn"]
    for protocol, endpoint in endpoints:
        sns.subscribe(
            TopicArn=arn, Protocol=protocol, Endpoint=endpoint, ReturnSubscriptionArn=True
        )
    return arn


def _topics(stack: DeployedStack) -> set[str]:
    pages = stack.client("sns").get_paginator("list_topics").paginate()
    return {topic["TopicArn"] for page in pages for topic in page["Topics"]}


def _subscribed_topics(stack: DeployedStack) -> set[str]:
    pages = stack.client("sns").get_paginator("list_subscriptions").paginate()
    return {entry["TopicArn"] for page in pages for entry in page["Subscriptions"]}


def _versions(stack: DeployedStack, bucket: str) -> int:
    listing = stack.client("s3").list_object_versions(Bucket=bucket)
    return len(listing.get("Versions", [])) + len(listing.get("DeleteMarkers", []))


def test_teardown_removes_segment_topics_and_every_site_version_and_nothing_else(
    moto_env: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = moto_env
    segments = {
        _topic(stack, f"{stack.name}-seg-KZ-ru-L1", ("sms", PHONE), ("email", EMAIL)),
        _topic(stack, f"{stack.name}-seg-KG-ky-L2", ("sms", "+996700123456")),
    }
    # Not this stack's segments: a stack named "<stack>-seg-x", another stack, and the alarm
    # topic with its on-call subscription.
    lookalike = _topic(stack, f"{stack.name}-seg-x-seg-KZ-ru-L1", ("sms", PHONE))
    other = _topic(stack, f"o{uuid.uuid4().hex[:8]}-seg-KZ-ru-L1", ("sms", PHONE))
    alarms = stack.resources["OperationsAlarmTopic"]
    stack.client("sns").subscribe(TopicArn=alarms, Protocol="email", Endpoint="oncall@example.org")

    s3 = stack.client("s3")
    bucket = stack.resources["WebBucket"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket=bucket, Key="index.html", Body=body)
    s3.put_object(Bucket=bucket, Key="old.html", Body=b"gone")
    s3.delete_object(Bucket=bucket, Key="old.html")  # a delete marker over a version
    assert _versions(stack, bucket) == 4
    unrelated_bucket = f"unrelated-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=unrelated_bucket)
    s3.put_object(Bucket=unrelated_bucket, Key="keep.txt", Body=b"keep")

    # Without --yes: the plan, one line on stderr, exit 2, nothing touched.
    assert main(["teardown", "--stack", stack.name, "--region", stack.region]) == 2
    listed = capsys.readouterr()
    assert "2 segment topic(s) created at run time, with 3 subscription(s) (1 email, 2 sms)" in (
        listed.out
    )
    assert f"bucket {bucket}: 3 object version(s) and 1 delete marker(s)" in listed.out
    assert listed.err.count("\n") == 1
    assert "run again with --yes" in listed.err
    assert segments <= _topics(stack)
    assert _versions(stack, bucket) == 4

    assert main(["teardown", "--stack", stack.name, "--region", stack.region, "--yes"]) == 0
    done = capsys.readouterr()

    assert not segments & _topics(stack)
    assert not segments & _subscribed_topics(stack)
    assert _versions(stack, bucket) == 0
    assert {lookalike, other, alarms} <= _topics(stack)
    assert {lookalike, other, alarms} <= _subscribed_topics(stack)
    assert s3.list_objects_v2(Bucket=unrelated_bucket)["KeyCount"] == 1
    dynamodb = stack.client("dynamodb")
    for table in ("AdvisoriesTable", "SubscribersTable", "RateLimitsTable", "FeedsTable"):
        dynamodb.describe_table(TableName=stack.resources[table])  # still there
    assert "Removed 3 subscription(s) and 2 topic(s); deleted 4 object version(s)" in done.out
    assert f"sam delete --stack-name {stack.name} --region {stack.region}" in done.out
    assert "AdvisoriesTable (AWS::DynamoDB::Table)" in listed.out  # retained, and said so
    assert "SubscribersTable (AWS::DynamoDB::Table)" in listed.out
    for text in (listed.out, listed.err, done.out, done.err):
        assert PHONE not in text
        assert EMAIL not in text


def test_teardown_after_the_stack_is_gone_still_removes_its_topics(
    moto_env: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = f"g{uuid.uuid4().hex[:8]}"
    topic = _topic(moto_env, f"{gone}-seg-TR-en-L3", ("sms", PHONE))

    assert main(["teardown", "--stack", gone, "--region", moto_env.region, "--yes"]) == 0

    out = capsys.readouterr().out
    assert "no such stack: no bucket to empty" in out
    assert "sam delete" not in out
    assert topic not in _topics(moto_env)
