"""The local runtime over real HTTP: what `make demo` does, checked."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from tests.conftest import EVENTS, ONE_OFFICER


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(stack_name=f"e2e{uuid.uuid4().hex[:8]}", parameters=ONE_OFFICER)
    yield local
    local.stop()


def post_seed(runtime: LocalRuntime) -> requests.Response:
    event = json.loads((EVENTS / "post-advisory-seed.json").read_text(encoding="utf-8"))
    body = event["body"].encode("utf-8")
    url, headers = runtime.publisher.sign(
        "POST", f"{runtime.url}/advisories", {"Content-Type": "text/plain; charset=utf-8"}, body
    )
    return requests.post(url, data=body, headers=headers, timeout=30)


def subscribe(runtime: LocalRuntime, **payload: Any) -> dict[str, Any]:
    reply = requests.post(f"{runtime.url}/subscriptions", json=payload, timeout=30)
    assert reply.status_code == 202, reply.text
    data: dict[str, Any] = reply.json()
    if payload["channel"] == "sms":
        outbox = requests.get(f"{runtime.url}/_local/sms", timeout=30).json()["sms"]
        text = [m["text"] for m in outbox if m["phone_number"] == payload["address"]][-1]
        code = next(w.strip(".") for w in text.split() if w.strip(".").isdigit())
        verified = requests.post(
            f"{runtime.url}/subscriptions/{data['subscription_id']}/verify",
            json={"code": code},
            timeout=30,
        )
        assert verified.status_code == 200, verified.text
        data = verified.json()
    else:  # the one confirmation email's link, its page's button pressed (a POST)
        emails = requests.get(f"{runtime.url}/_local/emails", timeout=30).json()["emails"]
        (text,) = [e["text"] for e in emails if data["subscription_id"] in e["text"]]
        link = next(w for w in text.split() if "/email/confirm/" in w)
        path = link.split("://", 1)[1].split("/", 1)[1]
        confirmed = requests.post(f"{runtime.url}/{path}", timeout=30)
        assert confirmed.status_code == 200, confirmed.text
    return data


def deliveries(runtime: LocalRuntime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = requests.get(
        f"{runtime.url}/_local/deliveries", timeout=30
    ).json()["deliveries"]
    emails = requests.get(f"{runtime.url}/_local/emails", timeout=30).json()["emails"]
    return found + [  # advisories by email go through SES
        {"channel": "email", "address": e["to"], "text": e["text"], "subject": e["subject"]}
        for e in emails
        if "X-Alerts-Advisory" in e["headers"]
    ]


def test_seed_reaches_kz_subscribers_once_and_nobody_else(runtime: LocalRuntime) -> None:
    sms_kz = subscribe(
        runtime, channel="sms", address="+77710009998", countries=["KZ"], language="ru", min_level=1
    )
    assert sms_kz["status"] == "active"
    subscribe(
        runtime,
        channel="email",
        address="citizen@example.kg",
        countries=["KZ"],
        language="ru",
        min_level=1,
    )
    subscribe(
        runtime,
        channel="sms",
        address="+996700123456",
        countries=["RU"],
        language="ru",
        min_level=1,
    )

    first = post_seed(runtime)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    received = deliveries(runtime)
    by_address = {d["address"]: d for d in received}
    assert sorted(by_address) == ["+77710009998", "citizen@example.kg"]
    assert len(received) == 2
    sms = by_address["+77710009998"]
    assert sms["encoding"] == "ucs2"
    assert 1 <= sms["segments"] <= 2
    assert "Казахстан" in sms["text"]
    assert "+996772454444" in sms["text"]
    email = by_address["citizen@example.kg"]
    assert "Казахстан" in email["subject"]
    assert "\n" not in email["subject"]
    assert len(email["subject"]) < 100
    for number in ("+996772454444", "+77770371448", "+77778150072"):
        assert number in email["text"]

    segments = requests.get(f"{runtime.url}/_local/segments", timeout=30).json()["segments"]
    # SNS's subscriptions only: email subscribers are in the subscribers table (SES path).
    assert {"segment": "KZ-ru-L1", "sms_by_country": {"KZ": 1}, "email": 0} in segments

    again = post_seed(runtime)
    assert again.status_code == 200
    assert again.json()["version"] == 1
    assert len(deliveries(runtime)) == 2  # nobody receives anything twice


def test_unknown_route_and_wrong_method_are_4xx(runtime: LocalRuntime) -> None:
    assert requests.get(f"{runtime.url}/nowhere", timeout=30).status_code == 404
    assert requests.get(f"{runtime.url}/advisories", timeout=30).status_code == 405


def test_render_prices_the_local_stacks_subscribers(
    runtime: LocalRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from alerts_cli.cli import main

    subscribe(runtime, channel="sms", address="+77011234567", countries=["KZ"],
              language="ky", min_level=2)  # fmt: skip
    event = json.loads((EVENTS / "post-advisory-seed.json").read_text(encoding="utf-8"))
    seed = tmp_path / "seed.txt"
    seed.write_text(event["body"], encoding="utf-8")
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"currency": "USD", "default": 1.0, "per_country": {"KZ": 0.5}}))

    assert main(["render", str(seed), "--local", runtime.url, "--prices", str(prices)]) == 0
    table = capsys.readouterr().out.split("Cost of sending")[1]
    # The seed is level 2: the KZ-ky-L2 subscriber (a KZ number) is billed 2 segments at 0.5.
    assert "KZ-ky-L2   KZ           1       2        2       1.0000" in table


def test_publisher_api_refuses_unsigned_and_wrongly_signed_posts(runtime: LocalRuntime) -> None:
    body = "МИД КР: оставайтесь дома.".encode()
    unsigned = requests.post(f"{runtime.url}/advisories?countries=KZ", data=body, timeout=30)
    assert unsigned.status_code == 403
    assert "Signature Version 4" in unsigned.json()["message"]
    url, headers = runtime.publisher.sign(
        "POST", f"{runtime.url}/advisories?countries=KZ", {}, body
    )
    tampered = requests.post(url, data=body + b" ", headers=headers, timeout=30)
    assert tampered.status_code == 403
    assert "does not match" in tampered.json()["message"]
    preview = requests.post(url + "&dry_run=true", data=body, headers=headers, timeout=30)
    assert preview.status_code == 403  # the query is signed too
    credentials = requests.get(f"{runtime.url}/_local/publisher-credentials", timeout=30).json()
    assert credentials["access_key_id"] == runtime.publisher.access_key_id
