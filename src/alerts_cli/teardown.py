"""`alerts teardown`: what `sam delete` cannot remove by itself.

- The segment topics (`<stack>-seg-<CC>-<lang>-L<n>`): the citizen API creates them as
  citizens subscribe, outside CloudFormation, and they hold citizens' phone numbers and
  addresses as subscriptions. Their subscriptions are removed, then the topics.
- The stack's buckets that CloudFormation would delete (the site bucket): a bucket must be
  empty to be deleted, and a versioned one keeps every old version and delete marker.

Buckets the template retains are left alone, and so is every other resource: tables and keys
with `DeletionPolicy: Retain` survive `sam delete` on purpose (see `retained`). Nothing here
prints an endpoint: topics are named, subscriptions only counted.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from consular_alerts.domain.segments import Segment

_RETAINED = {"Retain", "RetainExceptOnCreate", "Snapshot"}
_BATCH = 1000  # S3 DeleteObjects takes at most 1000 keys


def is_segment_topic(topic_arn: str, stack_name: str) -> bool:
    """True for this stack's segment topics only: `<stack>-seg-` followed by a segment name,
    so another stack whose name starts with this one's (`<stack>-seg-x`) is never matched."""
    name = topic_arn.rsplit(":", 1)[-1]
    prefix = f"{stack_name}-seg-"
    if not name.startswith(prefix):
        return False
    try:
        Segment.parse(name[len(prefix) :])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class SegmentTopic:
    arn: str
    subscriptions: tuple[tuple[str, str], ...]  # (subscription ARN, protocol)

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Bucket:
    name: str
    versions: int
    delete_markers: int


@dataclass
class Plan:
    stack_name: str
    region: str
    stack_found: bool
    topics: list[SegmentTopic] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    retained: list[str] = field(default_factory=list)  # "LogicalId (Type): physical id"

    def describe(self) -> str:
        lines = [f"Teardown of stack {self.stack_name} in {self.region}:"]
        protocols = Counter(
            protocol for topic in self.topics for _, protocol in topic.subscriptions
        )
        by_protocol = ", ".join(f"{count} {name}" for name, count in sorted(protocols.items()))
        lines.append(
            f"  {len(self.topics)} segment topic(s) created at run time, with "
            f"{sum(protocols.values())} subscription(s){f' ({by_protocol})' if protocols else ''}:"
        )
        lines += [f"    {topic.name}" for topic in self.topics]
        if not self.stack_found:
            lines.append("  no such stack: no bucket to empty")
        for bucket in self.buckets:
            lines.append(
                f"  bucket {bucket.name}: {bucket.versions} object version(s) and "
                f"{bucket.delete_markers} delete marker(s) to delete"
            )
        if self.retained:
            lines.append(
                "  kept, here and by `sam delete` (DeletionPolicy Retain in the template):"
            )
            lines += [f"    {entry}" for entry in self.retained]
        return "\n".join(lines)


@dataclass
class Result:
    subscriptions_removed: int = 0
    topics_deleted: int = 0
    objects_deleted: int = 0
    errors: list[str] = field(default_factory=list)


