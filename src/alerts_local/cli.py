"""`alerts`: the local runtime and tools around the service.

alerts serve [--port N]       moto + the stack from template.yaml + both APIs over HTTP
alerts demo                   serve, subscribe demo citizens, post the samples, show deliveries
alerts normalize FILE         print the normalized advisory as JSON (exit 2 on bad input)
alerts render FILE            the SMS and email per language, and what sending would cost
alerts replay                 re-drive the fan-out's dead-letter queue after a fix
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from consular_alerts.api_requests import publication_from_request
from consular_alerts.domain.formats.documents import FORMATS, detect_format, normalize_document
from consular_alerts.domain.messages.preview import (
    Audience,
    SmsPrices,
    preview_json,
    render_all,
    sms_cost,
)
from consular_alerts.domain.messages.reach import DEFAULT_SMS_PER_SECOND, MODEL, Reach
from consular_alerts.domain.messages.sms import count_segments, sanitize
from consular_alerts.domain.policy import Kind
from consular_alerts.domain.publication import IngestPolicy, normalize_publication
from consular_alerts.domain.segments import Segment
from consular_alerts.errors import NormalizationError, RequestError
from consular_alerts.models.advisory import Advisory

REPO_ROOT = Path(__file__).resolve().parents[2]


def _fail(message: str) -> int:
    print(f"alerts: {message}", file=sys.stderr)
    return 2


class InputError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""


_MEDIA_TYPES = {"json": "application/json", "text": "text/plain", "html": "text/html"}
_FEED_FORMATS = {"rss", "atom", "us-state"}


def load_documents(args: argparse.Namespace) -> tuple[str, list[Advisory]]:
    """The file's format and its advisories (one, or a feed's items)."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error
    if not data.strip():
        raise InputError(f"{path}: empty file")
    try:
        document_format = args.format or detect_format(data, path.name)
        if document_format in _MEDIA_TYPES:
            # Ministry posts: the same request parsing as the API, flags as its metadata.
            query = {
                key: value
                for key, value in (
                    ("countries", args.countries),
                    ("level", args.level),
                    ("language", args.language),
                )
                if value
            }
            item = publication_from_request(data, _MEDIA_TYPES[document_format], query)
            return document_format, [normalize_publication(item, IngestPolicy(), _now())]
        result = normalize_document(
            data,
            received_at=_now(),
            format=document_format,
            default_countries=args.countries.split(",") if args.countries else None,
            default_level=int(args.level) if args.level else 2,
        )
    except RequestError as error:
        raise InputError(f"{path}: {error.message}") from error
    except (NormalizationError, ValueError) as error:
        raise InputError(f"{path}: {error}") from error
    for warning in result.warnings:
        print(f"alerts: warning: {path}: {warning}", file=sys.stderr)
    for link in result.cap_links:
        print(f"alerts: note: {path}: links to CAP document {link}", file=sys.stderr)
    return document_format, result.advisories


def _now() -> datetime:
    return datetime.now(UTC)


def load_advisory(args: argparse.Namespace) -> Advisory:
    document_format, advisories = load_documents(args)
    if len(advisories) != 1:
        raise InputError(
            f"{args.file}: {document_format} document holds {len(advisories)} advisories; "
            "render takes one"
        )
    return advisories[0]


def normalize_command(args: argparse.Namespace) -> int:
    document_format, advisories = load_documents(args)
    records = [advisory.to_record() for advisory in advisories]
    output = records if document_format in _FEED_FORMATS else records[0]
    print(json.dumps(output, ensure_ascii=False, indent=2))
    return 0


def _audiences(args: argparse.Namespace) -> list[Audience]:
    """Subscriber counts from --sms/--email arguments, or from a running `alerts serve`."""
    sms: dict[Segment, dict[str, int]] = {}
    email: dict[Segment, int] = {}
    if args.local:
        try:
            with urllib.request.urlopen(  # noqa: S310  (a local runtime's URL)
                args.local.rstrip("/") + "/_local/segments", timeout=10
            ) as response:
                listed = json.loads(response.read())["segments"]
        except (OSError, ValueError, KeyError) as error:
            raise InputError(
                f"--local {args.local}: cannot read segment counts ({error})"
            ) from error
        for entry in listed:
            segment = Segment.parse(entry["segment"])
            sms[segment] = {k: int(v) for k, v in entry["sms_by_country"].items()}
            email[segment] = int(entry["email"])
    for channel, specs in (("sms", args.sms or []), ("email", args.email or [])):
        for spec in specs:
            found = re.fullmatch(r"([A-Z]{2}-[a-z]{2}-L[1-4])(?:@([A-Z]{2}))?=(\d+)", spec)
            if found is None:
                raise InputError(
                    f"--{channel} {spec}: expected SEGMENT[@COUNTRY]=COUNT, e.g. KZ-ru-L1@KG=120"
                )
            segment = Segment.parse(found[1])
            if channel == "sms":
                destination = found[2] or segment.country
                sms.setdefault(segment, {})[destination] = int(found[3])
            else:
                email[segment] = int(found[3])
    return [
        Audience(segment, sms.get(segment, {}), email.get(segment, 0))
        for segment in sorted(set(sms) | set(email))
    ]


