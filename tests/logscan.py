"""No log line anywhere in the suite holds a full phone number or email address.

A hook (imported by tests/conftest.py) reads what pytest captured in each phase of every
test: the JSON lines Powertools loggers write to stdout (and stderr), and the records of
every other logger ("Captured log"). A line with a phone number in international format or
an email address, unmasked, fails the test that produced it, naming the line.

What a test reads itself with capsys / capfd is not in the captured sections: such tests
check their own output (test_citizen_privacy does, with the events logged at DEBUG).

"Captured log" also holds the raw records of Powertools loggers, before their formatter
redacts them: Powertools lets them reach pytest's caplog handler only (in Lambda it filters
them out of every root handler). What such a logger really writes is its JSON line on
stdout, scanned above; its raw records are skipped.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Generator, Iterable
from typing import Any

import pytest

# The shapes privacy.redact masks: +<digits> (grouped with spaces, dots, dashes or
# parentheses) and local@domain.tld. Masked forms (+7*******567, a***@e***.org) do not match.
PHONE = re.compile(r"\+\d(?:[\s().-]{0,2}\d){6,16}")
EMAIL = re.compile(
    r"[^\s@\"'<>(),;:\\\[\]*]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}"
)


def _is_powertools_line(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        entry = json.loads(line)
    except ValueError:
        return False
    return isinstance(entry, dict) and "level" in entry and "message" in entry


# pytest's default log format: "%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"
_RECORD = re.compile(r"^(?:CRITICAL|ERROR|WARNING|INFO|DEBUG|NOTSET)\s+([^\s:]+):\S*:\d+ ")


def _is_powertools_logger(name: str) -> bool:
    """A logger Powertools configured (it marks them `init`), or a child of one."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        found = logging.Logger.manager.loggerDict.get(".".join(parts[:end]))
        if isinstance(found, logging.Logger) and getattr(found, "init", False):
            return True
    return False


def _captured_records(text: str) -> Iterable[str]:
    skipping = False
    for line in text.splitlines():
        record = _RECORD.match(line)
        if record is not None:
            skipping = _is_powertools_logger(record.group(1))
        if line.strip() and not skipping:
            yield line


def log_lines(sections: Iterable[tuple[str, str]], when: str) -> list[str]:
    """The log lines among a phase's captured sections."""
    lines: list[str] = []
    for title, text in sections:
        if not title.endswith(f" {when}"):
            continue
        if title.startswith("Captured log"):
            lines.extend(_captured_records(text))
        elif title.startswith(("Captured stdout", "Captured stderr")):
            lines.extend(line for line in text.splitlines() if _is_powertools_line(line))
    return lines


def leaks(lines: Iterable[str]) -> list[str]:
    """The lines that hold a full phone number or email address."""
    return [line for line in lines if PHONE.search(line) or EMAIL.search(line)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.passed:
        return
    found = leaks(log_lines(report.sections, call.when))
    if found:
        report.outcome = "failed"
        shown = "\n".join(line[:400] for line in found[:5])
        report.longrepr = (
            f"{len(found)} log line(s) hold a full phone number or email address "
            f"(mask them: consular_alerts.domain.citizens.privacy):\n{shown}"
        )
