"""A small router for API Gateway REST proxy events: the APIs' routes, their path parameters,
the citizen API's request bodies validated by its pydantic models, and the handlers' errors
turned into responses.

Not Powertools' event handler: importing it loads every resolver it has (AppSync's with
asyncio among them) and its OpenAPI machinery, a sixth to a third of the boto3 import again
at each cold start (README: performance), for the few things used here. Standard library
only at import. A route may name its models (`body="SubscribeRequest"`) in the router's
models module instead of passing them: then pydantic, and that module, load when the first
request needs them, and only the models that request uses are built (not the whole API's).
The OpenAPI document is built from the same route table (consular_alerts.http_openapi).
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter

JSON = "application/json"
# What a path parameter may hold (Powertools' rule, kept so the same paths match): letters,
# digits, "_" and these; never "/".
_PARAMETER_SYMBOLS = frozenset("-._~()'!*:@,;=+&$%<> []{}|^")

Handler = Callable[..., Any]


class Response:
    """What a route or an error handler answers; a dict or a model body is sent as JSON."""

    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(
        self,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = JSON,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def to_proxy_result(self) -> dict[str, Any]:
        """The proxy integration's answer (REST: multiValueHeaders)."""
        headers = dict(self.headers)
        if self.content_type:
            headers.setdefault("Content-Type", self.content_type)
        body = self.body
        if body is not None and not isinstance(body, str):
            body = json.dumps(_jsonable(body), separators=(",", ":"), default=_json_default)
        return {
            "statusCode": self.status,
            "body": body,
            "isBase64Encoded": False,
            "multiValueHeaders": {key: [value] for key, value in headers.items()},
        }


def _jsonable(body: Any) -> Any:
    if hasattr(body, "model_dump"):  # a pydantic model: its JSON form, by alias
        return body.model_dump(mode="json", by_alias=True)
    return body


def _json_default(value: Any) -> Any:
    """What else a route's dict may hold (as Powertools' encoder took it)."""
    if isinstance(value, Decimal):  # what DynamoDB reads numbers as
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class RequestValidationError(Exception):
    """A request its route's models refused: pydantic's errors, each with its location
    ("path", name) or ("body", field, ...)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid request")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class UnsupportedContentTypeError(Exception):
    """A body sent as something other than JSON to a route that reads one."""


class Request:
    """One API Gateway REST proxy event, as the routes read it."""

    __slots__ = (
        "body",
        "caller",
        "event",
        "headers",
        "is_base64_encoded",
        "method",
        "multi_query",
        "path",
        "query",
        "source_ip",
        "user_arn",
    )

    def __init__(self, event: Mapping[str, Any]) -> None:
        self.event = event
        self.method = str(event.get("httpMethod") or "").upper()
        self.path = str(event.get("path") or "/")
        #: Header names lower-cased (HTTP's are case-insensitive).
        self.headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        self.query: dict[str, str] = dict(event.get("queryStringParameters") or {})
        self.multi_query: dict[str, list[str]] = dict(
            event.get("multiValueQueryStringParameters") or {}
        )
        self.body: str | None = event.get("body")
        self.is_base64_encoded = bool(event.get("isBase64Encoded"))
        identity = (event.get("requestContext") or {}).get("identity") or {}
        self.source_ip: str | None = identity.get("sourceIp")
        self.user_arn: str | None = identity.get("userArn")
        self.caller: str | None = identity.get("caller")

    def text(self) -> str | None:
        """The body as text; base64 decoded when the event says so (binascii.Error,
        UnicodeDecodeError: not base64, or not UTF-8)."""
        if self.is_base64_encoded and self.body:
            return base64.b64decode(self.body.encode()).decode()
        return self.body


class Route:
    """One operation: its method and path, what it validates, its handler and its OpenAPI
    fields (summary, responses, ...: consular_alerts.http_openapi)."""

    __slots__ = (
        "_adapters",
        "_body",
        "_kinds",
        "handler",
        "method",
        "models",
        "openapi",
        "rule",
        "segments",
        "status",
    )

    def __init__(
        self,
        method: str,
        rule: str,
        handler: Handler,
        *,
        status: int,
        body: type[BaseModel] | str | None,
        parameters: Mapping[str, Any],
        openapi: Mapping[str, Any],
        models: str | None = None,
    ) -> None:
        self.method = method
        #: As written: "/subscriptions/<subscription_id>"; "<name>" is a path parameter.
        self.rule = rule
        self.segments = tuple(rule.split("/")[1:])  # "/" is ("",), as a request for "/" is
        self.handler = handler
        self.status = status
        #: The module that a model given by name is looked up in (see model()).
        self.models = models
        self._body = body
        self._kinds = dict(parameters)
        self._adapters: dict[str, TypeAdapter[Any]] | None = None if self._kinds else {}
        self.openapi = openapi

    def model(self, ref: Any) -> Any:
        """`ref` itself, or the object of that name in the router's models module (imported
        now: the first request that needs it pays for it, not every cold start)."""
        if not isinstance(ref, str):
            return ref
        if self.models is None:
            raise LookupError(f"{self.method} {self.rule}: {ref!r} named, but no models module")
        return getattr(importlib.import_module(self.models), ref)

    @property
    def body(self) -> type[BaseModel] | None:
        """The request body's model (validated before the handler runs), or None."""
        if isinstance(self._body, str):
            resolved: type[BaseModel] = self.model(self._body)
            self._body = resolved
            return resolved
        return self._body

    @property
    def parameters(self) -> Mapping[str, TypeAdapter[Any]]:
        """Path parameter name -> its validator (a pattern, a description)."""
        if self._adapters is None:
            from pydantic import TypeAdapter  # only routes that validate (with their models)

            self._adapters = {
                name: TypeAdapter(self.model(kind)) for name, kind in self._kinds.items()
            }
        return self._adapters

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters when `segments` is this route's path, else None."""
        if len(self.segments) != len(segments):
            return None
        values = {}
        for pattern, segment in zip(self.segments, segments, strict=True):
            if pattern.startswith("<") and pattern.endswith(">"):
                if not segment or not all(
                    c.isalnum() or c == "_" or c in _PARAMETER_SYMBOLS for c in segment
                ):
                    return None
                values[pattern[1:-1]] = segment
            elif pattern != segment:
                return None
        return values


