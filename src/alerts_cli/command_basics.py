"""What every operator command shares: bad usage as one line on stderr and exit status 2,
and the AWS session of the region asked for. A module of its own so that the commands
(`commands.py`, `staff.py`) import it, not each other."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

import boto3

USAGE_ERROR = 2


class UsageError(Exception):
    """Bad usage: one line on stderr, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """Bad usage (an unknown option, a missing value) is one line on stderr and exit 2, not
    argparse's usage block."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(USAGE_ERROR)


def session(region: str | None) -> boto3.session.Session:
    chosen = boto3.session.Session(region_name=region)
    if chosen.region_name is None:
        raise UsageError("no region: give --region or set AWS_REGION / AWS_DEFAULT_REGION")
    return chosen
