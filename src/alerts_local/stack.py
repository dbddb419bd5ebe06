"""The SAM template, deployed to moto: the one list of tables, queues and functions.

samtranslator turns template.yaml into CloudFormation; moto's CloudFormation creates it.
What moto cannot run is kept aside and played by the local runtime instead:
- API Gateway resources (moto's CloudFormation cannot create them): routes come from the
  functions' Api events and are served by `alerts_local.server`;
- event-source mappings (moto would try to invoke the function in Docker and swallow the
  stream records): `alerts_local.streams` reads the stream and calls the handler;
- CloudWatch Logs subscription filters (the SMS receipts): `alerts_local.log_subscriptions`
  reads the log groups and calls the handler with the `awslogs` payload;
- function code and layers: handlers run in this process from `functions/<name>/app.py`;
- the site's CloudFront distribution, its function, policies and the bucket policy naming
  it (moto's CloudFormation has no model for them): `alerts serve` serves web/ itself, with
  the same routes and headers (`alerts_local.web`);
- Secrets Manager secrets (moto's CloudFormation has no model for them): created through
  moto's Secrets Manager API as the template declares them (a random value, as
  GenerateSecretString asks), and every `Ref` to them resolved to the secret's ARN.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import secrets
import string
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from alerts_local.moto_sns import count_confirmed_subscriptions

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ACCOUNT = "123456789012"  # moto's default account
TEMPLATE = REPO_ROOT / "template.yaml"
# Played by the local runtime itself (API Gateway, the event-source mapping, the site's
# CloudFront), or without a moto model: the dashboard (it names alarms moto does not
# create) and the async-invoke configuration (the local runtime invokes the scheduled
# functions synchronously).
_KEPT_ASIDE = (
    "AWS::ApiGateway::",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Logs::SubscriptionFilter",
    "AWS::CloudWatch::Dashboard",
    "AWS::CloudFront::",
    "AWS::S3::BucketPolicy",
    # Custom resources (moto would invoke their function in Docker): the account's SMS
    # settings they set are SNS's business, which the local runtime plays itself.
    "Custom::",
)


def _not_alarm_support(record: logging.LogRecord) -> bool:
    return "AWS::CloudWatch::Alarm" not in record.getMessage()


# moto has no CloudFormation model for the alarms (AWS creates them) and says so, as a log
# line and as a warning from its server thread: expected, so kept out of the local output.
logging.getLogger("moto").addFilter(_not_alarm_support)
warnings.filterwarnings("ignore", message="Tried to parse AWS::CloudWatch::Alarm")


class _OfflinePolicyLoader:
    """samtranslator asks IAM for managed-policy ARNs; offline, their names suffice."""

    def load(self) -> dict[str, str]:
        return {}

    def get_managed_policy_arn(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/service-role/{name}"

    def get_managed_policy_map(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class Route:
    api: str  # logical id of the API (PublisherApi, CitizenApi)
    method: str
    path: str  # API Gateway resource path, e.g. /subscriptions/{subscription_id}/verify
    function: str  # logical id of the function

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class StreamMapping:
    function: str
    table: str  # logical id of the table whose stream feeds the function
    batch_size: int
    max_retries: int
    report_item_failures: bool
    filters: list[dict[str, Any]]
    on_failure_queue: str | None  # logical id of the SQS queue


@dataclass(frozen=True)
class LogSubscription:
    """A CloudWatch Logs subscription filter to a function (the receipts of SMS)."""

    log_group: str
    function: str  # logical id


@dataclass
class LocalFunction:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class DeployedStack:
    name: str
    endpoint_url: str
    region: str
    resources: dict[str, str]  # logical id -> physical id
    functions: dict[str, LocalFunction]
    routes: list[Route]
    stream_mappings: list[StreamMapping]
    log_subscriptions: list[LogSubscription] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service, endpoint_url=self.endpoint_url, region_name=self.region
        )

    def environment(self) -> dict[str, str]:
        """The functions' environments merged: each name means the same thing everywhere."""
        merged: dict[str, str] = {}
        for function in self.functions.values():
            for key, value in function.environment.items():
                if key in merged and merged[key] != value and not key.startswith("POWERTOOLS_"):
                    raise ValueError(f"functions disagree on {key}: {merged[key]!r} != {value!r}")
                merged[key] = value
        return merged


def _ref_id(value: Any) -> str:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".")[0])
    raise ValueError(f"expected a Ref or GetAtt, got {value!r}")


def load_sam(template: Path = TEMPLATE) -> dict[str, Any]:
    return dict(yaml_parse(template.read_text(encoding="utf-8")))


