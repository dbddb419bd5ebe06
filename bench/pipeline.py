"""Pipeline overhead: POST /advisories on the local API to the last segment published,
against a bare boto3 script making the same DynamoDB and SNS calls on the same moto server.

The local runtime (alerts_local.server) answers a POST once the publisher handler has stored
the advisory, the stream pump has run the fan-out handler and every segment is published, so
the request's round trip is the pipeline's latency. Every AWS call the pipeline makes is
recorded; the bare script replays the first advisory's calls (with a fresh advisory id, so
that conditional writes succeed as they did) through plain boto3 clients. Advisories
alternate between the two, each a new one (KZ, level 2: six segments with a subscriber);
the figure is the median of the pipeline's times over the median of the bare script's.
"""

from __future__ import annotations

import copy
import json
import urllib.request
import uuid
from collections import Counter
from functools import partial
from typing import Any

import boto3
from botocore.exceptions import ClientError

from alerts_local import server
from alerts_local.calls import ApiCall, CallRecorder, recording
from alerts_local.scale import citizens, subscribe_all
from bench.common import REPO_ROOT, Figure, Report, median, ratio_text, timed

TARGET = 1.5
_TEMPLATE = REPO_ROOT / "events" / "post-advisory-json.json"


def _advisory_body(number: int, run_id: str) -> bytes:
    draft = json.loads(json.loads(_TEMPLATE.read_text(encoding="utf-8"))["body"])
    draft.update(
        source_id=f"bench-{run_id}-{number}",
        countries=["KZ"],
        areas=[],
        level=2,
        native_level="2",
    )
    for content in draft["content"].values():
        content["headline"] = f"{content['headline']} ({number})"
    return json.dumps(draft, ensure_ascii=False).encode("utf-8")


def _signed(runtime: server.LocalRuntime, body: bytes) -> urllib.request.Request:
    """A publisher's request, signed with the local credentials as every publisher's is
    (the signing is the client's work: done before the clock starts)."""
    url, headers = runtime.publisher.sign(
        "POST", f"{runtime.url}/advisories", {"Content-Type": "application/json"}, body
    )
    return urllib.request.Request(  # noqa: S310  (the local runtime on 127.0.0.1)
        url, data=body, method="POST", headers=headers
    )


def _send(request: urllib.request.Request) -> dict[str, Any]:
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
    if answer.get("status") != "created":
        raise RuntimeError(f"advisory not created: {answer}")
    return answer


