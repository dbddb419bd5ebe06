"""GET /advisories/{advisory_id} (PublicAdvisoryFunction) against moto, every resource created
from template.yaml: advisories are posted through the real publisher handler, read through
the real read handler, with the routes, environment and policy the template gives them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from consular_alerts.adapters import aws_clients

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack, translate
from tests.conftest import EVENTS


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return data


def post(functions: LocalFunctions, name: str = "post-advisory-seed.json", **fields: Any) -> str:
    event = sample(name)
    if fields:
        payload = json.loads(event["body"])
        payload.update(fields)
        event["body"] = json.dumps(payload, ensure_ascii=False)
    response = functions.invoke("IngestFunction", event)
    assert response["statusCode"] in {200, 201}, response
    return str(json.loads(response["body"])["advisory_id"])


def read(
    functions: LocalFunctions,
    advisory_id: str,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    stage_variables: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    event = copy.deepcopy(sample("read-advisory.json"))
    event["stageVariables"] = stage_variables
    event["path"] = f"/advisories/{advisory_id}"
    event["pathParameters"] = {"advisory_id": advisory_id}
    event["multiValueQueryStringParameters"] = query
    event["queryStringParameters"] = {k: v[-1] for k, v in query.items()} if query else None
    if headers:
        event["headers"] = headers
    response = functions.invoke("PublicAdvisoryFunction", event)
    return int(response["statusCode"]), response["headers"], json.loads(response["body"])


@pytest.fixture
def functions(stack: DeployedStack) -> LocalFunctions:
    return LocalFunctions(stack)


@pytest.fixture
def dynamodb_calls(stack: DeployedStack) -> Iterator[list[str]]:
    """The DynamoDB operations the handlers' shared client makes."""
    calls: list[str] = []
    client = aws_clients.dynamodb()

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    client.meta.events.register("before-call.dynamodb", record)
    yield calls
    client.meta.events.unregister("before-call.dynamodb", record)


def test_the_seed_is_served_with_its_hotlines_and_a_minute_of_cache(
    functions: LocalFunctions,
) -> None:
    advisory_id = post(functions)
    status, headers, view = read(functions, advisory_id)
    assert status == 200, view
    assert headers["Cache-Control"] == "public, max-age=60"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert (view["advisory_id"], view["version"], view["latest_version"]) == (advisory_id, 1, 1)
    assert view["status"] == "actual"
    assert view["lifecycle"] == "current"
    assert view["countries"][0]["code"] == "KZ"
    assert view["countries"][0]["names"]["ky"] == "Казакстан"
    assert [h["number"] for h in view["hotlines"]] == [
        "+996772454444",
        "+77770371448",
        "+77778150072",
    ]
    assert list(view["content"]) == ["ru"]
    assert view["content"]["ru"]["headline"]
    assert view["short_reference"] == "caf7ae85"  # the seed's SMS link (README)


def test_the_sample_event_reads_the_seed_by_its_sms_reference(
    functions: LocalFunctions, dynamodb_calls: list[str]
) -> None:
    advisory_id = post(functions)
    dynamodb_calls.clear()
    response = functions.invoke("PublicAdvisoryFunction", sample("read-advisory.json"))
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["advisory_id"] == advisory_id
    # Resolved through the index, then two reads: the head and the version.
    assert dynamodb_calls == ["GetItem", "Query", "GetItem", "GetItem"]


def test_the_function_calls_only_what_its_policy_allows(
    stack: DeployedStack, functions: LocalFunctions, dynamodb_calls: list[str]
) -> None:
    advisory_id = post(functions)
    dynamodb_calls.clear()
    read(functions, advisory_id)
    read(functions, "caf7ae85", {"version": ["1"]})
    read(functions, "0badc0de")
    read(functions, "no-such-advisory")
    role = translate_role(stack)
    allowed = {
        action.removeprefix("dynamodb:"): statement["Resource"]
        for statement in role
        for action in statement["Action"]
    }
    assert set(dynamodb_calls) == set(allowed) == {"GetItem", "Query"}
    assert allowed["GetItem"] == {"Fn::GetAtt": ["AdvisoriesTable", "Arn"]}
    assert allowed["Query"] == {"Fn::Sub": "${AdvisoriesTable.Arn}/index/ShortReference"}


