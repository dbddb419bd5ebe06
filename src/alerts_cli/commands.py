"""`alerts preflight` and `alerts teardown`: their arguments and what they print.

alerts preflight --stack NAME [--region R] [--email-identity ID]
    read-only checklist of what blocks sending to citizens; exit 1 if anything does
alerts teardown --stack NAME [--region R] [--yes]
    remove the run-time segment topics and empty the site bucket, before `sam delete`
alerts staff flag|unflag|list --stack NAME [--region R] [--subscription-id ID]
    training mode: the subscriptions exercises reach (alerts_cli/staff.py)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError

from alerts_cli.command_basics import USAGE_ERROR, UsageError, session


def preflight_command(args: argparse.Namespace) -> int:
    from alerts_cli.account import Clients, read_facts
    from alerts_cli.preflight import check, load_country_rules, render

    aws = session(args.region)
    facts = read_facts(
        Clients.from_session(aws), args.stack, str(aws.region_name), args.email_identity
    )
    checklist = check(facts, load_country_rules())
    print(render(checklist))
    return 1 if checklist.blocks_sending else 0


def teardown_command(args: argparse.Namespace) -> int:
    from alerts_cli.teardown import Teardown

    aws = session(args.region)
    teardown = Teardown(aws.client("cloudformation"), aws.client("sns"), aws.client("s3"))
    plan = teardown.plan(args.stack, str(aws.region_name))
    print(plan.describe())
    if not args.yes:
        raise UsageError("nothing deleted: run again with --yes to delete the above")
    result = teardown.execute(plan)
    print(
        f"Removed {result.subscriptions_removed} subscription(s) and "
        f"{result.topics_deleted} topic(s); deleted {result.objects_deleted} object version(s) "
        "and delete marker(s)."
    )
    for error in result.errors:
        print(f"  failed: {error}", file=sys.stderr)
    if result.errors:
        return 1
    if plan.stack_found:
        print(
            f"Now delete the stack: sam delete --stack-name {args.stack} --region {aws.region_name}"
            "\nThen run this teardown once more: a citizen subscribing in between creates a "
            "topic again."
        )
    return 0


Command = Callable[[argparse.Namespace], int]


def _run(command: Command) -> Command:
    """Usage errors and missing credentials: one line, exit 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except UsageError as error:
            print(f"alerts {args.command}: {error}", file=sys.stderr)
        except (NoCredentialsError, NoRegionError) as error:
            print(f"alerts {args.command}: {error}", file=sys.stderr)
        except BotoCoreError as error:
            print(f"alerts {args.command}: AWS unreachable: {error}", file=sys.stderr)
        return USAGE_ERROR

    return run


def register(commands: Any) -> None:
    """Add the deployed-stack commands to the `alerts` dispatcher's subparsers."""
    preflight = commands.add_parser(
        "preflight", help="read-only checklist: what blocks sending on a deployed stack"
    )
    preflight.add_argument("--stack", required=True, help="the deployed stack's name")
    preflight.add_argument("--region", help="default: AWS_REGION / the profile's region")
    preflight.add_argument(
        "--email-identity",
        metavar="ADDRESS_OR_DOMAIN",
        help="the SES identity to check (default: the stack's EmailSenderIdentity)",
    )
    preflight.set_defaults(run=_run(preflight_command))

    teardown = commands.add_parser(
        "teardown", help="remove run-time topics and empty the site bucket, before sam delete"
    )
    teardown.add_argument("--stack", required=True, help="the deployed stack's name")
    teardown.add_argument("--region", help="default: AWS_REGION / the profile's region")
    teardown.add_argument("--yes", action="store_true", help="delete (else only list)")
    teardown.set_defaults(run=_run(teardown_command))

    staff = commands.add_parser(
        "staff", help="training mode: flag subscriptions as staff (exercises reach only them)"
    )
    staff.add_argument("action", choices=["flag", "unflag", "list"])
    staff.add_argument("--stack", required=True, help="the deployed stack's name")
    staff.add_argument("--region", help="default: AWS_REGION / the profile's region")
    staff.add_argument("--subscription-id", dest="id", help="for flag and unflag")
    staff.set_defaults(run=_run(_staff))


def _staff(args: argparse.Namespace) -> int:
    from alerts_cli.staff import staff_command

    return staff_command(args)
