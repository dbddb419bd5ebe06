"""`alerts demo`'s email part: the one confirmation email of a sign-up, its page (a GET that
only shows a button, then the POST that confirms), and the advisory emails with their
unsubscribe headers, read from moto's SES outbox (`GET /_local/emails`)."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from alerts_local.email_outbox import SentEmail
from alerts_local.server import LocalRuntime


def page(runtime: LocalRuntime, method: str, link: str, body: bytes = b"") -> tuple[int, str]:
    """A link from an email, against the local runtime (the site forwards /email/* to the
    citizen API; locally both are this server)."""
    parts = urlsplit(link)
    request = urllib.request.Request(  # noqa: S310  (always our own http://127.0.0.1 URL)
        f"{runtime.url}{parts.path}?{parts.query}",
        data=body if method == "POST" else None,
        method=method,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def emails_to(runtime: LocalRuntime, address: str) -> list[SentEmail]:
    assert runtime.emails is not None
    runtime.settle()
    return [email for email in runtime.emails.sent if email.to == address]


def confirm(runtime: LocalRuntime, address: str, status: str) -> str:
    """Open the confirmation email's link, then press its button; what happened."""
    confirmations = [e for e in emails_to(runtime, address) if "/email/confirm/" in e.text]
    if len(confirmations) != 1:
        raise RuntimeError(f"{len(confirmations)} confirmation email(s) to {address}")
    link = next(w for w in confirmations[0].text.split() if "/email/confirm/" in w)
    shown, html = page(runtime, "GET", link)
    if shown != 200 or 'method="post"' not in html:
        raise RuntimeError(f"confirmation page: {shown}")
    pressed, html = page(runtime, "POST", link)
    if pressed != 200 or "/s/" not in html:
        raise RuntimeError(f"confirming: {pressed}")
    return (
        f"{status}; 1 confirmation email \u00ab{confirmations[0].subject[:40]}\u2026\u00bb; "
        "GET of its link: a button, nothing changed; POST: active, manage link on the page"
    )


def print_emails(runtime: LocalRuntime, address: str) -> int:
    advisories = [e for e in emails_to(runtime, address) if "X-Alerts-Advisory" in e.headers]
    for email in advisories:
        print(f"    EMAIL from {email.sender} ({email.headers['X-Alerts-Advisory']})")
        print(f"      Subject: {email.subject}")
        print(f"      List-Unsubscribe: {email.headers['List-Unsubscribe'][:110]}\u2026")
        print(f"      List-Unsubscribe-Post: {email.headers['List-Unsubscribe-Post']}")
        for line in email.text.splitlines()[:4]:
            print(f"      | {line[:150]}{'…' if len(line) > 150 else ''}")
        print(f"      | ... (and a text/html part, {len(email.html)} characters)")
    return len(advisories)
