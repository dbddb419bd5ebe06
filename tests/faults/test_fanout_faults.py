"""Faults between the advisories stream and SNS. Each test ends on the same question: did
every segment the advisory reaches get exactly one publish (or, inside the one crash window
the README states, at most two), and nothing lost?"""

from __future__ import annotations

import copy
import json

import pytest
from consular_alerts import bootstrap
from consular_alerts.adapters import aws_clients

from alerts_cli.replay import VersionKey, replay_record
from tests.conftest import EVENTS
from tests.faults.conftest import Pipeline, Tally, at_once
from tests.injection import (
    InvocationKilled,
    inject_client_error,
    inject_read_timeout,
    kill_invocation,
)


def exactly_once(pipeline: Pipeline, expected: set[str]) -> None:
    published = pipeline.published()
    assert set(published) == expected
    assert all(count == 1 for count in published.values()), published


@pytest.mark.parametrize(
    ("code", "status"),
    [("Throttling", 400), ("InternalError", 500), ("ServiceUnavailable", 503)],
)
@pytest.mark.parametrize("k", [1, 4, 6])
def test_sns_fault_on_the_kth_publish(
    pipeline: Pipeline, tally: Tally, code: str, status: int, k: int
) -> None:
    fault = pipeline.add(
        inject_client_error(
            aws_clients.sns_topic_publisher(), "Publish", code, status=status, on_call=k
        )
    )
    advisory = pipeline.post()
    pipeline.pump.drain()
    expected = pipeline.expected(advisory)
    assert len(expected) == 6
    assert fault.fired == 1
    assert pipeline.pump.invocations == 2  # the failed record, retried once
    exactly_once(pipeline, expected)
    assert pipeline.dead_letters() == []
    tally.record(pipeline, expected)


def test_sns_throttling_on_every_publish_ends_in_the_dead_letter_queue_not_lost(
    pipeline: Pipeline, tally: Tally
) -> None:
    fault = pipeline.add(
        inject_client_error(aws_clients.sns_topic_publisher(), "Publish", "Throttling", times=99)
    )
    advisory = pipeline.post()
    pipeline.pump.drain()
    # The mapping's 5 retries are spent, then its on-failure destination has the batch.
    assert pipeline.pump.invocations == 6
    assert fault.fired == 6
    assert pipeline.published() == {}
    [letter] = pipeline.dead_letters()
    assert letter["DDBStreamBatchInfo"]["batchSize"] == 1
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
    # Nothing is lost: after the fix, a replay publishes each segment once.
    pipeline.heal()
    report = pipeline.replay()
    assert report.replayed == 1
    assert report.versions == [f"{advisory['advisory_id']}#v1"]
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    assert pipeline.dead_letters() == []
    tally.record(pipeline, expected)


def test_a_refused_publish_is_recorded_not_retried_and_replayed_after_the_fix(
    pipeline: Pipeline, tally: Tally
) -> None:
    # A KMS key disabled by mistake, say: SNS refuses, and would again on every retry.
    fault = pipeline.add(
        inject_client_error(aws_clients.sns_topic_publisher(), "Publish", "KMSDisabled", on_call=3)
    )
    advisory = pipeline.post()
    pipeline.pump.drain()
    assert fault.fired == 1
    assert pipeline.pump.invocations == 1  # not retried
    expected = pipeline.expected(advisory)
    published = pipeline.published()
    assert sum(published.values()) == 5
    [refused] = expected - set(published)
    [letter] = pipeline.dead_letters()
    assert letter["segments"] == [refused]
    assert (letter["advisory_id"], letter["version"]) == (advisory["advisory_id"], 1)
    ledger = pipeline.stack.client("dynamodb").get_item(
        TableName=pipeline.stack.resources["DeliveryLedgerTable"],
        Key={"delivery_key": {"S": f"{advisory['advisory_id']}#v1"}, "segment": {"S": refused}},
    )["Item"]
    assert ledger["state"]["S"] == "refused"
    assert "KMSDisabled" in ledger["outcome"]["S"]

    # The same stream batch again (a redelivery) does not retry the refusal either.
    pipeline.pump = type(pipeline.pump)(pipeline.stack, pipeline.functions)
    pipeline.pump.drain()
    assert sum(pipeline.published().values()) == 5
    # ... but letters it again (its first letter may have died with an earlier attempt).
    assert [m["segments"] for m in pipeline.dead_letters()] == [[refused], [refused]]

    # While SNS still refuses, a replay keeps the letters and sends nothing.
    still = pipeline.add(
        inject_client_error(aws_clients.sns_topic_publisher(), "Publish", "KMSDisabled", times=99)
    )
    kept = pipeline.replay()
    assert (kept.replayed, len(kept.kept)) == (0, 2)
    assert sum(pipeline.published().values()) == 5
    assert still.fired == 2  # the refused segment, tried once per letter

    # The key is enabled again: `alerts replay` publishes the refused segment, only it.
    pipeline.heal()
    report = pipeline.replay()
    assert (report.replayed, report.kept) == (2, [])
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)


