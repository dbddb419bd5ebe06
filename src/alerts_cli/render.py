"""`alerts render FILE`: the SMS and email per language, and what sending would cost."""

from __future__ import annotations

import argparse
import json
import re
import urllib.request
from pathlib import Path

from consular_alerts.domain.messages.preview import (
    Audience,
    SmsPrices,
    preview_json,
    render_all,
    sms_cost,
)
from consular_alerts.domain.messages.reach import DEFAULT_SMS_PER_SECOND, MODEL, Reach
from consular_alerts.domain.messages.sms import count_segments, sanitize
from consular_alerts.domain.policy import announced_kind
from consular_alerts.domain.segments import Segment
from consular_alerts.models.advisory import Advisory

from alerts_cli.documents import add_document_arguments, load_documents
from alerts_cli.errors import InputError
from alerts_cli.repo import REPO_ROOT


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    render = commands.add_parser("render", help="preview messages and their cost")
    add_document_arguments(render)
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
    render.add_argument("--local", metavar="URL", help="counts from a running `alerts serve`")
    render.add_argument("--prices", default=str(REPO_ROOT / "config" / "sms-prices.json"))
    render.add_argument(
        "--disrupted",
        action="append",
        metavar="CC",
        help="render as sent to a country whose internet is cut (no link in the SMS)",
    )
    render.add_argument(
        "--rate",
        default=str(DEFAULT_SMS_PER_SECOND),
        metavar="SMS_PER_SECOND",
        help="the account's SMS rate, for the time to reach (default 20)",
    )
    render.set_defaults(run=render_command)


def load_advisory(args: argparse.Namespace) -> Advisory:
    document_format, advisories = load_documents(args)
    if len(advisories) != 1:
        raise InputError(
            f"{args.file}: {document_format} document holds {len(advisories)} advisories; "
            "render takes one"
        )
    return advisories[0]


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
    kind = announced_kind(advisory)  # nothing on record here: a cancel still says so
    normal = render_all(advisory, kind, base_url=args.base_url, sms_budget=args.budget)
    # What a country whose internet is cut gets: SMS without the link, the email says so.
    rendered = (
        render_all(advisory, kind, base_url=args.base_url, sms_budget=args.budget, offline=True)
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
