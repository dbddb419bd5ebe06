"""Plays Lambda's DynamoDB event-source mappings against moto's stream.

Reads the real stream records, applies the mapping's filter (moto's EventBridge pattern
matcher, stack.StreamMapping), batch size, partial-batch responses, retry limit and on-failure
queue as declared in template.yaml.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection
from datetime import datetime
from typing import Any

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack, StreamMapping


def _lambda_shape(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """boto3 parses timestamps; Lambda delivers them as epoch seconds."""
    shaped: dict[str, Any] = json.loads(json.dumps(record, default=_epoch))
    shaped["eventSourceARN"] = stream_arn
    return shaped


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _passes(mapping: StreamMapping, record: dict[str, Any]) -> bool:
    """Lambda passes a record that matches any one of the filters (every record without)."""
    return not mapping.filters or any(
        # moto types its matcher for EventBridge events; it matches any JSON object.
        pattern.matches_event(record)  # type: ignore[arg-type]
        for pattern in mapping.filters
    )


class _Shard:
    def __init__(self, shard_id: str, iterator: str) -> None:
        self.shard_id = shard_id
        self.iterator = iterator
        self.pending: list[dict[str, Any]] = []
        self.attempts = 0


class StreamPump:
    def __init__(
        self,
        stack: DeployedStack,
        functions: LocalFunctions,
        only: Collection[str] | None = None,
    ) -> None:
        """`only`: the functions whose mappings are played (None: every mapping), for a
        test or a measure of one consumer of the stream."""
        self._stack = stack
        self._functions = functions
        self._mappings = [
            m for m in stack.stream_mappings if only is None or m.function in set(only)
        ]
        self._streams = stack.client("dynamodbstreams")
        self._dynamodb = stack.client("dynamodb")
        self._sqs = stack.client("sqs")
        # Per mapping: each function reads the stream from its own position, as Lambda's
        # event-source mappings do (the fan-out and the CAP feed read the same stream).
        self._shards: dict[tuple[str, str, str], _Shard] = {}
        self._lock = threading.RLock()
        self.invocations = 0
        self.dead_lettered = 0

    def _stream_arn(self, mapping: StreamMapping) -> str:
        table = self._stack.resources[mapping.table]
        return str(self._dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"])

    def drain(self) -> int:
        """Deliver every record now in the streams; the number of handler invocations."""
        with self._lock:
            before = self.invocations
            for mapping in self._mappings:
                self._drain_mapping(mapping)
            return self.invocations - before

    def _drain_mapping(self, mapping: StreamMapping) -> None:
        arn = self._stream_arn(mapping)
        description = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]
        for shard_info in description["Shards"]:
            key = (mapping.function, arn, shard_info["ShardId"])
            if key not in self._shards:
                iterator = self._streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_info["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                self._shards[key] = _Shard(shard_info["ShardId"], iterator)
            shard = self._shards[key]
            response = self._streams.get_records(ShardIterator=shard.iterator)
            shard.iterator = response.get("NextShardIterator") or shard.iterator
            shard.pending += [
                record
                for record in (_lambda_shape(r, arn) for r in response["Records"])
                if _passes(mapping, record)
            ]
            while shard.pending:
                self._deliver(mapping, shard)

    def _deliver(self, mapping: StreamMapping, shard: _Shard) -> None:
        batch = shard.pending[: mapping.batch_size]
        self.invocations += 1
        try:
            response = self._functions.invoke(mapping.function, {"Records": batch})
            failures = (response or {}).get("batchItemFailures", [])
        except Exception:  # the whole batch failed, as Lambda sees an unhandled error
            failures = [{"itemIdentifier": batch[0]["dynamodb"]["SequenceNumber"]}]
        if not failures:
            shard.pending = shard.pending[len(batch) :]
            shard.attempts = 0
            return
        # Lambda resumes from the lowest failed sequence number.
        failed = {f["itemIdentifier"] for f in failures}
        first = next(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed)
        shard.pending = shard.pending[first:]
        shard.attempts += 1
        if 0 <= mapping.max_retries < shard.attempts:
            self._dead_letter(mapping, shard, shard.pending[: mapping.batch_size])
            shard.pending = shard.pending[mapping.batch_size :]
            shard.attempts = 0

    def _dead_letter(
        self, mapping: StreamMapping, shard: _Shard, records: list[dict[str, Any]]
    ) -> None:
        self.dead_lettered += len(records)
        if mapping.on_failure_queue is None:
            return
        queue_url = self._stack.resources[mapping.on_failure_queue]
        self._sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(
                {
                    "requestContext": {"condition": "RetryAttemptsExhausted"},
                    "DDBStreamBatchInfo": {
                        "shardId": shard.shard_id,
                        "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                        "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                        "batchSize": len(records),
                        "streamArn": records[0]["eventSourceARN"],
                    },
                }
            ),
        )
