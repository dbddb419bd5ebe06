"""The suite-wide log scan (tests/logscan.py) finds what it must and nothing else."""

from __future__ import annotations

import json
import logging

from tests.logscan import leaks, log_lines


def _powertools(message: str, **extra: str) -> str:
    return json.dumps({"level": "INFO", "location": "app.py:1", "message": message, **extra})


def test_full_numbers_and_emails_in_log_lines_are_leaks() -> None:
    sections = [
        ("Captured stdout call", _powertools("code sent", address="+77011234567")),
        ("Captured stderr call", _powertools("x", error="+7 701 123 45 67 refused")),
        ("Captured log call", "INFO alerts_local:x.py:1 subscribed dana@example.kg"),
        ("Captured stdout setup", _powertools("y", to="aigul.bekova@example.org")),
    ]
    assert len(leaks(log_lines(sections, "call"))) == 3
    assert len(leaks(log_lines(sections, "setup"))) == 1


def test_masked_addresses_and_other_output_are_not() -> None:
    sections = [
        ("Captured stdout call", _powertools("code sent", address="+7*******567")),
        ("Captured stdout call", _powertools("email", address="a***@e***.org")),
        # Not a log line: what a command prints for its user (e.g. alerts render's SMS).
        ("Captured stdout call", "Тел. +996772454444 alerts.mfa.gov.kg/a/caf7ae85"),
        ("Captured stdout call", _powertools("stored", advisory_id="mfa-kg-1", version="2")),
    ]
    assert log_lines(sections, "call")
    assert leaks(log_lines(sections, "call")) == []


def test_raw_records_of_powertools_loggers_are_left_to_their_json_lines() -> None:
    configured = logging.getLogger("logscan-test-service")
    configured.init = True  # type: ignore[attr-defined]  # how Powertools marks its loggers
    sections = [
        (
            "Captured log call",
            "INFO     logscan-test-service:logger.py:544 {'body': 'dana@example.kg'}\n"
            "  continued +77011234567\n"
            "DEBUG    logscan-test-service.child:app.py:3 +77011234567\n"
            "WARNING  alerts_local.server:server.py:9 sent to +77011234567",
        )
    ]
    assert leaks(log_lines(sections, "call")) == [
        "WARNING  alerts_local.server:server.py:9 sent to +77011234567"
    ]