def _disrupted(args: argparse.Namespace, advisory: Advisory) -> list[str]:
    """--disrupted KZ: countries of the advisory whose internet is cut (shutdown mode)."""
    codes = [c.strip() for value in args.disrupted or [] for c in value.split(",") if c.strip()]
    for code in codes:
        if code not in advisory.countries:
            raise InputError(
                f"--disrupted {code}: not a country of this advisory "
                f"({', '.join(advisory.countries)})"
            )
    return codes


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = 0.0
    if not 0 < rate < float("inf"):
        raise InputError(f"--rate {value}: a positive number of SMS per second")
    return rate


def render_command(args: argparse.Namespace) -> int:
    advisory = load_advisory(args)
    if args.budget < 1:
        raise InputError(f"--budget {args.budget}: at least 1 segment")
    disrupted = _disrupted(args, advisory)
    rate = _rate(args.rate)
    normal = render_all(advisory, Kind.NEW, base_url=args.base_url, sms_budget=args.budget)
    # What a country whose internet is cut gets: SMS without the link, the email says so.
    rendered = (
        render_all(advisory, Kind.NEW, base_url=args.base_url, sms_budget=args.budget, offline=True)
        if disrupted
        else normal
    )
    audiences = _audiences(args)
    if args.json:
        print(json.dumps(preview_json(rendered), ensure_ascii=False, indent=2))
        return 0
    if disrupted:
        print(f"Internet disrupted in {', '.join(disrupted)}: SMS without a link.\n")
    for language, message in rendered.items():
        print(f"== {language} (text from {message.content_language})")
        print(f"SMS  [{message.sms.encoding.value}, {message.sms.segments} segment(s)]")
        print(f"  {message.sms.text}")
        print(f"EMAIL  Subject: {message.email_subject}")
        print("\n".join(f"  | {line}" for line in message.email_body.splitlines()))
        print()
    naive = count_segments(sanitize(advisory.content[advisory.primary_language()].body))
    print(f"The whole text as one SMS would be {naive.segments} {naive.encoding.value} segments.")
    if audiences:
        try:
            prices = SmsPrices.from_json(json.loads(Path(args.prices).read_text("utf-8")))
        except (OSError, ValueError, KeyError) as error:
            raise InputError(f"--prices {args.prices}: {error}") from error
        report = sms_cost(
            advisory, normal, audiences, prices, per_country=dict.fromkeys(disrupted, rendered)
        )
        print(f"\nCost of sending (prices: {args.prices})")
        print(
            f"  {'segment':10} {'to':3} {'recipients':>10} {'seg/SMS':>7} {'billed':>8} "
            f"{'cost ' + prices.currency:>12}"
        )
        for line in report.lines:
            print(
                f"  {line.segment:10} {line.destination:3} {line.recipients:>10} "
                f"{line.segments_each:>7} {line.billed_segments:>8} {line.cost:>12.4f}"
            )
        print(
            f"  total: {report.billed_segments} billed SMS segments, "
            f"{report.total:.2f} {prices.currency}; {report.emails} email(s)"
        )
        phones = sum(line.recipients for line in report.lines)
        print(f"  time to reach: {Reach(phones, rate).describe()} ({MODEL})")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    from alerts_local.server import start

    if not 0 <= args.sms_failure_share <= 1:
        raise InputError(f"--sms-failure-share {args.sms_failure_share}: between 0 and 1")
    runtime = start(
        port=args.port, log_level=args.log_level, sms_failure_share=args.sms_failure_share
    )
    print(f"Local stack {runtime.stack.name} (moto at {runtime.stack.endpoint_url})")
    if args.feeds:
        for feed in runtime.register_feeds(Path(args.feeds)):
            print(f"  feed {feed.feed_id:30} {feed.url}")
        print(
            f"  POST   {runtime.url}/_local/poll            poll the feeds now (else every "
            f"{args.poll_every} s)"
        )
        runtime.poll_every(args.poll_every)
    for route in runtime.stack.routes:
        print(f"  {route.method:6} {runtime.url}{route.path:40} {route.api} -> {route.function}")
    print(
        f"  GET    {runtime.url}/swagger                citizen API docs (OpenAPI at /openapi.json)"
    )
    print(f"  GET    {runtime.url}/_local/sms            codes sent by SMS (local only)")
    print(f"  GET    {runtime.url}/_local/deliveries     what citizens received (local only)")
    print(f"  GET    {runtime.url}/                      citizen page (web/)")
    print(f"  GET    {runtime.url}/console/              publisher console (web/console/)")
    credentials = runtime.publisher
    print(
        f"Publisher API credentials (SigV4, region {credentials.region}, service execute-api):"
        f"\n  access key {credentials.access_key_id}  secret {credentials.secret_access_key}"
    )
    print("Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runtime.stop()
    return 0


def replay_command(args: argparse.Namespace) -> int:
    """Exit 0: every message replayed; 1: some stay in the queue (printed, with why)."""
    if args.local:
        path = "/_local/replay/dry-run" if args.dry_run else "/_local/replay"
        if not args.local.startswith(("http://", "https://")):
            raise InputError(f"--local {args.local}: an http(s) URL of `alerts serve`")
        request = urllib.request.Request(args.local.rstrip("/") + path, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                report = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise InputError(f"--local {args.local}: {error}") from error
    else:
        if not (args.queue_url and args.function):
            raise InputError("give --local URL, or --queue-url and --function (deployed stack)")
        import boto3

        from alerts_local.replay import LambdaInvoker, Replayer

        session = boto3.session.Session(region_name=args.region)
        report = (
            Replayer(
                session.client("sqs"),
                session.client("dynamodbstreams"),
                LambdaInvoker(session.client("lambda")),
                args.queue_url,
                args.function,
            )
            .run(limit=args.limit, dry_run=args.dry_run)
            .as_json()
        )
    print(json.dumps(report, indent=2))
    return 1 if report["kept"] else 0


def demo_command(args: argparse.Namespace) -> int:
    from alerts_local.demo import run_demo

    return run_demo(events_dir=Path(args.events))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="alerts", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the local stack and APIs")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--log-level", default="INFO")
    serve.add_argument("--feeds", metavar="DIR", help="serve each file in DIR as a feed and poll")
    serve.add_argument("--poll-every", type=float, default=300, metavar="SECONDS")
    serve.add_argument(
        "--sms-failure-share",
        type=float,
        default=0.1,
        metavar="SHARE",
        help="share of SMS whose receipt says they failed (every n-th; default 0.1)",
    )
    serve.set_defaults(run=serve_command)

    demo = commands.add_parser("demo", help="run the main job end to end on the local stack")
    demo.add_argument("--events", default=str(REPO_ROOT / "events"))
    demo.set_defaults(run=demo_command)

    normalize = commands.add_parser("normalize", help="print the normalized advisory as JSON")
    normalize.add_argument("file")
    normalize.add_argument("--format", choices=FORMATS)
    normalize.add_argument("--countries", help="e.g. KZ,KG (overrides what the text names)")
    normalize.add_argument("--level", help="1-4")
    normalize.add_argument("--language", help="ky, ru or en")
    normalize.set_defaults(run=normalize_command)

    render = commands.add_parser("render", help="preview messages and their cost")
    render.add_argument("file")
    render.add_argument("--format", choices=FORMATS)
    render.add_argument("--countries")
    render.add_argument("--level")
    render.add_argument("--language")
    render.add_argument("--json", action="store_true", help="one JSON object keyed by language")
    render.add_argument("--budget", type=int, default=2, help="SMS segment budget")
    render.add_argument("--base-url", default="https://alerts.mfa.gov.kg")
    render.add_argument(
        "--sms",
        action="append",
        metavar="SEGMENT[@CC]=N",
        help="SMS subscribers of a segment (by phone country; default the segment's)",
    )
    render.add_argument("--email", action="append", metavar="SEGMENT=N")
    render.add_argument(
        "--disrupted",
        action="append",
        metavar="CC",
        help="render as sent to a country whose internet is cut (no link in the SMS)",
    )
    render.add_argument("--local", metavar="URL", help="counts from a running `alerts serve`")
    render.add_argument("--prices", default=str(REPO_ROOT / "config" / "sms-prices.json"))
    render.add_argument(
        "--rate",
        default=str(DEFAULT_SMS_PER_SECOND),
        metavar="SMS_PER_SECOND",
        help="the account's SMS rate, for the time to reach (default 20)",
    )
    render.set_defaults(run=render_command)

    replay = commands.add_parser("replay", help="re-drive the fan-out dead-letter queue")
    replay.add_argument("--local", metavar="URL", help="a running `alerts serve`")
    replay.add_argument("--queue-url", help="deployed: the stack's FanoutFailureQueueUrl")
    replay.add_argument("--function", help="deployed: the fan-out function's name")
    replay.add_argument("--region")
    replay.add_argument("--limit", type=int, default=1000, help="messages at most")
    replay.add_argument("--dry-run", action="store_true", help="list what would be replayed")
    replay.set_defaults(run=replay_command)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as error:
        return _fail(str(error))


if __name__ == "__main__":
    sys.exit(main())
