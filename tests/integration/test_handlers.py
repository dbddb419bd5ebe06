"""The real handlers against moto, with every resource created from template.yaml."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from consular_alerts.adapters import aws_clients

from alerts_local.lambdas import LocalFunctions
from alerts_local.outbox import Outbox
from alerts_local.stack import DeployedStack
from alerts_local.streams import StreamPump
from tests.conftest import EVENTS
from tests.injection import inject_client_error


def event(name: str, **changes: Any) -> dict[str, Any]:
    data = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    data.update(changes)
    return data


def body(response: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(response["body"]))


def count_items(stack: DeployedStack, table: str) -> int:
    client = stack.client("dynamodb")
    return int(client.scan(TableName=stack.resources[table], Select="COUNT")["Count"])


@pytest.fixture
def functions(stack: DeployedStack) -> LocalFunctions:
    return LocalFunctions(stack)


def test_seed_post_is_stored_as_version_1_for_kz_with_its_hotlines(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    response = functions.invoke("IngestFunction", event("post-advisory-seed.json"))
    assert response["statusCode"] == 201
    reply = body(response)
    assert reply["version"] == 1
    advisory = reply["advisory"]
    assert advisory["countries"][0] == "KZ"
    assert [h["number"] for h in advisory["hotlines"]] == [
        "+996772454444",
        "+77770371448",
        "+77778150072",
    ]
    assert list(advisory["content"]) == ["ru"]
    assert count_items(stack, "AdvisoriesTable") == 2  # version 1 + head


def test_unchanged_repost_is_200_with_the_existing_version(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    first = body(functions.invoke("IngestFunction", event("post-advisory-seed.json")))
    again = functions.invoke("IngestFunction", event("post-advisory-seed.json"))
    assert again["statusCode"] == 200
    assert body(again)["advisory_id"] == first["advisory_id"]
    assert body(again)["version"] == 1
    assert body(again)["status"] == "unchanged"
    assert count_items(stack, "AdvisoriesTable") == 2


def test_changed_json_advisory_becomes_version_2(functions: LocalFunctions) -> None:
    original = event("post-advisory-json.json")
    first = body(functions.invoke("IngestFunction", original))
    changed = copy.deepcopy(original)
    payload = json.loads(changed["body"])
    payload["level"] = 4
    changed["body"] = json.dumps(payload)
    response = functions.invoke("IngestFunction", changed)
    assert response["statusCode"] == 201
    assert body(response)["advisory_id"] == first["advisory_id"]
    assert body(response)["version"] == 2


@pytest.mark.parametrize(
    ("content_type", "payload", "status", "names"),
    [
        ("application/json", "{not json", 400, "invalid JSON at line 1"),
        (
            "application/json",
            '{"countries": ["XX"], "level": 3, "content": {}}',
            422,
            "countries.0",
        ),
        (
            "application/json",
            '{"countries": ["KZ"], "level": 7, "content": {"ru": {"headline": "x"}}}',
            422,
            "level",
        ),
        ("image/png", "<alert/>", 415, "content-type"),
        ("application/cap+xml", "<alert/>", 422, "identifier"),
        ("text/plain", "   ", 422, "text"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_problem_and_stores_nothing(
    stack: DeployedStack,
    functions: LocalFunctions,
    content_type: str,
    payload: str,
    status: int,
    names: str,
) -> None:
    bad = event("post-advisory-json.json", body=payload)
    bad["headers"] = {"Content-Type": content_type}
    response = functions.invoke("IngestFunction", bad)
    assert response["statusCode"] == status
    assert names in body(response)["error"]
    assert count_items(stack, "AdvisoriesTable") == 0


def _subscribe_and_verify(
    stack: DeployedStack, functions: LocalFunctions, payload: dict[str, Any]
) -> dict[str, Any]:
    response = functions.invoke(
        "SubscriptionsFunction", event("subscribe-sms.json", body=json.dumps(payload))
    )
    assert response["statusCode"] == 202, response
    return _verify(stack, functions, payload, body(response)["subscription_id"])


def _verify(
    stack: DeployedStack, functions: LocalFunctions, payload: dict[str, Any], subscription_id: str
) -> dict[str, Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID][stack.region]
    code = next(
        text.split("код подтверждения ")[1][:6]
        for phone, text in reversed(backend.sms_messages.values())
        if phone == payload["address"]
    )
    verify = event(
        "verify-subscription.json",
        path=f"/subscriptions/{subscription_id}/verify",
        pathParameters={"subscription_id": subscription_id},
        body=json.dumps({"code": code}),
    )
    response = functions.invoke("SubscriptionsFunction", verify)
    assert response["statusCode"] == 200, response
    return body(response)


def test_sms_subscription_appears_only_after_verification(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    sns = stack.client("sns")
    payload = {
        "channel": "sms",
        "address": "+77011234567",
        "countries": ["KZ"],
        "language": "ru",
        "min_level": 1,
    }
    response = functions.invoke(
        "SubscriptionsFunction", event("subscribe-sms.json", body=json.dumps(payload))
    )
    assert response["statusCode"] == 202
    mine = [t for t in sns.list_topics()["Topics"] if f"{stack.name}-seg-" in t["TopicArn"]]
    assert mine == []  # no topic, so certainly no subscription, before the code

    functions_reply = _verify(stack, functions, payload, body(response)["subscription_id"])
    assert functions_reply["status"] == "active"
    topic = f"arn:aws:sns:us-east-1:123456789012:{stack.name}-seg-KZ-ru-L1"
    endpoints = [
        s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    ]
    assert "+77011234567" in endpoints


def test_fanout_publishes_per_segment_once_even_when_records_repeat(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    _subscribe_and_verify(
        stack,
        functions,
        {
            "channel": "sms",
            "address": "+77710009998",
            "countries": ["KZ"],
            "language": "ru",
            "min_level": 1,
        },
    )
    functions.invoke("IngestFunction", event("post-advisory-seed.json"))
    pump = StreamPump(stack, functions, only={"FanoutFunction"})
    outbox = Outbox(stack.region, topic_prefix=f"{stack.name}-seg-")
    assert pump.drain() == 1

    deliveries = outbox.collect()
    assert [(d.channel, d.address, d.topic) for d in deliveries] == [
        ("sms", "+77710009998", f"{stack.name}-seg-KZ-ru-L1")
    ]
    assert deliveries[0].encoding == "ucs2"
    assert deliveries[0].segments <= 2
    assert "+996772454444" in deliveries[0].text

    # Replay the whole stream from the start, as a retried batch would.
    replay = StreamPump(stack, functions, only={"FanoutFunction"})
    assert replay.drain() == 1
    assert outbox.collect() == []


def test_fanout_reports_partial_batch_failures(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    record = json.loads((EVENTS / "advisory-stream-insert.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(record["Records"][0])
    broken["dynamodb"]["SequenceNumber"] = "999"
    broken["dynamodb"]["NewImage"]["level"] = {"N": "9"}
    sqs = stack.client("sqs")
    sns = stack.client("sns")
    queue = stack.resources["FanoutFailureQueue"]
    topic = sns.create_topic(Name=f"{stack.name}-seg-TR-ru-L1")["TopicArn"]
    sequence = record["Records"][0]["dynamodb"]["SequenceNumber"]

    # A transient fault (SNS throttling) fails the record for the stream mapping to retry.
    throttled = inject_client_error(aws_clients.sns_topic_publisher(), "Publish", "Throttling")
    response = functions.invoke("FanoutFunction", {"Records": [record["Records"][0]]})
    throttled.remove()
    assert throttled.fired == 1
    assert response == {"batchItemFailures": [{"itemIdentifier": sequence}]}

    # A poison record: no retry would fix it, so it is dead-lettered at once and the batch
    # goes on (a retried poison record would hold up the shard behind it).
    response = functions.invoke("FanoutFunction", {"Records": [record["Records"][0], broken]})
    assert response == {"batchItemFailures": []}
    letters = [
        json.loads(m["Body"])
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    ]
    assert [(m["version"], m["segments"]) for m in letters] == [(1, [])]
    assert "level" in letters[0]["reason"]
    assert len(sent_to(stack, topic)) == 1  # the retried record went out, once


def sent_to(stack: DeployedStack, topic_arn: str) -> list[Any]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][stack.region].topics[topic_arn].sent_notifications)


def test_dry_run_previews_and_stores_nothing(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    preview_event = event("post-advisory-seed.json")
    preview_event["queryStringParameters"] = {"dry_run": "true"}
    response = functions.invoke("IngestFunction", preview_event)
    assert response["statusCode"] == 200
    reply = body(response)
    assert reply["dry_run"] is True
    assert reply["would_store"] is True
    assert reply["would_notify"] is True
    assert reply["version"] == 1
    assert sorted(reply["preview"]) == ["en", "ky", "ru"]
    assert reply["preview"]["ru"]["sms"]["segments"] <= 2
    assert count_items(stack, "AdvisoriesTable") == 0

    functions.invoke("IngestFunction", event("post-advisory-seed.json"))
    again = body(functions.invoke("IngestFunction", preview_event))
    assert again["would_store"] is False
    assert again["would_notify"] is False
    assert "unchanged" in again["reason"]
    assert count_items(stack, "AdvisoriesTable") == 2


CAP_ALERT = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "almaty-alert.cap"


def cap_event(xml: str) -> dict[str, Any]:
    posted = event("post-advisory-json.json", body=xml)
    posted["headers"] = {"Content-Type": "application/cap+xml"}
    return posted


def test_cap_alert_posted_to_the_api_is_stored(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    response = functions.invoke("IngestFunction", cap_event(CAP_ALERT.read_text("utf-8")))
    assert response["statusCode"] == 201, response
    advisory = body(response)["advisory"]
    assert advisory["countries"] == ["KZ"]
    assert advisory["level"] == 3
    assert advisory["severity"] == "Severe"


def test_cap_update_supersedes_and_cancel_closes_the_referenced_alert(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    original = CAP_ALERT.read_text("utf-8")
    first = body(functions.invoke("IngestFunction", cap_event(original)))
    cancel = original.replace("KG-MFA-2022-0006", "KG-MFA-2022-0007").replace(
        "<msgType>Alert</msgType>",
        "<msgType>Cancel</msgType><references>"
        "alerts@mfa.gov.kg,KG-MFA-2022-0006,2022-01-06T03:00:00+06:00</references>",
    )
    response = functions.invoke("IngestFunction", cap_event(cancel))
    assert response["statusCode"] == 201, response
    assert body(response)["advisory"]["references"] == [first["advisory_id"]]
    head = stack.client("dynamodb").get_item(
        TableName=stack.resources["AdvisoriesTable"],
        Key={"advisory_id": {"S": first["advisory_id"]}, "version": {"N": "0"}},
    )["Item"]
    assert head["lifecycle"] == {"S": "closed"}
    assert head["replaced_by"]["S"].startswith(body(response)["advisory_id"])


def test_cap_with_a_dtd_is_refused_and_nothing_is_stored(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + CAP_ALERT.read_text("utf-8").split("?>", 1)[1].replace("Civil unrest", "&xxe;")
    )
    response = functions.invoke("IngestFunction", cap_event(hostile))
    assert response["statusCode"] == 422
    assert "DTD" in body(response)["error"]
    assert count_items(stack, "AdvisoriesTable") == 0


def test_cap_in_a_legacy_encoding_is_read_as_its_prolog_declares(
    functions: LocalFunctions,
) -> None:
    import base64

    xml = CAP_ALERT.read_text("utf-8").replace('encoding="UTF-8"', 'encoding="windows-1251"')
    xml = xml.replace("Unrest in Almaty, Kazakhstan", "Беспорядки в Алматы, Казахстан")
    posted = cap_event("")
    posted["body"] = base64.b64encode(xml.encode("cp1251")).decode("ascii")
    posted["isBase64Encoded"] = True  # CAP is a binary media type on the publisher API
    response = functions.invoke("IngestFunction", posted)
    assert response["statusCode"] == 201, response
    content = body(response)["advisory"]["content"]
    assert "Беспорядки в Алматы, Казахстан" in [c["headline"] for c in content.values()]
