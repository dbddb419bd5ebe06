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
  GenerateSecretString asks), and every `Ref` to them resolved to the secret's ARN;
- whatever names a resource kept aside (the publisher's managed policy names the API).
Conditions are decided here for the local parameters (moto checks every branch of an
`Fn::If`, also the one naming the CloudFront distribution it does not create).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import secrets
import string
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from moto.events.models import EventPattern
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from alerts_local.moto_sns import count_confirmed_subscriptions
from alerts_local.moto_speed import make_local_deploys_cheap

if TYPE_CHECKING:
    pass

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
    "AWS::WAFv2::",
    # SES's configuration set and event destination (no moto model): the local runtime plays
    # SES's events itself (email_outbox.py).
    "AWS::SES::",
    # Resource policies moto's CloudFormation has no model for (it enforces none anyway),
    # and SNS's subscription of a function (the local runtime invokes it, email_outbox.py).
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    # Custom resources (moto would invoke their function in Docker): the account's SMS
    # settings they set are SNS's business, which the local runtime plays itself.
    "Custom::",
)
# The local stack's parameters: its site is what messages link to (deployed, the site is the
# domain in PublicBaseUrl or the distribution's own address).
LOCAL_PARAMETERS = {"PublicBaseUrl": "https://alerts.mfa.gov.kg"}


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
    # FilterCriteria: Lambda's filter syntax is EventBridge's, so moto's EventBridge matcher.
    filters: list[EventPattern]
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
    # API logical id -> its stage variables (siteUrl: the site, for CORS and links).
    stage_variables: dict[str, dict[str, str]] = field(default_factory=dict)
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


def references(node: Any) -> set[str]:
    """Logical ids (and parameters) a template fragment names: Ref, GetAtt, ${} in Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                names = re.findall(r"\$\{([^}!]+)\}", text)
                found |= {n.split(".")[0] for n in names if n not in variables}
                found |= references(variables)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def decide_conditions(
    template: dict[str, Any], parameters: dict[str, str]
) -> Callable[[str], bool]:
    """Whether each of the template's conditions holds for these parameters (else defaults)."""
    values = {
        name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()
    } | parameters
    conditions = template.get("Conditions", {})

    def value(node: Any) -> str:
        if isinstance(node, dict) and set(node) == {"Ref"}:
            return values[node["Ref"]]
        return str(node)

    def holds(node: Any) -> bool:
        ((function, arguments),) = node.items()
        if function == "Fn::Equals":
            return value(arguments[0]) == value(arguments[1])
        if function == "Fn::Not":
            return not holds(arguments[0])
        if function == "Fn::And":
            return all(holds(a) for a in arguments)
        if function == "Fn::Or":
            return any(holds(a) for a in arguments)
        if function == "Condition":
            return holds(conditions[arguments])
        raise ValueError(f"condition function {function} not supported")

    return lambda name: holds(conditions[name])


def choose_branches(node: Any, holds: Callable[[str], bool]) -> Any:
    """The fragment with every Fn::If replaced by its chosen branch and AWS::NoValue removed,
    as CloudFormation reads it."""
    no_value = {"Ref": "AWS::NoValue"}
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, when_true, when_false = node["Fn::If"]
            return choose_branches(when_true if holds(name) else when_false, holds)
        chosen = {key: choose_branches(value, holds) for key, value in node.items()}
        return {key: value for key, value in chosen.items() if value != no_value}
    if isinstance(node, list):
        return [c for c in (choose_branches(item, holds) for item in node) if c != no_value]
    return node


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


_deploy_clients: dict[tuple[str, str, str, str], Any] = {}


def _deploy_client(service: str, endpoint_url: str, region: str) -> Any:
    """The SDK clients a deploy uses, made once per process and credentials: making a client
    costs tens of milliseconds, and a test session deploys hundreds of stacks."""
    key = (service, endpoint_url, region, os.environ.get("AWS_ACCESS_KEY_ID", ""))
    if key not in _deploy_clients:
        _deploy_clients[key] = boto3.client(  # type: ignore[call-overload]
            service, endpoint_url=endpoint_url, region_name=region
        )
    return _deploy_clients[key]


_translated: dict[str, tuple[str, str]] = {}


def template_now() -> tuple[dict[str, Any], dict[str, Any]]:
    """template.yaml as SAM and as CloudFormation, each a fresh copy: read and translated
    once per text of the file (a test session deploys hundreds of stacks from one template,
    and the translation is most of a deploy's time). Kept as JSON text: a fresh copy is then
    one `json.loads`, several times quicker than `copy.deepcopy` of the dictionaries."""
    text = TEMPLATE.read_text(encoding="utf-8")
    if text not in _translated:
        sam = dict(yaml_parse(text))
        _translated.clear()
        _translated[text] = (json.dumps(sam), json.dumps(translate(sam)))
    sam_json, cfn_json = _translated[text]
    return json.loads(sam_json), json.loads(cfn_json)


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
        if "StartingPosition" not in props:
            continue  # an SQS queue's mapping (the email queue: email_outbox.py plays it)
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
                    EventPattern.load(f["Pattern"])
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
    client = _deploy_client("secretsmanager", endpoint_url, region)
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


