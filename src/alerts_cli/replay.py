"""`alerts replay`: re-drive the fan-out's dead-letter queue after a fix.

A queue holds messages of three kinds (the fan-out's queue the first two, the scheduled
runs' queue the third):
- the stream mapping's own on-failure records (retries exhausted): they name a range of
  stream sequence numbers, read back from the stream (it keeps records 24 hours);
- the fan-out's dead letters (a version it could not read, or segments SNS refused): they
  name the advisory version;
- Lambda's on-failure records of asynchronous invocations (the scheduled functions): they
  carry the original event, which is sent again.

A version is replayed by invoking the fan-out with a keys-only stream record marked as a
replay: the fan-out reads the version from the table and publishes what the delivery ledger
says is not done yet (refused segments included), so a replay never repeats a segment. A
message leaves the queue only when its replay succeeded.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError
from consular_alerts.adapters.dynamodb.advisories import REPLAY_FLAG, stream_version
from consular_alerts.adapters.sqs import DEAD_LETTER_KIND

from alerts_cli.errors import InputError


class Invoker(Protocol):
    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any] | None:
        """Invoke synchronously; the function's response, or raise if it failed."""
        ...

    def invoke_async(self, function: str, event: dict[str, Any]) -> None: ...


class ReplayError(Exception):
    """A message that cannot be replayed as it is (it stays in the queue)."""


@dataclass(frozen=True)
class VersionKey:
    advisory_id: str
    version: int


@dataclass
class ReplayReport:
    messages: int = 0
    replayed: int = 0  # messages replayed and deleted
    versions: list[str] = field(default_factory=list)
    reinvoked: int = 0  # asynchronous invocations sent again
    kept: list[str] = field(default_factory=list)  # why each kept message stays

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "replayed": self.replayed,
            "versions": self.versions,
            "reinvoked": self.reinvoked,
            "kept": self.kept,
        }


def replay_record(key: VersionKey, serial: int) -> dict[str, Any]:
    """A keys-only stream record the fan-out treats as a replay."""
    return {
        "eventID": f"replay-{serial}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        REPLAY_FLAG: True,
        "dynamodb": {
            "Keys": {"advisory_id": {"S": key.advisory_id}, "version": {"N": str(key.version)}},
            "SequenceNumber": str(serial),
            "StreamViewType": "KEYS_ONLY",
        },
    }


