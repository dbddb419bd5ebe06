"""Faults at the publisher API: one advisory posted under storage throttling, or by many
duty officers (or retrying clients) at once, is stored as one version and sent once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from consular_alerts import bootstrap
from consular_alerts.adapters import aws_clients

from tests.conftest import EVENTS
from tests.faults.conftest import Pipeline, Tally, at_once
from tests.injection import inject_client_error


def stored_items(pipeline: Pipeline) -> int:
    client = pipeline.stack.client("dynamodb")
    table = pipeline.stack.resources["AdvisoriesTable"]
    return int(client.scan(TableName=table, Select="COUNT")["Count"])


def seed_event() -> dict[str, Any]:
    return dict(json.loads((EVENTS / "post-advisory-seed.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "InternalServerError"])
def test_storage_faults_beyond_the_sdk_answer_503_and_store_nothing(
    pipeline: Pipeline, tally: Tally, code: str
) -> None:
    fault = pipeline.add(
        inject_client_error(
            aws_clients.dynamodb(),
            "TransactWriteItems",
            code,
            status=500 if code == "InternalServerError" else 400,
            times=5,
        )
    )
    response = pipeline.functions.invoke("IngestFunction", seed_event())
    assert fault.fired == 5
    assert response["statusCode"] == 503
    assert response["multiValueHeaders"]["Retry-After"] == ["2"]
    assert code in json.loads(response["body"])["error"]
    assert "nothing was stored" in json.loads(response["body"])["error"]
    assert stored_items(pipeline) == 0
    assert pipeline.pump.drain() == 0  # nothing to send
    assert pipeline.published() == {}

    # The duty officer posts again: stored once, sent once.
    advisory = pipeline.post()
    assert advisory["version"] == 1
    pipeline.pump.drain()
    expected = pipeline.expected(advisory)
    assert pipeline.published() == dict.fromkeys(expected, 1)
    tally.record(pipeline, expected)


def test_throttling_the_sdk_absorbs_is_invisible_to_the_duty_officer(
    pipeline: Pipeline, tally: Tally
) -> None:
    fault = pipeline.add(
        inject_client_error(
            aws_clients.dynamodb(), "TransactWriteItems", "ThrottlingException", times=3
        )
    )
    advisory = pipeline.post()
    assert fault.fired == 3
    assert advisory["status"] == "created"
    pipeline.pump.drain()
    expected = pipeline.expected(advisory)
    assert pipeline.published() == dict.fromkeys(expected, 1)
    tally.record(pipeline, expected)


def test_the_same_advisory_posted_from_many_threads_is_one_version_sent_once(
    atomic_dynamodb: None, pipeline: Pipeline, tally: Tally
) -> None:
    # The ingest service shared by 16 threads, as 16 concurrent Lambda containers would
    # share the table: the conditional write on the head lets exactly one create v1.
    from consular_alerts.api_requests import publication_from_request

    event = seed_event()
    publication = publication_from_request(
        event["body"].encode(), event["headers"]["Content-Type"], {}
    )
    service = bootstrap.ingest_service()
    results = at_once(16, lambda _: service.ingest(publication))
    assert sum(1 for r in results if r.created) == 1
    assert {r.advisory.version for r in results} == {1}
    assert stored_items(pipeline) == 2  # the head and version 1
    pipeline.pump.drain()
    record = results[0].advisory
    expected = pipeline.expected({"advisory": record.to_record()})
    assert pipeline.published() == dict.fromkeys(expected, 1)
    tally.record(pipeline, expected)


def test_a_changed_advisory_posted_concurrently_with_the_original_never_loses_either(
    atomic_dynamodb: None,
    pipeline: Pipeline,
) -> None:
    # Two different texts for one advisory id, posted at once many times: each content is
    # stored once, versions are contiguous, and each version reaches each segment once.
    from consular_alerts.api_requests import publication_from_request
    from consular_alerts.errors import StaleContentError
    from consular_alerts.services.ingest import IngestResult

    base = json.loads((EVENTS / "post-advisory-json.json").read_text(encoding="utf-8"))
    body = json.loads(base["body"])
    changed = dict(body, level=min(4, int(body.get("level", 2)) + 1))
    publications = [
        publication_from_request(json.dumps(b).encode(), "application/json", {})
        for b in (body, changed)
    ]
    service = bootstrap.ingest_service()

    def post(i: int) -> IngestResult | StaleContentError:
        try:
            return service.ingest(publications[i % 2])
        except StaleContentError as stale:
            return stale

    answers = at_once(12, post)
    assert len(answers) == 12
    results = [r for r in answers if isinstance(r, IngestResult)]
    created = sorted(r.advisory.version for r in results if r.created)
    # The content stored second lands as v2, whatever the head did meanwhile; posts of the
    # first content that come after it are stale (409), never a v3 rolling it back: every
    # post is stored, found unchanged or refused as stale, none lost.
    assert created == [1, 2]
    assert all(a.current_version == 2 for a in answers if isinstance(a, StaleContentError))
    assert len({r.advisory.content_hash for r in results if r.created}) == 2
    assert stored_items(pipeline) == len(created) + 1
    pipeline.pump.drain()
    # Exactly once per (version, segment): every publish is one ledger entry, and back.
    ledger = pipeline.stack.client("dynamodb").scan(
        TableName=pipeline.stack.resources["DeliveryLedgerTable"]
    )["Items"]
    done = [
        i
        for i in ledger
        if "state" in i  # not an advisory's sent digests
        and i["state"]["S"] == "done"
        and i["outcome"]["S"] not in {"no-audience", "repeated"}
    ]
    assert len({(i["delivery_key"]["S"], i["segment"]["S"]) for i in done}) == len(done)
    assert sum(pipeline.published().values()) == len(done) > 0