class Teardown:
    def __init__(self, cloudformation: Any, sns: Any, s3: Any) -> None:
        self._cloudformation = cloudformation
        self._sns = sns
        self._s3 = s3

    def plan(self, stack_name: str, region: str) -> Plan:
        resources = self._stack_resources(stack_name)
        plan = Plan(stack_name, region, stack_found=resources is not None)
        plan.topics = [
            SegmentTopic(arn, tuple(self._subscriptions(arn)))
            for arn in self._segment_topics(stack_name)
        ]
        if resources is None:
            return plan
        policies = self._deletion_policies(stack_name)
        for resource in resources:
            logical_id = resource["LogicalResourceId"]
            physical_id = resource.get("PhysicalResourceId", "")
            if policies.get(logical_id) in _RETAINED:
                plan.retained.append(f"{logical_id} ({resource['ResourceType']}): {physical_id}")
            elif resource["ResourceType"] == "AWS::S3::Bucket" and physical_id:
                versions, markers = self._count_versions(physical_id)
                plan.buckets.append(Bucket(physical_id, versions, markers))
        return plan

    def execute(self, plan: Plan) -> Result:
        result = Result()
        for topic in plan.topics:
            for arn, _ in topic.subscriptions:
                if not arn.startswith("arn:"):  # PendingConfirmation: goes with the topic
                    continue
                try:
                    self._sns.unsubscribe(SubscriptionArn=arn)
                    result.subscriptions_removed += 1
                except ClientError as error:
                    result.errors.append(f"unsubscribe on {topic.name}: {_code(error)}")
            try:
                self._sns.delete_topic(TopicArn=topic.arn)
                result.topics_deleted += 1
            except ClientError as error:
                result.errors.append(f"delete topic {topic.name}: {_code(error)}")
        for bucket in plan.buckets:
            try:
                result.objects_deleted += self._empty(bucket.name)
            except ClientError as error:
                result.errors.append(f"empty bucket {bucket.name}: {_code(error)}")
        return result

    # --- reads ---------------------------------------------------------------------------

    def _stack_resources(self, stack_name: str) -> list[dict[str, Any]] | None:
        try:
            paginator = self._cloudformation.get_paginator("list_stack_resources")
            return [
                summary
                for page in paginator.paginate(StackName=stack_name)
                for summary in page["StackResourceSummaries"]
            ]
        except ClientError as error:
            if "does not exist" in error.response.get("Error", {}).get("Message", ""):
                return None
            raise

    def _deletion_policies(self, stack_name: str) -> dict[str, str]:
        """Logical id -> DeletionPolicy, from the template CloudFormation holds (after the
        SAM transform, where the policies are as written)."""
        body = self._cloudformation.get_template(StackName=stack_name, TemplateStage="Processed")[
            "TemplateBody"
        ]
        template = json.loads(body) if isinstance(body, str) else body
        return {
            logical_id: str(resource.get("DeletionPolicy", "Delete"))
            for logical_id, resource in template.get("Resources", {}).items()
        }

    def _segment_topics(self, stack_name: str) -> list[str]:
        paginator = self._sns.get_paginator("list_topics")
        return sorted(
            topic["TopicArn"]
            for page in paginator.paginate()
            for topic in page["Topics"]
            if is_segment_topic(topic["TopicArn"], stack_name)
        )

    def _subscriptions(self, topic_arn: str) -> list[tuple[str, str]]:
        paginator = self._sns.get_paginator("list_subscriptions_by_topic")
        return [
            (subscription["SubscriptionArn"], subscription["Protocol"])
            for page in paginator.paginate(TopicArn=topic_arn)
            for subscription in page["Subscriptions"]
        ]

    def _versions(self, bucket: str) -> tuple[list[dict[str, str]], int]:
        """Every object version and delete marker (as DeleteObjects takes them), and how many
        of them are delete markers."""
        objects: list[dict[str, str]] = []
        markers = 0
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for entry in page.get("Versions", []):
                objects.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
            for entry in page.get("DeleteMarkers", []):
                objects.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
                markers += 1
        return objects, markers

    def _count_versions(self, bucket: str) -> tuple[int, int]:
        objects, markers = self._versions(bucket)
        return len(objects) - markers, markers

    def _empty(self, bucket: str) -> int:
        """Delete until a listing comes back empty (a late upload is caught too)."""
        deleted = 0
        for _ in range(10):
            objects, _markers = self._versions(bucket)
            if not objects:
                return deleted
            for start in range(0, len(objects), _BATCH):
                response = self._s3.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": objects[start : start + _BATCH], "Quiet": True},
                )
                errors = response.get("Errors", [])
                if errors:
                    first = errors[0]
                    raise ClientError(
                        {
                            "Error": {
                                "Code": first.get("Code", "Error"),
                                "Message": first.get("Message", ""),
                            }
                        },
                        "DeleteObjects",
                    )
                deleted += len(objects[start : start + _BATCH])
        raise ClientError(
            {"Error": {"Code": "NotEmpty", "Message": "objects keep arriving"}}, "DeleteObjects"
        )


def _code(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".strip()
