"""SES (v2 API): one letter to one address, as a raw MIME message, so the per-recipient
headers (List-Unsubscribe, List-Unsubscribe-Post) go out exactly as written; from the
ministry's verified address, through the configuration set whose event destination reports
deliveries, bounces and complaints, with message tags naming what the email is."""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from consular_alerts.adapters.errors import classified, error_code
from consular_alerts.domain.messages.email_letters import Letter
from consular_alerts.errors import RetryableError

# Refusals that concern the account, not this letter: every other letter would be refused
# too, so the work waits in the queue (and its dead-letter queue) for someone to fix it.
_ACCOUNT_REFUSALS = frozenset(
    {
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",  # the configuration set
        "LimitExceededException",
    }
)
_TAG_VALUE = re.compile(r"[^A-Za-z0-9_.@-]")


def mime(sender: str, sender_name: str, to: str, letter: Letter) -> bytes:
    """The letter as a MIME message: text/plain and text/html alternatives, UTF-8."""
    message = EmailMessage()
    local, _, domain = sender.rpartition("@")
    message["From"] = Address(sender_name, local, domain) if sender_name else sender
    message["To"] = to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Content-Language"] = letter.language
    for name, value in letter.headers:
        message[name] = value
    message.set_content(letter.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(letter.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


class SesMailer:
    def __init__(
        self, client: Any, sender: str, configuration_set: str, sender_name: str = ""
    ) -> None:
        self._client = client
        self._sender = sender
        self._sender_name = sender_name
        self._configuration_set = configuration_set

    def send(self, to: str, letter: Letter, tags: dict[str, str]) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": mime(self._sender, self._sender_name, to, letter)}},
            "EmailTags": [
                {"Name": name, "Value": _TAG_VALUE.sub("_", value)[:256]}
                for name, value in tags.items()
            ],
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._client.send_email(**request)
        except ClientError as error:
            if error_code(error) in _ACCOUNT_REFUSALS:
                raise RetryableError(f"SES send: {error_code(error)}") from error
            raise classified(error, "SES send") from error
        except BotoCoreError as error:
            raise RetryableError(f"SES send: {type(error).__name__}") from error
        return str(response["MessageId"])