def _enable_versioning(
    deployable: dict[str, Any], resources: dict[str, str], endpoint_url: str, region: str
) -> None:
    """moto's CloudFormation creates buckets without their VersioningConfiguration: applied
    here as the template declares it (the site bucket keeps old versions)."""
    s3 = _deploy_client("s3", endpoint_url, region)
    for logical_id, resource in deployable["Resources"].items():
        if resource["Type"] != "AWS::S3::Bucket":
            continue
        status = resource.get("Properties", {}).get("VersioningConfiguration", {}).get("Status")
        if status:
            s3.put_bucket_versioning(
                Bucket=resources[logical_id], VersioningConfiguration={"Status": status}
            )


def _account_wide_parameters(endpoint_url: str, region: str) -> dict[str, str]:
    """SNS's SMS delivery-status log groups have one name per account and region: the first
    stack in this moto creates them, later ones (tests deploy many) find them there."""
    logs = _deploy_client("logs", endpoint_url, region)
    prefix = f"sns/{region}/{LOCAL_ACCOUNT}/DirectPublishToPhoneNumber"
    exists = bool(logs.describe_log_groups(logGroupNamePrefix=prefix).get("logGroups"))
    return {"SmsDeliveryLogGroupsExist": str(exists).lower()}


def _verify_email_sender(cfn: dict[str, Any], endpoint_url: str, region: str) -> None:
    """The ministry's SES identity, verified as the deployed account would have it (once per
    moto: later stacks find it there)."""
    identity = str(cfn["Parameters"]["EmailSenderIdentity"]["Default"])
    ses = _deploy_client("sesv2", endpoint_url, region)
    known = {i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])}
    if identity not in known:
        ses.create_email_identity(EmailIdentity=identity)


def deploy(
    endpoint_url: str,
    stack_name: str,
    region: str = "us-east-1",
    parameters: Mapping[str, str] | None = None,
) -> DeployedStack:
    """Create the template's resources in the moto at `endpoint_url`; `parameters` beside
    the local ones (a test's stack with other approval rules, say)."""
    count_confirmed_subscriptions()
    make_local_deploys_cheap()
    sam, cfn = template_now()
    mappings = stream_mappings(cfn)
    functions: dict[str, LocalFunction] = {}
    for logical_id, resource in sam["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            functions[logical_id] = LocalFunction(
                logical_id, REPO_ROOT / props["CodeUri"], props["Handler"]
            )

    parameters = (
        LOCAL_PARAMETERS | _account_wide_parameters(endpoint_url, region) | dict(parameters or {})
    )
    holds = decide_conditions(cfn, parameters)
    decided = choose_branches(
        {
            logical_id: {k: v for k, v in resource.items() if k != "Condition"}
            for logical_id, resource in cfn["Resources"].items()
            if "Condition" not in resource or holds(resource["Condition"])
        },
        holds,
    )
    aside = {
        logical_id
        for logical_id, resource in decided.items()
        if resource["Type"].startswith(_KEPT_ASIDE)
    }
    while True:  # and whatever names them
        naming = {
            logical_id
            for logical_id, resource in decided.items()
            if logical_id not in aside
            and references([resource.get("Properties", {}), resource.get("DependsOn", [])]) & aside
        }
        if not naming:
            break
        aside |= naming
    deployable = {key: value for key, value in cfn.items() if key != "Conditions"}
    deployable["Resources"] = {
        logical_id: resource
        for logical_id, resource in decided.items()
        if logical_id not in aside and resource["Type"] != "AWS::Lambda::LayerVersion"
    }
    for resource in deployable["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"]["Code"] = {"ZipFile": "def lambda_handler(event, context): pass"}
            resource["Properties"].pop("Layers", None)
    outputs = choose_branches(cfn.get("Outputs", {}), holds)
    deployable["Outputs"] = {
        key: output
        for key, output in outputs.items()
        if not references(output) & (set(cfn["Resources"]) - set(deployable["Resources"]))
    }
    secrets = _create_secrets(deployable, endpoint_url, region, stack_name)
    for resource in deployable["Resources"].values():
        if resource["Type"] == "AWS::KMS::Key":
            # moto keeps a KeyPolicy object as it is, where its KMS API expects JSON text
            # (DescribeKey fails on it); moto enforces no key policy anyway.
            policy = resource["Properties"].get("KeyPolicy")
            if isinstance(policy, dict):
                resource["Properties"]["KeyPolicy"] = json.dumps(policy)

    cloudformation = _deploy_client("cloudformation", endpoint_url, region)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(deployable),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"local stack {stack_name}: {status}")
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    resources.update(secrets)
    _enable_versioning(deployable, resources, endpoint_url, region)
    _verify_email_sender(cfn, endpoint_url, region)
    lambda_client = _deploy_client("lambda", endpoint_url, region)
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
        stage_variables=_stage_variables(cfn, holds),
        log_subscriptions=log_subscriptions(cfn, region),
    )


def _stage_variables(
    cfn: dict[str, Any], holds: Callable[[str], bool]
) -> dict[str, dict[str, str]]:
    """Each API's stage variables with the local parameters (they name only parameters)."""
    values = {
        name: str(spec.get("Default", "")) for name, spec in cfn.get("Parameters", {}).items()
    } | LOCAL_PARAMETERS
    found: dict[str, dict[str, str]] = {}
    for resource in cfn["Resources"].values():
        if resource["Type"] != "AWS::ApiGateway::Stage":
            continue
        props = choose_branches(resource["Properties"], holds)
        found[_ref_id(props["RestApiId"])] = {
            name: values[value["Ref"]] if isinstance(value, dict) else str(value)
            for name, value in props.get("Variables", {}).items()
        }
    return found