@dataclass(frozen=True)
class Replayer:
    sqs: Any
    streams: Any
    invoker: Invoker
    queue_url: str
    fanout_function: str

    def run(self, *, limit: int = 1000, dry_run: bool = False) -> ReplayReport:
        report = ReplayReport()
        left: list[str] = []  # receipt handles of messages that stay in the queue
        for message in self._messages(limit):
            report.messages += 1
            try:
                self._replay(message["Body"], report, dry_run=dry_run)
            except ReplayError as error:
                report.kept.append(f"{message['MessageId']}: {error}")
                left.append(message["ReceiptHandle"])
                continue
            if dry_run:
                left.append(message["ReceiptHandle"])
            else:
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                report.replayed += 1
        # Visible again at once: the next run (after the next fix) sees them.
        for receipt in left:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=0
            )
        return report

    def _messages(self, limit: int) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        while len(seen) < limit:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, limit - len(seen)),
                # Hidden while this run works on them; a kept message comes back after.
                VisibilityTimeout=300,
                # Long polling: a short poll samples some servers and can miss messages.
                WaitTimeSeconds=1,
            ).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                return
            for message in fresh:
                seen.add(message["MessageId"])
                yield message

    def _replay(self, body: str, report: ReplayReport, *, dry_run: bool) -> None:
        try:
            message = json.loads(body)
        except ValueError as error:
            raise ReplayError(f"not JSON: {error}") from error
        if not isinstance(message, dict):
            raise ReplayError("not a JSON object")
        if "requestPayload" in message:
            function = message.get("requestContext", {}).get("functionArn", "")
            if not function:
                raise ReplayError("an on-failure record without requestContext.functionArn")
            # The ARN of the invoked version or alias: ":$LATEST" is not a name Invoke takes.
            function = function.removesuffix(":$LATEST")
            if not dry_run:
                self.invoker.invoke_async(function, message["requestPayload"])
            report.reinvoked += 1
            return
        keys = self._versions(message)
        report.versions += [f"{k.advisory_id}#v{k.version}" for k in keys]
        if dry_run or not keys:
            return
        records = [replay_record(key, serial) for serial, key in enumerate(keys, start=1)]
        try:
            response = self.invoker.invoke(self.fanout_function, {"Records": records}) or {}
        except Exception as error:
            raise ReplayError(f"the fan-out failed: {error}") from error
        failed = response.get("batchItemFailures", [])
        if failed:
            names = [f"{keys[int(f['itemIdentifier']) - 1].advisory_id}" for f in failed]
            raise ReplayError(f"the fan-out failed again for {', '.join(names)}")

    def _versions(self, message: dict[str, Any]) -> list[VersionKey]:
        if message.get("kind") == DEAD_LETTER_KIND:
            return [VersionKey(str(message["advisory_id"]), int(message["version"]))]
        batch = message.get("DDBStreamBatchInfo")
        if isinstance(batch, dict):
            return self._stream_versions(batch)
        raise ReplayError("not a message this queue expects")

    def _stream_versions(self, batch: dict[str, Any]) -> list[VersionKey]:
        stream, shard = batch.get("streamArn"), batch.get("shardId")
        start, end = batch.get("startSequenceNumber"), batch.get("endSequenceNumber")
        if not (stream and shard and start and end):
            raise ReplayError("DDBStreamBatchInfo without stream, shard or sequence numbers")
        try:
            iterator = self.streams.get_shard_iterator(
                StreamArn=stream,
                ShardId=shard,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=start,
            )["ShardIterator"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise ReplayError(
                f"stream records {start}..{end} cannot be read ({code}); the stream keeps them "
                "24 hours: replay those versions by id from the advisories table"
            ) from error
        keys: list[VersionKey] = []
        empty_pages = 0
        # GetRecords may answer empty pages before the records it has: follow the iterator
        # until past `end`, the shard's end, or many empty pages in a row.
        while iterator and empty_pages < self.EMPTY_PAGES:
            response = self.streams.get_records(ShardIterator=iterator, Limit=100)
            records = response.get("Records", [])
            empty_pages = 0 if records else empty_pages + 1
            for record in records:
                if int(record["dynamodb"]["SequenceNumber"]) > int(end):
                    return self._found(keys, start, end)
                key = VersionKey(*stream_version(record))
                if record.get("eventName") == "INSERT" and key.version and key not in keys:
                    keys.append(key)
                if int(record["dynamodb"]["SequenceNumber"]) == int(end):
                    return self._found(keys, start, end)
            iterator = response.get("NextShardIterator")
        return self._found(keys, start, end)

    EMPTY_PAGES = 20

    @staticmethod
    def _found(keys: list[VersionKey], start: str, end: str) -> list[VersionKey]:
        if not keys:  # never delete a message whose versions were not found
            raise ReplayError(f"no advisory version found in stream records {start}..{end}")
        return keys


class LambdaInvoker:
    """Deployed: invoke the functions through the Lambda API."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any] | None:
        response = self._client.invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise RuntimeError(f"{response['FunctionError']}: {payload}")
        return payload if isinstance(payload, dict) else None

    def invoke_async(self, function: str, event: dict[str, Any]) -> None:
        self._client.invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps(event).encode()
        )


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = commands.add_parser("replay", help="re-drive the fan-out dead-letter queue")
    replay.add_argument("--local", metavar="URL", help="a running `alerts serve`")
    replay.add_argument("--queue-url", help="deployed: the stack's FanoutFailureQueueUrl")
    replay.add_argument("--function", help="deployed: the fan-out function's name")
    replay.add_argument("--region")
    replay.add_argument("--limit", type=int, default=1000, help="messages at most")
    replay.add_argument("--dry-run", action="store_true", help="list what would be replayed")
    replay.set_defaults(run=replay_command)


def replay_command(args: argparse.Namespace) -> int:
    """Exit 0: every message replayed; 1: some stay in the queue (printed, with why)."""
    if args.local:
        path = "/_local/replay/dry-run" if args.dry_run else "/_local/replay"
        if not args.local.startswith(("http://", "https://")):
            raise InputError(f"--local {args.local}: an http(s) URL of `alerts serve`")
        request = urllib.request.Request(args.local.rstrip("/") + path, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                report = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise InputError(f"--local {args.local}: {error}") from error
    else:
        if not (args.queue_url and args.function):
            raise InputError("give --local URL, or --queue-url and --function (deployed stack)")
        import boto3

        session = boto3.session.Session(region_name=args.region)
        report = (
            Replayer(
                session.client("sqs"),
                session.client("dynamodbstreams"),
                LambdaInvoker(session.client("lambda")),
                args.queue_url,
                args.function,
            )
            .run(limit=args.limit, dry_run=args.dry_run)
            .as_json()
        )
    print(json.dumps(report, indent=2))
    return 1 if report["kept"] else 0
