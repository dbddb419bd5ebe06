"""The APIs' router (consular_alerts.http_routes): matching, path parameters, request bodies
validated by a model, errors turned into answers, and the OpenAPI document of its routes."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import pytest
from consular_alerts.http_openapi import openapi_document
from consular_alerts.http_routes import (
    Request,
    RequestValidationError,
    Response,
    Router,
    UnsupportedContentTypeError,
)
from pydantic import BaseModel, ConfigDict, Field

UUID = "3f6c1e9e-8d1b-4f8e-9a43-2b7c5d0e6a11"
Id = Annotated[str, Field(pattern=r"^[0-9a-f-]{36}$", description="An id")]


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=10)


class Saved(BaseModel):
    id: str
    text: str


@dataclass(frozen=True)
class When:
    hour: int


def event(
    method: str,
    path: str,
    body: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    encoded: bool = False,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "httpMethod": method,
        "path": path,
        "headers": headers if headers is not None else {"Content-Type": "application/json"},
        "queryStringParameters": query,
        "body": body,
        "isBase64Encoded": encoded,
        "requestContext": {"identity": {"sourceIp": "203.0.113.7", "userArn": "arn:x"}},
    }


def router() -> Router:
    app = Router()

    @app.exception_handler(RequestValidationError)
    def invalid(error: RequestValidationError) -> Response:
        detail = [{"loc": list(e["loc"]), "type": e["type"]} for e in error.errors()]
        return Response(422, {"detail": detail})

    @app.exception_handler(UnsupportedContentTypeError)
    def unsupported(error: UnsupportedContentTypeError) -> Response:
        return Response(415, {"error": "send JSON"})

    @app.exception_handler(UnicodeDecodeError, binascii.Error)
    def undecodable(error: Exception) -> Response:
        return Response(422, {"error": "not UTF-8"})

    @app.exception_handler(LookupError)
    def missing(error: LookupError) -> Response:
        return Response(404, {"error": str(error)}, headers={"Retry-After": "5"})

    @app.get("/notes/code")
    def code(request: Request) -> dict[str, Any]:
        return {"static": True, "ip": request.source_ip, "query": request.query}

    @app.get("/notes/<note_id>", parameters={"note_id": Id}, summary="Read a note")
    def read(request: Request, note_id: str) -> Saved:
        if note_id.startswith("0"):
            raise KeyError("no such note")
        return Saved(id=note_id, text="hi")

    @app.post(
        "/notes/<note_id>",
        status=201,
        body=Note,
        parameters={"note_id": Id},
        summary="Write a note",
        operation_id="write",
        responses={201: {"description": "Written", "model": Saved}},
        security=[{"token": []}],
    )
    def write(request: Request, note_id: str, body: Note) -> Saved:
        return Saved(id=note_id, text=body.text)

    @app.get("/raw/<anything>")
    def raw(request: Request, anything: str) -> Response:
        nested = {"amount": Decimal("1.5"), "saved": Saved(id="1", text="t"), "when": When(2)}
        return Response(200, {"anything": anything, **nested})

    return app


def answer(app: Router, *args: Any, **kwargs: Any) -> tuple[int, Any, dict[str, list[str]]]:
    result = app.resolve(event(*args, **kwargs))
    assert result["isBase64Encoded"] is False
    return result["statusCode"], json.loads(result["body"]), result["multiValueHeaders"]


def test_a_route_answers_its_model_as_json_with_its_status() -> None:
    status, body, headers = answer(router(), "POST", f"/notes/{UUID}", '{"text": "hello"}')
    assert (status, body) == (201, {"id": UUID, "text": "hello"})
    assert headers["Content-Type"] == ["application/json"]


def test_static_paths_win_over_parameters_and_the_request_is_handed_over() -> None:
    status, body, _ = answer(router(), "GET", "/notes/code", query={"a": "1"})
    assert (status, body) == (200, {"static": True, "ip": "203.0.113.7", "query": {"a": "1"}})


@pytest.mark.parametrize("path", ["/nowhere", "/notes", "/notes/", f"/notes/{UUID}/x", "notes"])
def test_an_unknown_path_is_404(path: str) -> None:
    assert answer(router(), "GET", path)[:2] == (404, {"statusCode": 404, "message": "Not found"})


def test_a_known_path_with_another_method_is_405_naming_the_allowed_ones() -> None:
    status, _, headers = answer(router(), "DELETE", f"/notes/{UUID}")
    assert status == 405
    assert headers["Allow"] == ["GET, POST"]


@pytest.mark.parametrize("segment", ["a%2Fb", "a b", "x:y@z", "ü"])
def test_path_parameters_take_what_api_gateway_hands_over_but_a_slash(segment: str) -> None:
    assert answer(router(), "GET", f"/raw/{segment}")[1]["anything"] == segment
    assert answer(router(), "GET", f"/raw/{segment}/more")[0] == 404


def test_a_path_parameter_is_validated_by_its_type() -> None:
    status, body, _ = answer(router(), "GET", "/notes/not-an-id")
    assert status == 422
    assert body["detail"] == [{"loc": ["path", "note_id"], "type": "string_pattern_mismatch"}]


def test_path_and_body_errors_are_reported_together() -> None:
    status, body, _ = answer(router(), "POST", "/notes/bad", '{"text": "far too long", "x": 1}')
    assert status == 422
    assert [tuple(e["loc"]) for e in body["detail"]] == [
        ("path", "note_id"),
        ("body", "text"),
        ("body", "x"),
    ]


@pytest.mark.parametrize("text", [None, "", "null"])
def test_a_missing_body_is_a_missing_field(text: str | None) -> None:
    status, body, _ = answer(router(), "POST", f"/notes/{UUID}", text)
    assert (status, body["detail"]) == (422, [{"loc": ["body"], "type": "missing"}])


@pytest.mark.parametrize("text", ["[]", '"x"', '[{"text": "hi"}]'])
def test_a_body_that_is_not_an_object_is_refused(text: str) -> None:
    status, body, _ = answer(router(), "POST", f"/notes/{UUID}", text)
    assert (status, body["detail"][0]["loc"]) == (422, ["body"])


def test_invalid_json_is_located_by_its_character() -> None:
    status, body, _ = answer(router(), "POST", f"/notes/{UUID}", '{"text":')
    assert (status, body["detail"]) == (422, [{"loc": ["body", 8], "type": "json_invalid"}])


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_route_refuses_other_content_types(content_type: str) -> None:
    headers = {"CONTENT-TYPE": content_type}
    assert answer(router(), "POST", f"/notes/{UUID}", "{}", headers=headers)[0] == 415


def test_no_content_type_is_read_as_json() -> None:
    status, _, _ = answer(router(), "POST", f"/notes/{UUID}", '{"text": "a"}', headers={})
    assert status == 201


def test_a_base64_body_is_decoded() -> None:
    encoded = base64.b64encode('{"text": "привет"}'.encode()).decode()
    status, body, _ = answer(router(), "POST", f"/notes/{UUID}", encoded, encoded=True)
    assert (status, body["text"]) == (201, "привет")


@pytest.mark.parametrize("encoded", [base64.b64encode(b"\xff\xfe{}").decode(), "abc"])
def test_a_base64_body_that_is_not_utf8_or_not_base64_goes_to_its_handler(encoded: str) -> None:
    assert answer(router(), "POST", f"/notes/{UUID}", encoded, encoded=True)[:2] == (
        422,
        {"error": "not UTF-8"},
    )


def test_an_error_handler_answers_subclasses_with_its_headers() -> None:
    status, body, headers = answer(router(), "GET", "/notes/00000000-0000-0000-0000-000000000000")
    assert (status, body) == (404, {"error": "'no such note'"})
    assert headers["Retry-After"] == ["5"]


def test_an_error_without_a_handler_propagates() -> None:
    app = Router()

    @app.get("/boom")
    def boom(request: Request) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        app.resolve(event("GET", "/boom"))


def test_decimals_models_and_dataclasses_in_a_dict_are_sent_as_json() -> None:
    body = answer(router(), "GET", "/raw/x")[1]
    assert body["amount"] == "1.5"
    assert body["saved"] == {"id": "1", "text": "t"}
    assert body["when"] == {"hour": 2}


def test_header_names_are_read_case_insensitively() -> None:
    request = Request(event("GET", "/", headers={"Authorization": "Bearer t"}))
    assert request.headers["authorization"] == "Bearer t"
    assert request.user_arn == "arn:x"


def test_the_openapi_document_has_every_route_with_its_schemas() -> None:
    document = openapi_document(
        router().routes,
        title="Notes",
        version="1",
        description="d",
        security_schemes={"token": {"type": "http", "scheme": "bearer"}},
    )
    assert document["openapi"].startswith("3.")
    write = document["paths"]["/notes/{note_id}"]["post"]
    assert write["operationId"] == "write"
    assert write["security"] == [{"token": []}]
    assert write["parameters"][0]["schema"]["pattern"] == "^[0-9a-f-]{36}$"
    assert write["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Note"
    }
    assert set(write["responses"]) == {"201", "422"}
    schemas = document["components"]["schemas"]
    assert {"Note", "Saved", "HTTPValidationError", "ValidationError"} <= set(schemas)
    assert schemas["Note"]["properties"]["text"]["maxLength"] == 10
    assert set(document["paths"]) == {"/notes/code", "/notes/{note_id}", "/raw/{anything}"}


def test_models_named_by_a_route_are_found_in_the_routers_module_when_first_needed() -> None:
    app = Router(models=__name__)  # this module: Note, Saved, Id

    @app.post("/notes/<note_id>", status=201, body="Note", parameters={"note_id": "Id"})
    def write(request: Request, note_id: str, body: Note) -> Saved:
        return Saved(id=note_id, text=body.text)

    route = app.routes[0]
    assert route.body is Note
    assert route.parameters["note_id"].validate_python(UUID) == UUID
    saved = app.resolve(event("POST", f"/notes/{UUID}", json.dumps({"text": "hi"})))
    assert (saved["statusCode"], json.loads(saved["body"])) == (201, {"id": UUID, "text": "hi"})
    with pytest.raises(RequestValidationError) as refused:
        app.resolve(event("POST", "/notes/not-an-id", json.dumps({"text": "x" * 11})))
    assert [e["loc"] for e in refused.value.errors()] == [("path", "note_id"), ("body", "text")]


def test_a_model_named_without_a_models_module_or_missing_from_it_is_an_error() -> None:
    unnamed = Router()
    unnamed.post("/a", body="Note")(lambda request, body: body)
    with pytest.raises(LookupError, match="no models module"):
        _ = unnamed.routes[0].body
    wrong = Router(models=__name__)
    wrong.post("/a", body="Nowhere")(lambda request, body: body)
    with pytest.raises(AttributeError, match="Nowhere"):
        _ = wrong.routes[0].body
