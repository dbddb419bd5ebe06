"""The local runtime's SigV4 check of publisher requests (AWS_IAM played locally)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts_local.publisher_auth import PublisherCredentials, canonical_query

CREDENTIALS = PublisherCredentials(secret_access_key="s3cret-for-tests")
BODY = "МИД КР призывает граждан оставаться дома.".encode()


def signed(
    url: str = "http://127.0.0.1:3000/advisories?dry_run=true&countries=KZ,KG",
    body: bytes = BODY,
    credentials: PublisherCredentials = CREDENTIALS,
) -> tuple[str, str, dict[str, str]]:
    url, headers = credentials.sign("POST", url, {"Content-Type": "text/plain"}, body)
    path, _, query = url.removeprefix("http://127.0.0.1:3000").partition("?")
    lowered = {k.lower(): v for k, v in headers.items()}
    lowered["host"] = "127.0.0.1:3000"  # what the HTTP client sends
    return path, query, lowered


def verify(path: str, query: str, headers: dict[str, str], body: bytes = BODY) -> str | None:
    return CREDENTIALS.verify("POST", path, query, headers, body)


def test_a_request_signed_with_the_local_key_passes() -> None:
    assert verify(*signed()) is None


def test_unsigned_request_is_refused_saying_sigv4_is_needed() -> None:
    path, query, headers = signed()
    del headers["authorization"]
    problem = verify(path, query, headers)
    assert problem is not None
    assert "Signature Version 4" in problem


def test_wrong_secret_is_refused_with_the_canonical_request() -> None:
    other = PublisherCredentials(secret_access_key="not-the-secret")
    problem = verify(*signed(credentials=other))
    assert problem is not None
    assert "does not match" in problem
    assert "POST\n/advisories\ncountries=KZ%2CKG&dry_run=true\n" in problem


def test_changed_body_query_or_method_breaks_the_signature() -> None:
    path, query, headers = signed()
    assert "does not match" in (verify(path, query, headers, BODY + b"!") or "")
    assert "does not match" in (verify(path, "dry_run=false", headers) or "")
    assert "does not match" in (CREDENTIALS.verify("PUT", path, query, headers, BODY) or "")


def test_unknown_key_wrong_scope_and_stale_date_are_named() -> None:
    path, query, headers = signed(credentials=PublisherCredentials("AKIAOTHER", "x"))
    assert "unknown access key 'AKIAOTHER'" in (verify(path, query, headers) or "")

    path, query, headers = signed(credentials=PublisherCredentials(region="eu-west-1"))
    assert "region 'us-east-1'" in (verify(path, query, headers) or "")

    path, query, headers = signed()
    later = datetime.now(UTC) + timedelta(minutes=6)
    problem = CREDENTIALS.verify("POST", path, query, headers, BODY, now=later)
    assert "Signature expired" in (problem or "")


def test_a_declared_payload_hash_must_be_the_bodys() -> None:
    path, query, headers = signed()
    headers["x-amz-content-sha256"] = "0" * 64
    assert "X-Amz-Content-SHA256" in (verify(path, query, headers) or "")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("b=2&a=1", "a=1&b=2"),
        ("countries=KZ%2CKG&level=3", "countries=KZ%2CKG&level=3"),
        ("instruction=stay+home", "instruction=stay%20home"),
        ("x=%D0%B4%D0%BE%D0%BC", "x=%D0%B4%D0%BE%D0%BC"),
        ("flag=&a=~", "a=~&flag="),
    ],
)
def test_canonical_query_encodes_as_sigv4_does(raw: str, canonical: str) -> None:
    assert canonical_query(raw) == canonical


def test_api_answers_are_readable_by_the_site_only() -> None:
    from consular_alerts.cors import allow_site_origin

    site = "https://alerts.mfa.gov.kg"
    answer = allow_site_origin(
        {"statusCode": 200, "multiValueHeaders": {}}, {"Origin": site}, site + "/"
    )
    assert answer["multiValueHeaders"]["Access-Control-Allow-Origin"] == [site]
    other = allow_site_origin(
        {"statusCode": 200, "headers": {}}, {"origin": "https://evil.example"}, site
    )
    assert "Access-Control-Allow-Origin" not in other["headers"]
    assert allow_site_origin({"statusCode": 200}, None, site) == {"statusCode": 200}
