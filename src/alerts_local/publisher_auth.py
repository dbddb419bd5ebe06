"""The publisher API's AWS_IAM authorization, played locally: SigV4 with local credentials.

API Gateway refuses a publisher request unless it is signed with Signature Version 4 by a
principal allowed `execute-api:Invoke`. The local runtime has one such principal, with an
access key made at start (printed by `alerts serve`, shown to the console only on the local
server), and recomputes each request's signature with botocore's own SigV4 code: a client
that signs wrongly (the console's WebCrypto signer, say) is refused here as it would be in
AWS, with a 403 naming the problem. Local clients sign with `sign()`. A request it accepts
carries the principal's `identity()` in its request context, as API Gateway's would.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
# API Gateway refuses signatures more than 5 minutes from its clock.
MAX_SKEW = timedelta(minutes=5)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/"
    r"(?P<service>[^/\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


#: The local account, as moto's (API Gateway puts the caller's in the request context).
LOCAL_ACCOUNT = "123456789012"


def approver_credentials() -> PublisherCredentials:
    """The local runtime's second officer (two-person approval): another IAM principal,
    with its own key, who may approve what the first published."""
    return PublisherCredentials(access_key_id="LOCALAPPROVER", user_name="local-approver")


def signed_by(
    headers: dict[str, str], principals: list[PublisherCredentials]
) -> PublisherCredentials:
    """The principal whose access key the request's Authorization names (else the first,
    whose check then says what is wrong)."""
    found = _AUTHORIZATION.match(headers.get("authorization", "").strip())
    key = found["key"] if found else None
    return next((p for p in principals if p.access_key_id == key), principals[0])


def canonical_query(query: str) -> str:
    """A query string in SigV4's canonical form (RFC 3986 encoding, sorted)."""
    pairs = [
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


@dataclass(frozen=True)
class PublisherCredentials:
    """The local publisher principal's access key (a new secret every start)."""

    access_key_id: str = "LOCALPUBLISHER"
    secret_access_key: str = field(default_factory=lambda: secrets.token_urlsafe(30))
    region: str = "us-east-1"
    user_name: str = "local-officer"  # the IAM user this key stands for

    @property
    def user_arn(self) -> str:
        return f"arn:aws:iam::{LOCAL_ACCOUNT}:user/{self.user_name}"

    def identity(self) -> dict[str, str]:
        """requestContext.identity as API Gateway fills it for a request this principal
        signed (AWS_IAM): the handler records `userArn` as the version's publisher."""
        return {
            "accessKey": self.access_key_id,
            "accountId": LOCAL_ACCOUNT,
            "caller": f"AIDALOCAL{self.user_name.upper().replace('-', '')}",
            "user": f"AIDALOCAL{self.user_name.upper().replace('-', '')}",
            "userArn": self.user_arn,
        }

    def as_json(self) -> dict[str, str]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "region": self.region,
        }

    def _signer(self) -> SigV4Auth:
        return SigV4Auth(
            Credentials(self.access_key_id, self.secret_access_key), SERVICE, self.region
        )

    def sign(
        self, method: str, url: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[str, dict[str, str]]:
        """The URL (query in canonical form) and headers with X-Amz-Date and Authorization,
        signed as awscurl or an SDK would."""
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(query=canonical_query(parts.query)))
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        self._signer().add_auth(request)
        return url, dict(request.headers.items())

    def verify(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        now: datetime | None = None,
    ) -> str | None:
        """None when the request is signed by this principal; else what is wrong with it.
        `headers` with lower-case names, as the local server passes them."""
        now = now or datetime.now(UTC)
        authorization = headers.get("authorization", "")
        if not authorization:
            return (
                "Missing Authentication Token: the publisher API takes requests signed with "
                "AWS Signature Version 4 (Authorization: AWS4-HMAC-SHA256 ...)"
            )
        found = _AUTHORIZATION.match(authorization.strip())
        if found is None:
            return (
                "Authorization header is not 'AWS4-HMAC-SHA256 Credential=<key>/<date>/"
                "<region>/execute-api/aws4_request, SignedHeaders=..., Signature=<64 hex>'"
            )
        if found["key"] != self.access_key_id:
            return (
                f"The security token included in the request is invalid: unknown access key "
                f"{found['key']!r} (the local runtime's is {self.access_key_id!r})"
            )
        if found["service"] != SERVICE or found["region"] != self.region:
            return (
                f"Credential should be scoped to region {self.region!r} and service "
                f"{SERVICE!r}, not {found['region']!r} and {found['service']!r}"
            )
        amz_date = headers.get("x-amz-date", "")
        try:
            signed_at = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
        except ValueError:
            return "X-Amz-Date header missing or not in the form 20260106T030000Z"
        if amz_date[:8] != found["date"]:
            return f"Credential date {found['date']} is not the date of X-Amz-Date {amz_date}"
        if abs(now - signed_at) > MAX_SKEW:
            return (
                f"Signature expired: X-Amz-Date {amz_date} is more than 5 minutes from the "
                f"server's time {now.strftime(SIGV4_TIMESTAMP)}"
            )
        signed = found["signed"].split(";")
        for required in ("host", "x-amz-date"):
            if required not in signed:
                return f"SignedHeaders must include {required}"
        missing = [name for name in signed if name not in headers]
        if missing:
            return f"signed header(s) not in the request: {', '.join(missing)}"
        declared = headers.get("x-amz-content-sha256")
        if declared is not None and declared != hashlib.sha256(body).hexdigest():
            return "X-Amz-Content-SHA256 is not the SHA-256 of the body"

        query = canonical_query(query)
        request = AWSRequest(
            method=method,
            url=f"http://{headers['host']}{path}" + (f"?{query}" if query else ""),
            headers={name: headers[name] for name in signed},
            data=body,
        )
        request.context["timestamp"] = amz_date
        signer = self._signer()
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        expected = signer.signature(string_to_sign, request)
        if not hmac.compare_digest(expected, found["signature"]):
            return (
                "The request signature we calculated does not match the signature you "
                "provided. The canonical request should have been\n"
                f"{canonical}\n\nand the string to sign\n{string_to_sign}"
            )
        return None
