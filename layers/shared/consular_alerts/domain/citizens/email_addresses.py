"""Email addresses citizens give: what is accepted, and which mailbox an address reaches.

The limits on sign-ups count per mailbox, not per spelling: `Ann+kz@Example.org` and
`ann+ru@example.org` reach one inbox, so they share one budget and one subscription. The
domain is case-folded (DNS is case-insensitive); the local part too, and a `+tag` is dropped,
since every large provider treats both so (RFC 5321 leaves the local part to the receiving
host: a host that tells `Ann` from `ann` would see two of its mailboxes share a budget, which
costs them nothing but a sign-up per hour). Dots are not folded: only some providers ignore
them.
"""

from __future__ import annotations

import re

# An address SES can deliver to and nothing else: a dot-atom local part (RFC 5322: no
# quotes, spaces, brackets, control characters) and a host of LDH labels with a letter TLD.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(
    rf"^(?=[^@]{{1,64}}@)(?=.{{1,254}}\Z){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}\Z"
)


class EmailRejectedError(ValueError):
    """The address cannot be subscribed; the message names why, without the address."""


def accept_email(raw: str) -> str:
    """The address as it will be written to (surrounding spaces dropped), if deliverable."""
    address = raw.strip()
    if not EMAIL.match(address):
        raise EmailRejectedError("address: not an email address")
    return address


def mailbox(address: str) -> str:
    """The mailbox an address reaches: case folded, any `+tag` dropped."""
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0].casefold()}@{domain.casefold()}"
