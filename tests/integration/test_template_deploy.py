"""template.yaml, the first deploy on a new account (issue 16): nothing a new account refuses
(no reserved concurrency unless a parameter asks), the site's own CloudFront address used for
links and CORS when no domain is given - in one deploy, with no dependency cycle - and the
samconfig environments."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from consular_alerts import bootstrap
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from alerts_local.lambdas import LocalFunctions
from alerts_local.server import api_event
from alerts_local.stack import (
    LOCAL_PARAMETERS,
    DeployedStack,
    choose_branches,
    decide_conditions,
    load_sam,
    references,
    translate,
)
from tests.conftest import EVENTS, REPO_ROOT
from tests.integration.citizen_api import Api

DISTRIBUTION_SITE = {"Fn::Sub": "https://${WebDistribution.DomainName}"}
API_FUNCTIONS = (
    "IngestFunction",
    "SubscriptionsFunction",
    "PublicAdvisoryFunction",
    "CountriesFunction",
    "DeliveryReportFunction",
)


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translate(load_sam())


def deployed(cfn: dict[str, Any], **parameters: str) -> dict[str, Any]:
    """The resources CloudFormation would create with these parameters (else defaults)."""
    holds = decide_conditions(cfn, parameters)
    return {
        logical_id: choose_branches(resource, holds)
        for logical_id, resource in cfn["Resources"].items()
        if "Condition" not in resource or holds(resource["Condition"])
    }


def functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"
    }


def reservations(resources: dict[str, Any]) -> dict[str, Any]:
    return {
        name: props["ReservedConcurrentExecutions"]
        for name, props in functions(resources).items()
        if "ReservedConcurrentExecutions" in props
    }


def test_a_new_account_is_asked_for_no_reserved_concurrency(cfn: dict[str, Any]) -> None:
    """A new account's quota is 10 and must keep 10 unreserved: any reservation rolls back
    the whole first deploy."""
    assert reservations(deployed(cfn)) == {}


def test_reservations_are_there_when_a_parameter_asks(cfn: dict[str, Any]) -> None:
    assert reservations(deployed(cfn, FanoutReservedConcurrency="50")) == {
        "FanoutFunction": {"Ref": "FanoutReservedConcurrency"}
    }
    public = reservations(deployed(cfn, PublicFunctionsReservedConcurrency="20"))
    assert public == {
        "SubscriptionsFunction": {"Ref": "PublicFunctionsReservedConcurrency"},
        "PublicAdvisoryFunction": {"Ref": "PublicFunctionsReservedConcurrency"},
        "EmailPagesFunction": {"Ref": "PublicFunctionsReservedConcurrency"},
    }


def test_the_poller_stays_single_run_by_its_schedule_alone(cfn: dict[str, Any]) -> None:
    """No reservation keeps one poll at a time any more: a run ends (its timeout) before the
    schedule's next event; an event delivered twice stores nothing twice (ingest's
    conditional write, tests/faults/test_ingest_faults.py)."""
    poller = functions(deployed(cfn))["FeedPollerFunction"]
    assert "ReservedConcurrentExecutions" not in poller
    (rule,) = [
        r["Properties"]
        for r in cfn["Resources"].values()
        if r["Type"] == "AWS::Events::Rule"
        and r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["FeedPollerFunction", "Arn"]}
    ]
    rate = re.fullmatch(r"rate\((\d+) (minute|hour)s?\)", rule["ScheduleExpression"])
    assert rate is not None, rule["ScheduleExpression"]
    interval = int(rate.group(1)) * (60 if rate.group(2) == "minute" else 3600)
    assert poller["Timeout"] < interval


@pytest.mark.parametrize(
    ("given", "site"),
    [("", DISTRIBUTION_SITE), ("https://alerts.example.org", {"Ref": "PublicBaseUrl"})],
)
def test_links_and_cors_name_the_site_in_one_deploy(
    cfn: dict[str, Any], given: str, site: dict[str, Any]
) -> None:
    """No domain: the distribution's own address, already in the first deploy (it used to
    be a domain this stack does not serve until a second deploy)."""
    resources = deployed(cfn, PublicBaseUrl=given)
    # Links in the messages the fan-out sends.
    fanout = functions(resources)["FanoutFunction"]
    assert fanout["Environment"]["Variables"]["PUBLIC_BASE_URL"] == site
    # CORS and the links the API functions make: the stage variable, for both APIs.
    stages = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 2
    assert all(stage["Variables"] == {"siteUrl": site} for stage in stages)
    for name in API_FUNCTIONS:  # one source: the stage (see template.yaml)
        assert "PUBLIC_BASE_URL" not in functions(resources)[name]["Environment"]["Variables"]
    outputs = choose_branches(cfn["Outputs"], decide_conditions(cfn, {"PublicBaseUrl": given}))
    assert outputs["SiteUrl"]["Value"] == site


def _graph(cfn: dict[str, Any]) -> dict[str, set[str]]:
    """Every resource's dependencies, over both branches of every Fn::If."""
    resources = cfn["Resources"]
    graph = {}
    for logical_id, resource in resources.items():
        depends = resource.get("DependsOn", [])
        named = references(resource.get("Properties", {})) | set(
            [depends] if isinstance(depends, str) else depends
        )
        graph[logical_id] = named & set(resources)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_deployed_template_has_no_dependency_cycle(cfn: dict[str, Any]) -> None:
    """The distribution names both APIs (its CSP), their stages name the distribution
    (siteUrl), the fan-out names it: acyclic even counting both branches of every Fn::If."""
    graph = _graph(cfn)
    assert _cycle(graph) is None, _cycle(graph)
    assert "WebDistribution" in graph["CitizenApiv1Stage"]
    assert "CitizenApi" in graph["WebSecurityHeaders"]
    # What would close a cycle: an API or a function it integrates naming the distribution.
    for name in ("CitizenApi", "PublisherApi", *API_FUNCTIONS):
        assert "WebDistribution" not in graph[name], name


