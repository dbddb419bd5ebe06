"""`alerts`: the local runtime and tools around the service.

alerts serve [--port N]       moto + the stack from template.yaml + both APIs over HTTP
alerts demo                   serve, subscribe demo citizens, post the samples, show deliveries
alerts normalize FILE         print the normalized advisory as JSON (exit 2 on bad input)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from consular_alerts.domain.normalize import NormalizationError
from consular_alerts.edges import RequestError, publication_from_request
from consular_alerts.services.ingest import IngestPolicy, normalize_publication


def _fail(message: str) -> int:
    print(f"alerts: {message}", file=sys.stderr)
    return 2


def _content_type(path: Path, text: str, forced: str | None) -> str:
    if forced:
        return {"json": "application/json", "text": "text/plain", "html": "text/html"}[forced]
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return "application/json"
    if path.suffix.lower() in {".html", ".htm"} or text.lstrip().startswith("<"):
        return "text/html"
    return "text/plain"


def normalize_command(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        return _fail(f"{path}: {error.strerror or error}")
    except UnicodeDecodeError as error:
        return _fail(f"{path}: not UTF-8 (byte {error.start})")
    if not text.strip():
        return _fail(f"{path}: empty file")
    query = {
        key: value
        for key, value in (
            ("countries", args.countries),
            ("level", args.level),
            ("language", args.language),
        )
        if value
    }
    try:
        item = publication_from_request(text, _content_type(path, text, args.format), query)
        advisory = normalize_publication(item, IngestPolicy(), datetime.now(UTC))
    except RequestError as error:
        return _fail(f"{path}: {error.message}")
    except NormalizationError as error:
        return _fail(f"{path}: {error}")
    print(json.dumps(advisory.to_record(), ensure_ascii=False, indent=2))
    return 0


def serve_command(args: argparse.Namespace) -> int:
    from alerts_local.server import start

    runtime = start(port=args.port, log_level=args.log_level)
    print(f"Local stack {runtime.stack.name} (moto at {runtime.stack.endpoint_url})")
    for route in runtime.stack.routes:
        print(f"  {route.method:6} {runtime.url}{route.path:40} {route.api} -> {route.function}")
    print(f"  GET    {runtime.url}/_local/sms            codes sent by SMS (local only)")
    print(f"  GET    {runtime.url}/_local/deliveries     what citizens received (local only)")
    print("Ctrl-C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runtime.stop()
    return 0


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
    serve.set_defaults(run=serve_command)

    demo = commands.add_parser("demo", help="run the main job end to end on the local stack")
    demo.add_argument("--events", default=str(Path(__file__).resolve().parents[2] / "events"))
    demo.set_defaults(run=demo_command)

    normalize = commands.add_parser("normalize", help="print the normalized advisory as JSON")
    normalize.add_argument("file")
    normalize.add_argument("--format", choices=["json", "text", "html"])
    normalize.add_argument("--countries", help="e.g. KZ,KG (overrides what the text names)")
    normalize.add_argument("--level", help="1-4")
    normalize.add_argument("--language", help="ky, ru or en")
    normalize.set_defaults(run=normalize_command)

    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
