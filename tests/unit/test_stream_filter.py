"""The fan-out mapping's FilterCriteria (template.yaml) as the local runtime applies it with
moto's EventBridge pattern matcher: on every stream record the advisories table can produce,
it passes exactly the new advisory versions (INSERT, version not 0) that no second officer
has to approve, and the approvals of those that had to (MODIFY to "approved").

moto's matcher replaced a hand-written one after both gave the same answers here; they differ
only on shapes no stream record has: a JSON null or a list where the record holds a string
(moto matches any element, and null as "anything but 0"), and keys with dots in their names
(moto flattens the record to dotted paths)."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from alerts_local.stack import load_sam, stream_mappings, translate
from tests.builders import a_stream_record

FILTERED = [mapping for mapping in stream_mappings(translate(load_sam())) if mapping.filters]
# The operators moto's matcher implements; it lets one it does not know match everything.
MOTO_OPERATORS = {
    "prefix", "suffix", "equals-ignore-case", "numeric", "anything-but", "cidr", "wildcard",
    "exists",
}  # fmt: skip

NUMBERS = st.integers(-5, 10**6).map(str) | st.sampled_from(["0", "1", "-0", "0.0", "1e3"])
KEY_VALUES = st.one_of(
    st.fixed_dictionaries({"N": NUMBERS}),
    st.fixed_dictionaries({"S": st.sampled_from(["0", "1", "", "v1"])}),
)


APPROVALS = ["pending", "approved", "rejected", "replaced", "expired"]


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
        approval = draw(st.sampled_from([None, *APPROVALS]))
        if approval is not None:  # two-person approval: a held, released or refused version
            body["NewImage"]["approval"] = {"S": approval}
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


KEYS_ONLY_INSERT = a_stream_record(1, version=3)
HEAD_INSERT = a_stream_record(2, version=0)


def _with_approval(record: dict[str, Any], approval: str) -> dict[str, Any]:
    image = {**record["dynamodb"]["Keys"], "approval": {"S": approval}}
    return {**record, "dynamodb": {**record["dynamodb"], "NewImage": image}}


HELD_INSERT = _with_approval(a_stream_record(3, version=2), "pending")
APPROVAL = _with_approval(a_stream_record(4, version=2, event_name="MODIFY"), "approved")
REJECTION = _with_approval(a_stream_record(5, version=2, event_name="MODIFY"), "rejected")


def fans_out(record: dict[str, Any]) -> bool:
    """The template's filter in words: new items (INSERT) that are not the head (version 0)
    and not held for a second officer, and a held version's approval (MODIFY to approved)."""
    version = record["dynamodb"]["Keys"].get("version", {})
    if "N" not in version or version["N"] == "0":
        return False
    approval = record["dynamodb"].get("NewImage", {}).get("approval", {}).get("S")
    if record["eventName"] == "INSERT":
        return approval is None
    return record["eventName"] == "MODIFY" and approval == "approved"


def operators(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(operators(value) for value in node.values()))
    if isinstance(node, list):
        return {name for rule in node if isinstance(rule, dict) for name in rule}
    return set()


def test_the_template_filters_its_stream_readers_with_operators_moto_implements() -> None:
    # The fan-out and the CAP feed read the same new versions, with the same filter.
    assert sorted(mapping.function for mapping in FILTERED) == ["CapFeedFunction", "FanoutFunction"]
    for mapping in FILTERED:
        for pattern in mapping.filters:
            assert operators(pattern.get_pattern()) <= MOTO_OPERATORS, pattern.dump()


@settings(max_examples=500)
@given(stream_records())
@example(KEYS_ONLY_INSERT)
@example(HEAD_INSERT)
@example(HELD_INSERT)
@example(APPROVAL)
@example(REJECTION)
def test_the_stream_readers_get_exactly_the_new_versions(record: dict[str, Any]) -> None:
    for mapping in FILTERED:
        # Lambda passes a record that matches any one of the filters.
        assert any(f.matches_event(record) for f in mapping.filters) == fans_out(record)


def test_a_held_version_passes_only_when_a_second_officer_approves_it() -> None:
    for mapping in FILTERED:
        passes = [any(f.matches_event(r) for f in mapping.filters) for r in (
            KEYS_ONLY_INSERT, HELD_INSERT, APPROVAL, REJECTION, HEAD_INSERT)]  # fmt: skip
        assert passes == [True, False, True, False, False], mapping.function