class Router:
    """Routes by method and path; the first registered match wins, static paths before
    those with parameters. Unknown path: 404; known path, other method: 405."""

    def __init__(self, models: str | None = None) -> None:
        """`models`: the module where routes' models given by name are found."""
        self.routes: list[Route] = []
        self.models = models
        self._error_handlers: dict[type[BaseException], Callable[[Any], Response]] = {}

    def route(
        self,
        method: str,
        rule: str,
        *,
        status: int = 200,
        body: type[BaseModel] | str | None = None,
        parameters: Mapping[str, Any] | None = None,
        **openapi: Any,
    ) -> Callable[[Handler], Handler]:
        """Registers `handler(request, **path_parameters[, body=model])`; it returns a
        Response, or a model or dict sent as JSON with `status`. `body`: the request body's
        model, or its name in the router's models module. `parameters`: a path parameter's
        pydantic type (Annotated[str, Field(pattern=...)]) or its name there, validated."""

        def register(handler: Handler) -> Handler:
            route = Route(
                method.upper(),
                rule,
                handler,
                status=status,
                body=body,
                parameters=parameters or {},
                openapi=openapi,
                models=self.models,
            )
            self.routes.append(route)
            return handler

        return register

    def get(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", rule, **options)

    def post(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", rule, **options)

    def put(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", rule, **options)

    def patch(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", rule, **options)

    def delete(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", rule, **options)

    def exception_handler(
        self, *errors: type[BaseException]
    ) -> Callable[[Callable[[Any], Response]], Callable[[Any], Response]]:
        """Registers the answer to these exceptions (and their subclasses) from a route."""

        def register(handler: Callable[[Any], Response]) -> Callable[[Any], Response]:
            for error in errors:
                self._error_handlers[error] = handler
            return handler

        return register

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The proxy integration's answer to `event`."""
        request = Request(event)
        try:
            response = self._answer(request)
        except Exception as error:
            handler = next(
                (self._error_handlers[k] for k in type(error).__mro__ if k in self._error_handlers),
                None,
            )
            if handler is None:
                raise
            response = handler(error)
        return response.to_proxy_result()

    def _answer(self, request: Request) -> Response:
        if not request.path.startswith("/"):
            return Response(404, {"statusCode": 404, "message": "Not found"})
        segments = request.path.split("/")[1:]  # "a//b" and "a/" match no route
        # Static paths first: "/subscriptions/code" is not a subscription id.
        ordered = sorted(self.routes, key=lambda route: "<" in route.rule)
        matched = [
            (route, values) for route in ordered if (values := route.match(segments)) is not None
        ]
        for route, values in matched:
            if route.method == request.method:
                return self._call(route, request, values)
        if matched:
            allowed = ", ".join(sorted({route.method for route, _ in matched}))
            return Response(
                405,
                {"statusCode": 405, "message": "Method not allowed"},
                headers={"Allow": allowed},
            )
        return Response(404, {"statusCode": 404, "message": "Not found"})

    def _call(self, route: Route, request: Request, values: dict[str, str]) -> Response:
        arguments: dict[str, Any] = dict(values)
        errors: list[dict[str, Any]] = []
        for name, adapter in route.parameters.items():
            arguments[name] = _validated_parameter(name, adapter, values[name], errors)
        if route.body is not None:
            arguments["body"] = _validated_body(route.body, request, errors)
        if errors:
            raise RequestValidationError(errors)
        result = route.handler(request, **arguments)
        return result if isinstance(result, Response) else Response(route.status, result)


def _validated_parameter(
    name: str, adapter: TypeAdapter[Any], value: str, errors: list[Any]
) -> Any:
    from pydantic import ValidationError  # loaded by the route's adapter already

    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        errors.extend(_located(error, ("path", name)))
        return None


def _validated_body(model: type[BaseModel], request: Request, errors: list[Any]) -> Any:
    from pydantic import ValidationError  # loaded by the model already

    content_type = request.headers.get("content-type", "").strip()
    if content_type and not content_type.startswith(JSON):
        raise UnsupportedContentTypeError(content_type)
    text = request.text()  # binascii.Error, UnicodeDecodeError: the handler's to answer
    try:
        data = json.loads(text) if text else None
    except json.JSONDecodeError as error:
        invalid = {"type": "json_invalid", "loc": ("body", error.pos), "msg": "JSON decode error"}
        raise RequestValidationError([invalid]) from error
    if data is None:
        errors.append({"type": "missing", "loc": ("body",), "msg": "Field required"})
        return None
    try:
        return model.model_validate(data, from_attributes=True)
    except ValidationError as error:
        errors.extend(_located(error, ("body",)))
        return None


def _located(error: Any, prefix: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {**item, "loc": (*prefix, *item.get("loc", ()))} for item in error.errors(include_url=False)
    ]