def test_the_deployed_template_lints_clean(cfn: dict[str, Any], tmp_path: Path) -> None:
    """cfn-lint on what CloudFormation creates, with no ignore of ours: template.yaml has
    cfn-lint skip its cycle check (E3004) on the SAM form, where an Api is body and stage."""
    template = json.loads(json.dumps(cfn))
    for resource in template["Resources"].values():
        resource.get("Metadata", {}).pop("cfn-lint", None)
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_samconfig_has_staging_and_production_each_with_its_region() -> None:
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    stacks = set()
    for environment in ("staging", "production"):
        deploy = config[environment]["deploy"]["parameters"]
        assert re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", deploy["region"]), environment
        assert deploy["capabilities"] == "CAPABILITY_IAM"
        assert deploy["confirm_changeset"] is True
        stacks.add(config[environment]["global"]["parameters"]["stack_name"])
        overrides = deploy.get("parameter_overrides", "")
        assert "ReservedConcurrency=" not in overrides  # off on a new account
    assert len(stacks) == 2


def test_the_stack_is_created_on_moto_with_the_local_site(stack: DeployedStack) -> None:
    site = LOCAL_PARAMETERS["PublicBaseUrl"]
    assert stack.functions["FanoutFunction"].environment["PUBLIC_BASE_URL"] == site
    assert stack.stage_variables == {
        "CitizenApi": {"siteUrl": site},
        "PublisherApi": {"siteUrl": site},
    }
    lambdas = stack.client("lambda")
    for function in stack.functions:  # (moto reports a reservation here when there is one)
        assert "Concurrency" not in lambdas.get_function(FunctionName=stack.resources[function])


def test_api_functions_take_the_site_from_their_stage(stack: DeployedStack) -> None:
    """Links the citizen API makes and the publisher's preview name the stage's siteUrl (the
    distribution's address on a stack without a domain), not a configured default."""
    site = "https://d111111abcdef8.cloudfront.net"
    staged = dataclasses.replace(
        stack, stage_variables={api: {"siteUrl": site} for api in stack.stage_variables}
    )
    api = Api(staged)
    email = {"channel": "email", "address": "dana@example.org", "countries": ["TR"]}
    status, reply, _ = api.call("POST", "/subscriptions", {**email, "language": "en"})
    assert status == 202, reply
    assert reply["manage_link"] is None  # given on the confirmation page, not here
    sent = ses_backends[DEFAULT_ACCOUNT_ID][stack.region].sent_messages[-1]
    assert f"{site}/email/confirm/" in sent.raw_data  # the confirmation email's link
    preview = json.loads((EVENTS / "post-advisory-seed.json").read_text(encoding="utf-8"))
    preview["queryStringParameters"] = {"dry_run": "true"}
    preview["stageVariables"] = {"siteUrl": site}
    response = LocalFunctions(stack).invoke("IngestFunction", preview)
    assert response["statusCode"] == 200, response
    texts = json.dumps(json.loads(response["body"])["preview"], ensure_ascii=False)
    assert "d111111abcdef8.cloudfront.net/a/" in texts
    assert "alerts.mfa.gov.kg" not in texts
    bootstrap.reset()  # the site a request brought stays with the container otherwise


@pytest.mark.parametrize(
    ("function", "method", "path"),
    [
        ("CountriesFunction", "GET", "/countries"),
        ("DeliveryReportFunction", "GET", "/advisories/none/versions/1/delivery"),
    ],
)
def test_the_publisher_console_functions_allow_the_stage_site_only(
    stack: DeployedStack, function: str, method: str, path: str
) -> None:
    """The countries switch and the delivery report answer CORS for the stage's siteUrl, the
    site the console is served from, whatever their environment holds."""
    site = "https://d111111abcdef8.cloudfront.net"
    (route,) = [r for r in stack.routes if r.function == function and r.method == method]
    parameters = route.match(method, path)
    assert parameters is not None
    functions = LocalFunctions(stack)
    try:
        for origin, allowed in [(site, site), ("https://evil.example", None)]:
            event = api_event(
                route, method, path, parameters, "", {"origin": origin}, b"", "203.0.113.10",
                stage_variables={"siteUrl": site},
            )  # fmt: skip
            response = functions.invoke(function, event)
            headers = {**response.get("headers", {})}
            headers.update({k: v[0] for k, v in (response.get("multiValueHeaders") or {}).items()})
            assert headers.get("Access-Control-Allow-Origin") == allowed, (origin, response)
    finally:
        bootstrap.reset()  # the site a request brought stays with the container otherwise