def translate_role(stack: DeployedStack) -> list[dict[str, Any]]:
    from alerts_local.stack import load_sam

    role = translate(load_sam())["Resources"]["PublicAdvisoryFunctionRole"]["Properties"]
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_a_new_version_is_served_and_an_earlier_one_on_request(
    functions: LocalFunctions,
) -> None:
    advisory_id = post(functions, "post-advisory-json.json")
    post(functions, "post-advisory-json.json", level=4, significance="major")
    status, _, latest = read(functions, advisory_id)
    assert (status, latest["version"], latest["level"]) == (200, 2, 4)
    status, _, first = read(functions, advisory_id, {"version": ["1"]})
    assert (status, first["version"], first["latest_version"], first["level"]) == (200, 1, 2, 3)
    assert first["content"]["en"]["headline"] == "Earthquake in southern Türkiye"
    assert [a["name"] for a in first["areas"]] == ["Kahramanmaraş", "Hatay"]
    status, headers, missing = read(functions, advisory_id, {"version": ["3"]})
    assert status == 404
    assert missing["error"] == f"advisory {advisory_id} has no version 3 (latest: 2)"
    assert headers["Cache-Control"] == "public, max-age=10"


def test_a_cancelled_advisory_is_closed_and_names_the_cancel(functions: LocalFunctions) -> None:
    original = post(functions, "post-advisory-json.json")
    cancel = post(
        functions,
        "post-advisory-json.json",
        source_id="mfa-kg-2026-tr-0148",
        msg_type="cancel",
        references=[original],
    )
    _, _, view = read(functions, original)
    assert view["lifecycle"] == "closed"
    assert view["replaced_by"] == {"advisory_id": cancel, "version": 1}
    _, _, cancelling = read(functions, cancel)
    assert cancelling["msg_type"] == "cancel"
    assert cancelling["references"] == [{"advisory_id": original, "version": None}]


@pytest.mark.parametrize("status", ["test", "exercise", "draft"])
def test_advisories_that_are_not_actual_are_404(functions: LocalFunctions, status: str) -> None:
    advisory_id = post(functions, "post-advisory-json.json", status=status)
    code, _, reply = read(functions, advisory_id)
    assert (code, reply) == (404, {"error": f"no advisory {advisory_id}"})


@pytest.mark.parametrize(
    ("advisory_id", "query", "problem"),
    [
        (
            "..%2Fetc",
            None,
            "advisory_id: letters, digits and . _ : / - only, starting with a letter or digit",
        ),
        (
            "a%20b",
            None,
            "advisory_id: letters, digits and . _ : / - only, starting with a letter or digit",
        ),
        ("x" * 201, None, "advisory_id: 201 characters, at most 200"),
        ("caf7ae85", {"version": ["one"]}, "version: must be a whole number from 1"),
        ("caf7ae85", {"version": ["1", "2"]}, "version: given more than once"),
        ("caf7ae85", {"lang": ["ru"]}, "query parameter 'lang' is not known; only version is"),
    ],
)
def test_bad_requests_are_400_naming_the_problem(
    functions: LocalFunctions,
    dynamodb_calls: list[str],
    advisory_id: str,
    query: dict[str, list[str]] | None,
    problem: str,
) -> None:
    status, headers, reply = read(functions, advisory_id, query)
    assert (status, reply) == (400, {"error": problem})
    assert headers["Cache-Control"] == "no-store"
    assert dynamodb_calls == []


def test_unknown_ids_and_references_are_404(functions: LocalFunctions) -> None:
    post(functions)
    for unknown in ("mfa-kg-00000000000000000000", "0badc0de"):
        status, _, reply = read(functions, unknown)
        assert (status, reply) == (404, {"error": f"no advisory {unknown}"})


def test_an_id_with_a_slash_arrives_encoded_and_is_read(functions: LocalFunctions) -> None:
    advisory_id = post(functions, "post-advisory-json.json", advisory_id="mfa-kg/2026/tr-0147")
    status, _, view = read(functions, "mfa-kg%2F2026%2Ftr-0147")
    assert (status, view["advisory_id"]) == (200, advisory_id)


def test_only_the_site_may_read_the_answer_from_a_page(
    stack: DeployedStack, functions: LocalFunctions
) -> None:
    advisory_id = post(functions)
    # The site is the API stage's siteUrl (the distribution's address when no domain is
    # given): the function's environment has none of its own.
    assert "PUBLIC_BASE_URL" not in stack.functions["PublicAdvisoryFunction"].environment
    stage = {"siteUrl": "https://d1234abcd.cloudfront.net"}
    site = stage["siteUrl"]
    _, headers, _ = read(functions, advisory_id, headers={"Origin": site}, stage_variables=stage)
    assert headers["Access-Control-Allow-Origin"] == site
    assert headers["Vary"] == "Origin"
    for origin in ("https://evil.example", "https://alerts.mfa.gov.kg"):
        _, headers, _ = read(
            functions, advisory_id, headers={"Origin": origin}, stage_variables=stage
        )
        assert "Access-Control-Allow-Origin" not in headers, origin
