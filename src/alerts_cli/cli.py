"""`alerts`: the service's command-line tools, and the local runtime.

alerts serve [--port N]       moto + the stack from template.yaml + both APIs over HTTP
alerts demo                   serve, subscribe demo citizens, post the samples, show deliveries
alerts normalize FILE         print the normalized advisory as JSON (exit 2 on bad input)
alerts render FILE            the SMS and email per language, and what sending would cost
alerts corpus-score [DIR]     score the real-world corpus: share of right fields, every miss
alerts replay                 re-drive the fan-out's dead-letter queue after a fix
alerts preflight --stack NAME what blocks sending on a deployed stack (read-only)
alerts teardown --stack NAME  remove run-time topics, empty the site bucket, before sam delete
alerts staff ACTION --stack N flag|unflag|list staff subscriptions (training mode)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alerts_cli import corpus_command, normalize, render, replay
from alerts_cli.command_basics import OneLineParser
from alerts_cli.commands import register
from alerts_cli.errors import InputError
from alerts_cli.repo import REPO_ROOT


def _fail(message: str) -> int:
    print(f"alerts: {message}", file=sys.stderr)
    return 2


def serve_command(args: argparse.Namespace) -> int:
    # The local runtime (moto, the stack) loads only for the commands that run it.
    from alerts_local.server import serve_until_interrupted

    if not 0 <= args.sms_failure_share <= 1:
        raise InputError(f"--sms-failure-share {args.sms_failure_share}: between 0 and 1")
    return serve_until_interrupted(
        port=args.port,
        log_level=args.log_level,
        feeds=Path(args.feeds) if args.feeds else None,
        poll_every=args.poll_every,
        sms_failure_share=args.sms_failure_share,
    )


def demo_command(args: argparse.Namespace) -> int:
    from alerts_local.demo import run_demo

    return run_demo(events_dir=Path(args.events))


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
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

    for command in (normalize, render, replay, corpus_command):
        command.add_command(commands)
    register(commands)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as error:
        return _fail(str(error))


if __name__ == "__main__":
    sys.exit(main())
