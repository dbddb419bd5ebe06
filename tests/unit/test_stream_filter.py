"""The fan-out mapping's FilterCriteria (template.yaml) as the local runtime applies it: the
hand-written matcher and moto's EventBridge pattern matcher give the same answer on every
stream record the advisories table can produce.

They differ only on shapes no stream record has: a JSON null or a list where the record holds
a string (moto matches any element, and null as "anything but 0"), and keys with dots in their
names (moto flattens the record to dotted paths)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from alerts_local.stack import load_sam, stream_mappings, translate
from alerts_local.streams import matches

PATTERNS = [
    pattern for mapping in stream_mappings(translate(load_sam())) for pattern in mapping.filters
]

NUMBERS = st.integers(-5, 10**6).map(str) | st.sampled_from(["0", "1", "-0", "0.0", "1e3"])
KEY_VALUES = st.one_of(
    st.fixed_dictionaries({"N": NUMBERS}),
    st.fixed_dictionaries({"S": st.sampled_from(["0", "1", "", "v1"])}),
)


@st.composite
def stream_records(draw: st.DrawFn) -> dict[str, Any]:
    """A DynamoDB stream record as Lambda sees it, keys-only or with images, its key
    version any number (0 is the head item), sometimes of another type or absent."""
    keys: dict[str, Any] = {"advisory_id": {"S": draw(st.sampled_from(["mfa-kg-a", "0"]))}}
    if draw(st.integers(0, 9)):
        keys["version"] = draw(KEY_VALUES)
    body: dict[str, Any] = {
        "Keys": keys,
        "SequenceNumber": str(draw(st.integers(1, 10**20))),
        "SizeBytes": draw(st.integers(1, 4000)),
        "StreamViewType": draw(st.sampled_from(["KEYS_ONLY", "NEW_IMAGE", "NEW_AND_OLD_IMAGES"])),
        "ApproximateCreationDateTime": draw(st.integers(1_700_000_000, 1_900_000_000)),
    }
    if body["StreamViewType"] != "KEYS_ONLY":
        body["NewImage"] = {**keys, "level": {"N": str(draw(st.integers(1, 4)))}}
    record: dict[str, Any] = {
        "eventID": draw(st.text("0123456789abcdef", min_size=1, max_size=32)),
        "eventName": draw(st.sampled_from(["INSERT", "MODIFY", "REMOVE", "insert", ""])),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/advisories/stream/x",
        "dynamodb": body,
    }
    if draw(st.integers(0, 19)) == 0:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def test_the_template_declares_the_filter_compared_here() -> None:
    assert PATTERNS, "the fan-out mapping has a FilterCriteria pattern"


KEYS_ONLY_INSERT = {
    "eventName": "INSERT",
    "dynamodb": {"Keys": {"advisory_id": {"S": "mfa-kg-a"}, "version": {"N": "3"}}},
}
HEAD_INSERT = {
    "eventName": "INSERT",
    "dynamodb": {"Keys": {"advisory_id": {"S": "mfa-kg-a"}, "version": {"N": "0"}}},
}


@settings(max_examples=500)
@given(stream_records())
@example(KEYS_ONLY_INSERT)
@example(HEAD_INSERT)
def test_moto_and_the_hand_written_matcher_agree(record: dict[str, Any]) -> None:
    for pattern in PATTERNS:
        ours = matches(pattern, record)
        motos = EventPattern.load(json.dumps(pattern)).matches_event(record)
        assert ours == motos, (pattern, record)
