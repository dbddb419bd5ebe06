"""`alerts replay` against in-memory fakes of SQS, the stream and the fan-out: a message
leaves the queue only when what it names was found and fanned out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from alerts_cli.replay import Replayer
from tests.builders import a_stream_record


@dataclass
class FakeQueue:
    bodies: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def receive_message(self, **_: Any) -> dict[str, Any]:
        return {
            "Messages": [
                {"MessageId": mid, "ReceiptHandle": mid, "Body": body}
                for mid, body in self.bodies.items()
                if mid not in self.deleted
            ][:10]
        }

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.deleted.append(ReceiptHandle)

    def change_message_visibility(self, **_: Any) -> None:
        return None


@dataclass
class FakeStream:
    """Pages of records; GetRecords may answer empty pages first, as DynamoDB Streams may."""

    pages: list[list[dict[str, Any]]]

    def get_shard_iterator(self, **_: Any) -> dict[str, str]:
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        page = int(ShardIterator)
        following = str(page + 1) if page + 1 < len(self.pages) else None
        return {"Records": self.pages[page], "NextShardIterator": following}


@dataclass
class FakeFanout:
    events: list[dict[str, Any]] = field(default_factory=list)

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"batchItemFailures": []}

    def invoke_async(self, function: str, event: dict[str, Any]) -> None:
        self.events.append(event)


BATCH = json.dumps(
    {
        "DDBStreamBatchInfo": {
            "shardId": "shard-1",
            "startSequenceNumber": "100",
            "endSequenceNumber": "101",
            "streamArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
        }
    }
)


def test_empty_pages_before_the_records_are_followed() -> None:
    queue, fanout = FakeQueue({"m1": BATCH}), FakeFanout()
    stream = FakeStream(
        [[], [], [a_stream_record(100, 0), a_stream_record(101, 2)], [a_stream_record(102, 3)]]
    )
    report = Replayer(queue, stream, fanout, "q", "fanout").run()
    assert report.versions == ["mfa-kg-a#v2"]  # the head item and v3 (past the range) not
    assert (report.replayed, queue.deleted) == (1, ["m1"])


def test_a_range_with_no_version_found_is_kept_not_deleted() -> None:
    queue, fanout = FakeQueue({"m1": BATCH}), FakeFanout()
    report = Replayer(queue, FakeStream([[] for _ in range(30)]), fanout, "q", "fanout").run()
    assert queue.deleted == []
    assert fanout.events == []
    assert len(report.kept) == 1
    assert "no advisory version found in stream records 100..101" in report.kept[0]
