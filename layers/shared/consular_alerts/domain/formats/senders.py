"""The country an alert's sender tells: its domain (known agencies, .gov/.mil, country-code
TLDs) or a WMO alerting-authority OID (2.49.0.x.<ISO 3166 numeric>). Pure."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pycountry

from consular_alerts.models.base import is_country_code

# Vanity ccTLDs used worldwide by companies: only a government second level counts.
_VANITY_TLDS = frozenset(
    {
        "io", "co", "tv", "me", "fm", "ai", "ly", "to", "cc", "ws", "la", "am", "gg", "sh",
        "ac", "nu", "tk", "ml", "ga", "cf", "gq", "su", "eu", "st", "vc", "mu", "so",
    }
)  # fmt: skip
_GOVERNMENT_LABELS = frozenset(
    {"gov", "gob", "go", "gouv", "govt", "gv", "mil", "government", "admin"}
)
# Agencies whose domains carry no ccTLD (the rest follow from the TLD rule).
_AGENCY_DOMAINS: dict[str, str] = {
    "weather.gov": "US",
    "noaa.gov": "US",
    "usgs.gov": "US",
    "fema.gov": "US",
    "canada.ca": "CA",
    "pelmorex.com": "CA",
}
# The ministry's own domains: a CAP alert from them is the ministry speaking, whatever its
# areas (domain/formats/cap_scope.py), and their country is the issuer, not a destination.
MINISTRY_DOMAINS: tuple[str, ...] = ("mfa.gov.kg",)
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))+$")


def _host_of(value: str) -> str | None:
    """The host name in a sender, URL or e-mail address, lowercase; None if there is none."""
    value = value.strip().lower()
    if "://" in value:
        try:
            host = urlsplit(value).hostname or ""
        except ValueError:
            return None
    elif "@" in value:
        host = value.rsplit("@", 1)[1]
    else:
        host = value
    host = host.strip(".")
    return host if _HOST.match(host) else None


def country_from_domain(value: str) -> str | None:
    """The country a sender's or a link's domain tells: known agencies, .gov/.mil (US),
    country-code TLDs (vanity ones only under a government second level)."""
    host = _host_of(value)
    if host is None:
        return None
    for domain, country in _AGENCY_DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return country
    labels = host.split(".")
    tld = labels[-1]
    if tld in ("gov", "mil"):
        return "US"
    if len(tld) != 2 or not tld.isalpha():
        return None
    if tld in _VANITY_TLDS and not (len(labels) >= 3 and labels[-2] in _GOVERNMENT_LABELS):
        return None
    code = "GB" if tld == "uk" else tld.upper()
    return code if is_country_code(code) else None


def is_ministry_sender(value: str) -> bool:
    """True when a sender, URL or e-mail address is on one of the ministry's domains."""
    host = _host_of(value)
    return host is not None and any(
        host == domain or host.endswith("." + domain) for domain in MINISTRY_DOMAINS
    )


_WMO_OID = re.compile(r"(?<![\d.])2\.49\.0\.[01]\.(\d{1,3})(?![\d])")


def country_from_oid(value: str) -> str | None:
    """WMO register of alerting authorities: 2.49.0.0.<ISO 3166 numeric> names an
    authority, 2.49.0.1.<ISO numeric>... a message of one."""
    match = _WMO_OID.search(value)
    if match is None:
        return None
    country = pycountry.countries.get(numeric=f"{int(match[1]):03d}")
    return str(country.alpha_2) if country is not None else None