@pytest.mark.parametrize("k", [1, 5])
def test_a_read_timeout_keeps_the_claim_until_its_lease_ends(
    pipeline: Pipeline, tally: Tally, capsys: pytest.CaptureFixture[str], k: int
) -> None:
    # No answer in time: the fan-out cannot know whether SNS took the message, so it keeps
    # the claim; the retry waits out the lease (the clock moves as it waits) and takes over.
    fault = pipeline.add(
        inject_read_timeout(aws_clients.sns_topic_publisher(), "Publish", on_call=k)
    )
    started = pipeline.clock.now()
    advisory = pipeline.post()
    pipeline.pump.drain()
    assert fault.fired == 1
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)  # this timeout came before SNS: no duplicate
    # It waited out the lease, by the fan-out's clock: real time plus its waits (on a
    # loaded machine real time covers part of the lease, so the waits alone may not).
    assert (pipeline.clock.now() - started).total_seconds() >= 30
    assert possible_duplicates(capsys.readouterr().out) == 1  # and counted the risk
    tally.record(pipeline, expected)


def possible_duplicates(stdout: str) -> int:
    """PossibleDuplicatePublishes from the fan-out's metrics (EMF lines on stdout)."""
    total = 0
    for line in stdout.splitlines():
        if '"_aws"' in line and "PossibleDuplicatePublishes" in line:
            value = json.loads(line)["PossibleDuplicatePublishes"]
            total += int(sum(value) if isinstance(value, list) else value)
    return total


@pytest.mark.parametrize("k", [2, 6])
def test_an_invocation_killed_after_sns_accepted_is_the_one_duplicate_window(
    pipeline: Pipeline, tally: Tally, capsys: pytest.CaptureFixture[str], k: int
) -> None:
    # Lambda's timeout lands between SNS taking the k-th publish and the ledger recording
    # it. The retry cannot tell this from a publish that never happened: after the lease
    # it publishes that segment again. This is the stated crash window, and it is counted.
    fault = pipeline.add(kill_invocation(aws_clients.sns_topic_publisher(), "Publish", on_call=k))
    advisory = pipeline.post()
    with pytest.raises(InvocationKilled):
        pipeline.pump.drain()
    assert fault.fired == 1
    first = pipeline.published()
    assert sum(first.values()) == k
    pipeline.pump.drain()  # Lambda retries the batch
    expected = pipeline.expected(advisory)
    published = pipeline.published()
    assert set(published) == expected
    twice = {s for s, count in published.items() if count == 2}
    assert len(twice) == 1  # the one segment in the window
    assert all(count == 1 for s, count in published.items() if s not in twice)
    assert possible_duplicates(capsys.readouterr().out) == 1
    tally.record(pipeline, expected, crash_window=twice)


def test_an_invocation_killed_before_sns_answered_publishes_once(
    pipeline: Pipeline, tally: Tally
) -> None:
    fault = pipeline.add(
        kill_invocation(aws_clients.sns_topic_publisher(), "Publish", on_call=3, after=False)
    )
    advisory = pipeline.post()
    with pytest.raises(InvocationKilled):
        pipeline.pump.drain()
    pipeline.pump.drain()
    assert fault.fired == 1
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)