class BareScript:
    """The recorded calls of one advisory, replayed through plain boto3 clients.

    On mirrors of the tables and topics the calls name (same keys, stream and subscriptions),
    on the same moto server: writes to the stack's own tables would set the real fan-out off.
    Stream reads follow the mirror stream as the pump follows the real one.
    """

    def __init__(self, calls: list[ApiCall], advisory_id: str, endpoint: str) -> None:
        self._calls = calls
        self._clients = {
            service: boto3.session.Session().client(service, endpoint_url=endpoint)  # type: ignore[call-overload]
            for service in {"dynamodb", "dynamodbstreams", "sns", *(c.service for c in calls)}
        }
        self._names: dict[str, str] = {advisory_id: "{advisory_id}"}
        self._mirror(calls)
        self.errors = 0

    def _mirror(self, calls: list[ApiCall]) -> None:
        dynamodb, sns = self._clients["dynamodb"], self._clients["sns"]
        tables = {c.params["TableName"] for c in calls if "TableName" in c.params}
        for c in calls:
            for item in c.params.get("TransactItems", []):
                tables |= {op["TableName"] for op in item.values()}
        for table in sorted(tables):
            real = dynamodb.describe_table(TableName=table)["Table"]
            mirror = f"{table}-bare"
            extra: dict[str, Any] = {}
            if real.get("StreamSpecification"):
                extra["StreamSpecification"] = real["StreamSpecification"]
            # Same indexes: a write costs their upkeep too.
            if real.get("GlobalSecondaryIndexes"):
                extra["GlobalSecondaryIndexes"] = [
                    {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
                    for index in real["GlobalSecondaryIndexes"]
                ]
            dynamodb.create_table(
                TableName=mirror,
                KeySchema=real["KeySchema"],
                AttributeDefinitions=real["AttributeDefinitions"],
                BillingMode="PAY_PER_REQUEST",
                **extra,
            )
            self._names[table] = mirror
            if "LatestStreamArn" in real:
                stream = dynamodb.describe_table(TableName=mirror)["Table"]["LatestStreamArn"]
                self._names[real["LatestStreamArn"]] = stream
                self._follow(stream)
        for topic in sorted({c.params["TopicArn"] for c in calls if "TopicArn" in c.params}):
            mirror_arn = sns.create_topic(Name="bare-" + topic.rsplit(":", 1)[1])["TopicArn"]
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
                for subscription in page["Subscriptions"]:
                    sns.subscribe(
                        TopicArn=mirror_arn,
                        Protocol=subscription["Protocol"],
                        Endpoint=subscription["Endpoint"],
                    )
            self._names[topic] = mirror_arn

    def _follow(self, stream_arn: str) -> None:
        streams = self._clients["dynamodbstreams"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        self._iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def _params(self, call: ApiCall, fresh_id: str) -> dict[str, Any]:
        text = json.dumps(call.params, ensure_ascii=False, default=str)
        for real, mirror in self._names.items():
            text = text.replace(real, mirror.replace("{advisory_id}", fresh_id))
        params: dict[str, Any] = json.loads(text)
        return params

    def prepare(self) -> list[tuple[str, Any, dict[str, Any]]]:
        """The calls for a new advisory, built before the clock starts."""
        fresh = f"mfa-kg-{uuid.uuid4().hex[:20]}"
        return [
            (
                c.operation,
                getattr(self._clients[c.service], _snake(c.operation)),
                self._params(c, fresh),
            )
            for c in copy.deepcopy(self._calls)
        ]

    def run(self, prepared: list[tuple[str, Any, dict[str, Any]]]) -> None:
        for operation, method, params in prepared:
            if operation == "GetRecords":
                params["ShardIterator"] = self._iterator
            try:
                response = method(**params)
            except ClientError:
                self.errors += 1
                continue
            if operation == "GetRecords":
                self._iterator = response.get("NextShardIterator") or self._iterator


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _shape(calls: list[ApiCall]) -> Counter[str]:
    return Counter(f"{c.service}:{c.operation}" for c in calls)


def run(report: Report, advisories: int) -> None:
    print(f"Pipeline overhead: POST /advisories to the last segment published, {advisories} each")
    runtime = server.start(stack_name=f"bench{uuid.uuid4().hex[:6]}", log_level="ERROR")
    try:
        subscribe_all(runtime.stack, citizens(6), via_service=0)  # KZ, every language, L1-2
        recorder = CallRecorder()
        runtime.handle = recorder.within(runtime.handle)  # type: ignore[method-assign]
        run_id = uuid.uuid4().hex[:8]
        with recording(recorder):
            _send(_signed(runtime, _advisory_body(-1, run_id)))  # warm: modules, clients, stream
            before = len(recorder.calls)
            second = _send(_signed(runtime, _advisory_body(0, run_id)))
            template = recorder.calls[before:]
            bare = BareScript(template, str(second["advisory_id"]), runtime.stack.endpoint_url)
            bare.run(bare.prepare())  # warm the bare clients likewise
            pipeline_times: list[float] = []
            bare_times: list[float] = []
            different = 0
            for number in range(1, advisories + 1):
                body = _advisory_body(number, run_id)
                before = len(recorder.calls)
                pipeline_times.append(timed(partial(_send, _signed(runtime, body))))
                if _shape(recorder.calls[before:]) != _shape(template):
                    different += 1
                prepared = bare.prepare()
                bare_times.append(timed(partial(bare.run, prepared)))
    finally:
        runtime.stop()
    measured = median(pipeline_times) / median(bare_times)
    shape = _shape(template)
    publishes = shape.get("sns:Publish", 0)
    report.add(
        Figure(
            "pipeline",
            f"pipeline / bare boto3, same calls ({advisories} advisories)",
            ratio_text(measured),
            f"≤ {TARGET}x",
            measured <= TARGET,
            f"median {median(pipeline_times) * 1000:.0f} ms vs {median(bare_times) * 1000:.0f} "
            f"ms; {len(template)} AWS calls per advisory ({publishes} SNS publishes; "
            + ", ".join(f"{k} x{v}" for k, v in sorted(shape.items()))
            + f"); advisories whose calls differed: {different}; bare calls refused: "
            f"{bare.errors}",
        )
    )
