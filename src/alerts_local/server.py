"""The embedded local AWS: moto in-process, the stack from template.yaml, the APIs over HTTP.

HTTP requests become API Gateway (REST, proxy) events for the real handlers; after each
request the stream pump delivers the new DynamoDB stream records to the fan-out handler and
the outbox plays SNS delivery, so a caller sees the effects of its request when it returns.
A background thread does the same every half second for anything else.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from moto.server import ThreadedMotoServer

from alerts_local.lambdas import LocalFunctions, apply_environment, use_local_credentials
from alerts_local.outbox import Outbox
from alerts_local.stack import DeployedStack, Route, deploy
from alerts_local.streams import StreamPump

MAX_BODY = 1024 * 1024


def api_event(
    route: Route,
    method: str,
    path: str,
    path_parameters: dict[str, str],
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
) -> dict[str, Any]:
    """An API Gateway REST proxy-integration event, as the handler would receive it."""
    query_pairs = parse_qsl(query, keep_blank_values=True)
    try:
        text_body: str | None = body.decode("utf-8") if body else None
        is_base64 = False
    except UnicodeDecodeError:
        text_body, is_base64 = base64.b64encode(body).decode("ascii"), True
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": dict(query_pairs) or None,
        "multiValueQueryStringParameters": {
            k: [v for kk, v in query_pairs if kk == k] for k, _ in query_pairs
        }
        or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {
                "sourceIp": source_ip,
                # The publisher API's IAM authorizer is not enforced locally.
                "userArn": "arn:aws:iam::123456789012:user/local"
                if route.api == "PublisherApi"
                else None,
            },
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


@dataclass
class LocalRuntime:
    stack: DeployedStack
    moto: ThreadedMotoServer
    functions: LocalFunctions
    pump: StreamPump
    outbox: Outbox
    lock: threading.RLock = field(default_factory=threading.RLock)
    _http: ThreadingHTTPServer | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        assert self._http is not None
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def settle(self) -> None:
        """Run the stream and SNS delivery until nothing is left to do."""
        with self.lock:
            while self.pump.drain():
                pass
            self.outbox.collect()

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        if parts.path.startswith("/_local/"):
            return self._local_endpoint(parts.path)
        allowed: list[str] = []
        for route in self.stack.routes:
            parameters = route.match(method, parts.path)
            if parameters is None:
                if route.match(route.method, parts.path) is not None:
                    allowed.append(route.method)
                continue
            event = api_event(
                route, method, parts.path, parameters, parts.query, headers, body, source_ip
            )
            with self.lock:
                response = self.functions.invoke(route.function, event)
                self.settle()
            payload = response.get("body") or ""
            data = (
                base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
            )
            return int(response["statusCode"]), dict(response.get("headers") or {}), data
        if allowed:
            return _json(405, {"error": f"method {method} not allowed; use {', '.join(allowed)}"})
        return _json(404, {"error": f"no route for {parts.path}"})

    def _local_endpoint(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Inspection endpoints of the local runtime only (no AWS equivalent)."""
        with self.lock:
            self.settle()
            if path == "/_local/sms":
                return _json(200, {"sms": [vars(m) for m in self.outbox.direct_sms()]})
            if path == "/_local/deliveries":
                return _json(200, {"deliveries": [d.as_json() for d in self.outbox.deliveries]})
            if path == "/_local/segments":
                return _json(200, {"segments": self.outbox.segment_counts()})
        return _json(404, {"error": f"no local endpoint {path}"})

    def serve_http(self, host: str = "127.0.0.1", port: int = 0) -> None:
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    status, headers, data = _json(413, {"error": "body too large"})
                else:
                    body = self.rfile.read(length) if length else b""
                    try:
                        status, headers, data = runtime.handle(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            self.client_address[0],
                        )
                    except Exception as error:  # what API Gateway shows for a crashed handler
                        status, headers, data = _json(
                            502,
                            {"message": "Internal server error", "detail": type(error).__name__},
                        )
                        self.log_error("handler failed: %r", error)
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the handlers log; request lines would only add noise

        self._http = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        threading.Thread(target=self._background, daemon=True).start()

    def _background(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.settle()
            except Exception:  # keep serving; the next request shows the fault
                logging.getLogger(__name__).exception("background settle failed")

    def stop(self) -> None:
        self._stop.set()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        self.moto.stop()


def _json(status: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json"},
        json.dumps(payload, ensure_ascii=False).encode(),
    )


def start(
    *, port: int = 0, stack_name: str = "consular-alerts-local", log_level: str = "WARNING"
) -> LocalRuntime:
    """Start moto, deploy the template to it, and serve the APIs on 127.0.0.1:`port`."""
    use_local_credentials("us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, moto_port = moto.get_host_and_port()
    stack = deploy(f"http://{host}:{moto_port}", stack_name)
    apply_environment(stack, log_level)
    functions = LocalFunctions(stack)
    runtime = LocalRuntime(
        stack=stack,
        moto=moto,
        functions=functions,
        pump=StreamPump(stack, functions),
        outbox=Outbox(stack.region, topic_prefix=f"{stack.name}-seg-"),
    )
    runtime.serve_http(port=port)
    return runtime