@pytest.mark.parametrize(
    ("operation", "times", "invocations"),
    [
        ("PutItem", 3, 1),  # the ledger claim: the SDK's retries absorb three throttles
        # Beyond them (5 attempts each time): the record fails, the mapping retries it twice.
        ("PutItem", 12, 3),
        ("UpdateItem", 3, 1),  # recording a publish
        ("UpdateItem", 8, 1),  # beyond the SDK: the fan-out's own retries record it
    ],
)
def test_dynamodb_throttling(
    pipeline: Pipeline, tally: Tally, operation: str, times: int, invocations: int
) -> None:
    advisory = pipeline.post()
    fault = pipeline.add(
        inject_client_error(
            aws_clients.dynamodb(),
            operation,
            "ProvisionedThroughputExceededException",
            on_call=1,
            times=times,
        )
    )
    pipeline.pump.drain()
    assert fault.fired == times
    assert pipeline.pump.invocations == invocations
    assert pipeline.sdk_sleeps  # the SDK backed off (recorded, not slept)
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)


def test_a_failed_claim_condition_with_the_claim_gone_is_tried_again_not_skipped(
    pipeline: Pipeline, tally: Tally
) -> None:
    # Another invocation held the claim when ours was refused, and gave it back (its publish
    # failed) before we read it: nothing says the segment was published, so it is not
    # skipped: it is claimed again after a moment.
    advisory = pipeline.post()
    conditional = pipeline.add(
        inject_client_error(
            aws_clients.dynamodb(), "PutItem", "ConditionalCheckFailedException", on_call=2
        )
    )
    pipeline.pump.drain()
    assert conditional.fired == 1
    assert pipeline.pump.invocations == 1
    assert pipeline.clock.offset.total_seconds() > 0  # it waited, then claimed
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)


def test_concurrent_fan_outs_of_one_version_publish_each_segment_once(
    atomic_dynamodb: None, pipeline: Pipeline, tally: Tally
) -> None:
    advisory = pipeline.post()
    item = pipeline.stack.client("dynamodb").get_item(
        TableName=pipeline.stack.resources["AdvisoriesTable"],
        Key={"advisory_id": {"S": advisory["advisory_id"]}, "version": {"N": "1"}},
    )["Item"]
    service = bootstrap.fanout_service()
    at_once(8, lambda _: service.fan_out_version(advisory["advisory_id"], 1, item))
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    # The stream's own delivery afterwards finds everything done.
    pipeline.pump.drain()
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)


def test_the_same_stream_batch_delivered_twice_publishes_nothing_the_second_time(
    pipeline: Pipeline, tally: Tally
) -> None:
    first = pipeline.post()
    second = pipeline.post("post-advisory-json.json")
    pipeline.pump.drain()
    expected = pipeline.expected(first) | pipeline.expected(second)
    before = pipeline.published()
    # From TRIM_HORIZON: every record again.
    again = type(pipeline.pump)(pipeline.stack, pipeline.functions, only={"FanoutFunction"})
    assert again.drain() >= 1
    assert pipeline.published() == before
    assert all(count == 1 for count in before.values())
    tally.record(pipeline, expected)


def test_a_poison_record_is_dead_lettered_and_the_batch_goes_on(
    pipeline: Pipeline, tally: Tally
) -> None:
    advisory = pipeline.post()
    stream = json.loads((EVENTS / "advisory-stream-insert.json").read_text("utf-8"))
    poison = copy.deepcopy(stream["Records"][0])
    poison["dynamodb"]["SequenceNumber"] = "1"
    poison["dynamodb"]["NewImage"]["countries"] = {"L": [{"S": "Narnia"}]}
    # A keys-only record: the fan-out reads the version from the table.
    good = replay_record(VersionKey(advisory["advisory_id"], 1), serial=2)
    response = pipeline.functions.invoke("FanoutFunction", {"Records": [poison, good]})
    assert response == {"batchItemFailures": []}
    [letter] = pipeline.dead_letters()
    assert letter["advisory_id"] == poison["dynamodb"]["Keys"]["advisory_id"]["S"]
    assert "countries" in letter["reason"]
    expected = pipeline.expected(advisory)
    exactly_once(pipeline, expected)
    tally.record(pipeline, expected)
