"""The embedded local AWS: moto in-process, the stack from template.yaml, the APIs over HTTP.

HTTP requests become API Gateway (REST, proxy) events for the real handlers; after each
request the stream pump delivers the new DynamoDB stream records to the fan-out and CAP feed
handlers and the outbox plays SNS delivery, so a caller sees the effects of its request when
it returns.
A background thread does the same every half second for anything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aws_lambda_powertools.event_handler.openapi import swagger_ui
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from consular_alerts.adapters.dynamodb.feeds import DynamoFeedRepository
from consular_alerts.domain.messages.preview import SmsPrices
from consular_alerts.models.feeds import FeedConfig
from moto.server import ThreadedMotoServer

from alerts_local.email_outbox import EmailPump
from alerts_local.lambdas import LocalFunctions, apply_environment, use_local_credentials
from alerts_local.log_subscriptions import LogSubscriptionPump
from alerts_local.outbox import Outbox
from alerts_local.publisher_auth import PublisherCredentials, approver_credentials, signed_by
from alerts_local.site_bucket import bucket_response
from alerts_local.sms_receipts import ReceiptWriter
from alerts_local.stack import LOCAL_ACCOUNT, REPO_ROOT, DeployedStack, Route, deploy
from alerts_local.streams import StreamPump
from alerts_local.web import site_config, static_response

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
    identity: dict[str, str] | None = None,
    stage_variables: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy-integration event, as the handler would receive it.

    `identity`: the caller's IAM identity (the publisher API's AWS_IAM). The local server
    passes the principal whose signature it checked; called directly (tests), a publisher
    route gets the default local principal."""
    if identity is None and route.api == "PublisherApi":
        identity = PublisherCredentials(secret_access_key="").identity()
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
        "stageVariables": stage_variables or None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {"sourceIp": source_ip, "userArn": None, **(identity or {})},
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
    feeds_dir: Path | None = None
    publisher: PublisherCredentials = field(default_factory=PublisherCredentials)
    # A second officer (two-person approval): GET /_local/publisher-credentials?as=approver.
    approver: PublisherCredentials = field(default_factory=approver_credentials)
    # The SMS receipts the outbox writes, to the receipts function (subscription filters).
    receipts: LogSubscriptionPump | None = None
    # The email queue, SES's sent mail and its events (email_outbox.py).
    emails: EmailPump | None = None
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
            while True:
                while self.pump.drain():
                    pass
                self.outbox.collect()
                if self.emails is None or not self.emails.drain():
                    break
            if self.receipts is not None:
                self.receipts.drain()

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        if parts.path.startswith("/_local/"):
            return self._local_endpoint(method, parts.path, headers, parts.query)
        if method == "GET" and parts.path in {"/openapi.json", "/swagger"}:
            return self._documentation(parts.path)
        allowed: list[str] = []
        for route in self.stack.routes:
            parameters = route.match(method, parts.path)
            if parameters is None:
                if route.match(route.method, parts.path) is not None:
                    allowed.append(route.method)
                continue
            identity = None
            if route.api == "PublisherApi":  # AWS_IAM, as API Gateway would check it
                principal = signed_by(headers, [self.publisher, self.approver])
                problem = principal.verify(method, parts.path, parts.query, headers, body)
                if problem is not None:
                    return _json(403, {"message": problem})
                identity = principal.identity()  # who signed, in the request context
            event = api_event(
                route,
                method,
                parts.path,
                parameters,
                parts.query,
                headers,
                body,
                source_ip,
                identity=identity,
                stage_variables=self.stack.stage_variables.get(route.api),
            )
            with self.lock:
                response = self.functions.invoke(route.function, event)
                self.settle()
            payload = response.get("body") or ""
            data = (
                base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
            )
            # REST proxy integrations may answer with headers, multiValueHeaders or both.
            response_headers = {
                key: ", ".join(str(value) for value in values)
                for key, values in (response.get("multiValueHeaders") or {}).items()
            }
            response_headers.update(response.get("headers") or {})
            return int(response["statusCode"]), response_headers, data
        if method in {"GET", "HEAD"}:  # the site's pages (web/), as CloudFront serves them
            if parts.path == "/config.json":
                return site_config(self.stack.region)
            published = bucket_response(self.stack, parts.path, headers)  # /cap/, /feeds/
            if published is not None:
                return published
            page = static_response(parts.path)
            if page is not None:
                return page
        if allowed:
            return _json(405, {"error": f"method {method} not allowed; use {', '.join(allowed)}"})
        return _json(404, {"error": f"no route for {parts.path}"})

    def _documentation(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """The citizen API's OpenAPI document, generated by its handler (the same document as
        openapi/citizen-api.json), and Swagger UI over it. Local only: the deployed API
        serves neither (README: citizen API)."""
        document = self.functions.module("SubscriptionsFunction").openapi_document()
        if path == "/openapi.json":
            return _json(200, document)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, swagger_page(document).encode()

    def _local_endpoint(
        self, method: str, path: str, headers: dict[str, str], query: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        """Endpoints of the local runtime only (no AWS equivalent)."""
        if path.startswith("/_local/feeds/") and method == "GET":
            return self._feed_file(path.removeprefix("/_local/feeds/"), headers)
        if path == "/_local/poll" and method == "POST":
            return _json(200, self.poll())
        if path in {"/_local/replay", "/_local/replay/dry-run"} and method == "POST":
            return _json(200, self.replay(dry_run=path.endswith("/dry-run")))
        if path == "/_local/staff" or path.startswith("/_local/staff/"):
            with self.lock:
                return self.staff(method, path.removeprefix("/_local/staff").strip("/"))
        with self.lock:
            self.settle()
            if path == "/_local/sms":
                return _json(200, {"sms": [vars(m) for m in self.outbox.direct_sms()]})
            if path == "/_local/deliveries":
                return _json(200, {"deliveries": [d.as_json() for d in self.outbox.deliveries]})
            if path == "/_local/emails":
                sent = self.emails.sent if self.emails is not None else []
                return _json(200, {"emails": [email.as_json() for email in sent]})
            if path == "/_local/segments":
                return _json(200, {"segments": self.outbox.segment_counts()})
            if path == "/_local/publisher-credentials":  # the console prefills them locally
                return self._credentials(query)
        return _json(404, {"error": f"no local endpoint {path}"})

    def _credentials(self, query: str) -> tuple[int, dict[str, str], bytes]:
        """The officer's key, or with ?as=approver the second officer's (another principal)."""
        wanted = dict(parse_qsl(query, keep_blank_values=True))
        role = wanted.pop("as", "officer")
        if wanted or role not in {"officer", "approver"}:
            return _json(400, {"error": "query: only as=officer or as=approver"})
        principal = self.approver if role == "approver" else self.publisher
        return _json(200, {**principal.as_json(), "principal": principal.user_arn})

    def staff(self, method: str, subscription_id: str) -> tuple[int, dict[str, str], bytes]:
        """Training mode's staff list, as `alerts staff` keeps it on AWS: GET /_local/staff
        lists; POST /_local/staff/<subscription id> flags, DELETE unflags."""
        from consular_alerts.services.staff import StaffError

        from alerts_local.staff import local_staff_service, staff_json

        service = local_staff_service(self.stack)
        if not subscription_id and method == "GET":
            return _json(200, {"staff": [staff_json(s) for s in service.staff()]})
        if not subscription_id or "/" in subscription_id or method not in {"POST", "DELETE"}:
            return _json(405, {"error": "GET /_local/staff, or POST / DELETE /_local/staff/<id>"})
        try:
            subscriber = service.set_staff(subscription_id, method == "POST")
        except StaffError as error:
            return _json(404 if str(error).startswith("no ") else 409, {"error": str(error)})
        return _json(200, staff_json(subscriber))

    def poll(self) -> dict[str, Any]:
        """Run the scheduled feed poller now, as its EventBridge schedule would."""
        event = json.loads((REPO_ROOT / "events" / "scheduled-poll.json").read_text("utf-8"))
        with self.lock:
            result: dict[str, Any] = self.functions.invoke("FeedPollerFunction", event)
            self.settle()
        return result

    def replay(self, *, dry_run: bool = False) -> dict[str, Any]:
        """`alerts replay` against this stack: re-drive its fan-out dead-letter queue."""
        from alerts_local.replayer import local_replayer

        with self.lock:
            report = local_replayer(self.stack, self.functions).run(dry_run=dry_run)
            self.settle()
        return report.as_json()

    def _feed_file(self, name: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """A feed served from a file, with the validators conditional GET needs."""
        if self.feeds_dir is None or "/" in name or name.startswith("."):
            return _json(404, {"error": f"no feed file {name}"})
        path = self.feeds_dir / name
        if not path.is_file():
            return _json(404, {"error": f"no feed file {name}"})
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        if headers.get("if-none-match") == etag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == modified
        ):
            return 304, validators, b""
        return 200, {**validators, "Content-Type": "application/octet-stream"}, data

    def register_feeds(self, feeds_dir: Path, *, auto_publish: bool = False) -> list[FeedConfig]:
        """Every file in `feeds_dir` becomes a feed served by this runtime; unless
        `auto_publish`, its items wait for an officer's approval (two-person approval)."""
        self.feeds_dir = feeds_dir
        repository = DynamoFeedRepository(
            self.stack.client("dynamodb"), self.stack.resources["FeedsTable"]
        )
        configs = []
        for path in sorted(p for p in feeds_dir.iterdir() if p.is_file()):
            slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:50] or "feed"
            config = FeedConfig(
                feed_id=f"local-{slug}",
                url=f"{self.url}/_local/feeds/{path.name}",
                source=f"local-{slug}",
                auto_publish=auto_publish,
            )
            repository.put_feed(config)
            configs.append(config)
        return configs

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
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def __getattr__(self, name: str) -> Any:
                # Any other method (HEAD, OPTIONS, TRACE, QUERY...): the router answers 405
                # or 404, as API Gateway refuses them, rather than http.server's 501.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the handlers log; request lines would only add noise

        self._http = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        threading.Thread(target=self._background, daemon=True).start()

    def poll_every(self, seconds: float) -> None:
        """Play the poller's schedule (the template says 5 minutes; locally, as asked)."""

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    self.poll()
                except Exception:  # the next run tries again, as the schedule would
                    logging.getLogger(__name__).exception("scheduled poll failed")

        threading.Thread(target=loop, daemon=True).start()

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


def swagger_page(document: dict[str, Any]) -> str:
    """Swagger UI with the assets Powertools bundles: works without a network."""
    assets = Path(swagger_ui.__file__).parent
    return generate_swagger_html(
        json.dumps(document, ensure_ascii=False).replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def _json(status: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json"},
        json.dumps(payload, ensure_ascii=False).encode(),
    )


def start(
    *,
    port: int = 0,
    stack_name: str = "consular-alerts-local",
    log_level: str = "WARNING",
    sms_failure_share: float = 0.1,
    parameters: Mapping[str, str] | None = None,
) -> LocalRuntime:
    """Start moto, deploy the template to it, and serve the APIs on 127.0.0.1:`port`.
    `sms_failure_share` of the SMS delivered get a failure receipt (every n-th);
    `parameters`: template parameters other than the defaults."""
    use_local_credentials("us-east-1")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, moto_port = moto.get_host_and_port()
    stack = deploy(f"http://{host}:{moto_port}", stack_name, parameters=parameters)
    apply_environment(stack, log_level)
    functions = LocalFunctions(stack)
    prices = SmsPrices.from_json(
        json.loads((REPO_ROOT / "config" / "sms-prices.json").read_text("utf-8"))
    )
    writer = ReceiptWriter(
        stack.client("logs"), stack.region, LOCAL_ACCOUNT, sms_failure_share, prices, stack.name
    )
    runtime = LocalRuntime(
        stack=stack,
        moto=moto,
        functions=functions,
        pump=StreamPump(stack, functions),
        outbox=Outbox(stack.region, topic_prefix=f"{stack.name}-seg-", receipts=writer),
        receipts=LogSubscriptionPump(stack, functions),
        emails=EmailPump(stack, functions),
    )
    runtime.serve_http(port=port)
    return runtime


def serve_until_interrupted(
    *,
    port: int,
    log_level: str,
    feeds: Path | None,
    poll_every: float,
    sms_failure_share: float = 0.1,
) -> int:
    """`alerts serve`: start the runtime, print what it serves, run until Ctrl-C."""
    runtime = start(port=port, log_level=log_level, sms_failure_share=sms_failure_share)
    print(f"Local stack {runtime.stack.name} (moto at {runtime.stack.endpoint_url})")
    if feeds is not None:
        for feed in runtime.register_feeds(feeds):
            print(f"  feed {feed.feed_id:30} {feed.url}")
        print(
            f"  POST   {runtime.url}/_local/poll            poll the feeds now (else every "
            f"{poll_every} s)"
        )
        runtime.poll_every(poll_every)
    for route in runtime.stack.routes:
        print(f"  {route.method:6} {runtime.url}{route.path:40} {route.api} -> {route.function}")
    print(
        f"  GET    {runtime.url}/swagger                citizen API docs (OpenAPI at /openapi.json)"
    )
    print(f"  GET    {runtime.url}/_local/sms            codes sent by SMS (local only)")
    print(f"  GET    {runtime.url}/_local/deliveries     what citizens received (local only)")
    print(f"  GET    {runtime.url}/_local/staff          staff (training mode; POST, DELETE /<id>)")
    print(f"  GET    {runtime.url}/                      citizen page (web/)")
    print(f"  GET    {runtime.url}/console/              publisher console (web/console/)")
    credentials = runtime.publisher
    print(
        f"Publisher API credentials (SigV4, region {credentials.region}, service execute-api):"
        f"\n  access key {credentials.access_key_id}  secret {credentials.secret_access_key}"
        f"\nSecond officer (approves what the first publishes; ?as=approver):"
        f"\n  access key {runtime.approver.access_key_id}  "
        f"secret {runtime.approver.secret_access_key}"
    )
    print("Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runtime.stop()
    return 0