def translate(sam: dict[str, Any]) -> dict[str, Any]:
    """SAM -> CloudFormation, offline. Local code paths become placeholder S3 URIs."""
    sam = copy.deepcopy(sam)
    for logical_id, resource in sam["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://local-artifacts/{logical_id}.zip"
    return dict(transform(sam, {}, _OfflinePolicyLoader()))


def api_routes(sam: dict[str, Any]) -> list[Route]:
    routes = []
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                props = event["Properties"]
                routes.append(
                    Route(
                        _ref_id(props["RestApiId"]),
                        props["Method"].upper(),
                        props["Path"],
                        logical_id,
                    )
                )
    return routes


def stream_mappings(cfn: dict[str, Any]) -> list[StreamMapping]:
    mappings = []
    for resource in cfn["Resources"].values():
        if resource["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        props = resource["Properties"]
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        mappings.append(
            StreamMapping(
                function=_ref_id(props["FunctionName"]),
                table=_ref_id(props["EventSourceArn"]),
                batch_size=int(props.get("BatchSize", 100)),
                max_retries=int(props.get("MaximumRetryAttempts", -1)),
                report_item_failures="ReportBatchItemFailures"
                in props.get("FunctionResponseTypes", []),
                filters=[
                    json.loads(f["Pattern"])
                    for f in props.get("FilterCriteria", {}).get("Filters", [])
                ],
                on_failure_queue=_ref_id(destination) if destination else None,
            )
        )
    return mappings


def log_subscriptions(cfn: dict[str, Any], region: str) -> list[LogSubscription]:
    """The template's subscription filters, with the log group names as deployed here (the
    names SNS fixes per account and region)."""

    def name(value: Any) -> str:
        if isinstance(value, dict) and "Fn::If" in value:
            return name(value["Fn::If"][2])  # the existing group's name, spelled out
        if isinstance(value, dict) and "Fn::Sub" in value:
            text = str(value["Fn::Sub"])
            return text.replace("${AWS::Region}", region).replace(
                "${AWS::AccountId}", LOCAL_ACCOUNT
            )
        return str(value)

    return [
        LogSubscription(
            name(r["Properties"]["LogGroupName"]), _ref_id(r["Properties"]["DestinationArn"])
        )
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::Logs::SubscriptionFilter"
    ]


def _create_secrets(
    deployable: dict[str, Any], endpoint_url: str, region: str, stack_name: str
) -> dict[str, str]:
    """Create the template's secrets in moto, take them out of the template and put their
    ARNs where the template refers to them; logical id -> ARN."""
    client = boto3.client("secretsmanager", endpoint_url=endpoint_url, region_name=region)
    created: dict[str, str] = {}
    for logical_id, resource in list(deployable["Resources"].items()):
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        props = resource.get("Properties", {})
        generate = props.get("GenerateSecretString", {})
        alphabet = string.ascii_letters + string.digits
        if not generate.get("ExcludePunctuation"):
            alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
        value = props.get("SecretString") or "".join(
            secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32)))
        )
        created[logical_id] = client.create_secret(
            Name=f"{stack_name}-{logical_id}", SecretString=value
        )["ARN"]
        del deployable["Resources"][logical_id]
    if created:
        resolved = _resolve_refs(deployable, created)
        deployable.clear()
        deployable.update(resolved)
    return created


def _resolve_refs(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {key: _resolve_refs(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve_refs(item, values) for item in node]
    return node


def _account_wide_parameters(endpoint_url: str, region: str) -> list[ParameterTypeDef]:
    """SNS's SMS delivery-status log groups have one name per account and region: the first
    stack in this moto creates them, later ones (tests deploy many) find them there."""
    logs = boto3.client("logs", endpoint_url=endpoint_url, region_name=region)
    prefix = f"sns/{region}/{LOCAL_ACCOUNT}/DirectPublishToPhoneNumber"
    exists = bool(logs.describe_log_groups(logGroupNamePrefix=prefix).get("logGroups"))
    return [{"ParameterKey": "SmsDeliveryLogGroupsExist", "ParameterValue": str(exists).lower()}]


def deploy(endpoint_url: str, stack_name: str, region: str = "us-east-1") -> DeployedStack:
    """Create the template's resources in the moto at `endpoint_url`."""
    count_confirmed_subscriptions()
    sam = load_sam()
    cfn = translate(sam)
    mappings = stream_mappings(cfn)
    functions: dict[str, LocalFunction] = {}
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            functions[logical_id] = LocalFunction(
                logical_id, REPO_ROOT / props["CodeUri"], props["Handler"]
            )

    deployable = copy.deepcopy(cfn)
    deployable["Resources"] = {
        logical_id: resource
        for logical_id, resource in cfn["Resources"].items()
        if not resource["Type"].startswith(_KEPT_ASIDE)
        and resource["Type"] != "AWS::Lambda::LayerVersion"
    }
    for resource in deployable["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = {"ZipFile": "def lambda_handler(event, context): pass"}
            resource["Properties"].pop("Layers", None)
    deployable["Outputs"] = {
        key: output
        for key, output in cfn.get("Outputs", {}).items()
        if "Api" not in json.dumps(output) and "WebDistribution" not in json.dumps(output)
    }
    secrets = _create_secrets(deployable, endpoint_url, region, stack_name)
    for resource in deployable["Resources"].values():
        if resource["Type"] == "AWS::KMS::Key":
            # moto keeps a KeyPolicy object as it is, where its KMS API expects JSON text
            # (DescribeKey fails on it); moto enforces no key policy anyway.
            policy = resource["Properties"].get("KeyPolicy")
            if isinstance(policy, dict):
                resource["Properties"]["KeyPolicy"] = json.dumps(policy)

    cloudformation = boto3.client("cloudformation", endpoint_url=endpoint_url, region_name=region)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(deployable),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        Parameters=_account_wide_parameters(endpoint_url, region),
    )
    status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"local stack {stack_name}: {status}")
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    resources.update(secrets)
    lambda_client = boto3.client("lambda", endpoint_url=endpoint_url, region_name=region)
    for logical_id, function in functions.items():
        config = lambda_client.get_function_configuration(FunctionName=resources[logical_id])
        variables = config.get("Environment", {}).get("Variables", {})
        function.environment = {key: str(value) for key, value in variables.items()}
    return DeployedStack(
        name=stack_name,
        endpoint_url=endpoint_url,
        region=region,
        resources=resources,
        functions=functions,
        routes=api_routes(sam),
        stream_mappings=mappings,
        log_subscriptions=log_subscriptions(cfn, region),
    )
