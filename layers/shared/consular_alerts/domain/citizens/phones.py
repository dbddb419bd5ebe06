"""Phone numbers citizens may subscribe: valid, mobile-capable, in an allowed country, of a
type not refused. Which types are refused is configuration (the RefusedPhoneNumberTypes
template parameter, by the names in PHONE_TYPES); by default every type but mobile (and
fixed-line-or-mobile, where a country's numbering does not tell them apart)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

#: Configuration name -> (type, how a refusal names it).
PHONE_TYPES = {
    "premium_rate": (PhoneNumberType.PREMIUM_RATE, "premium-rate"),
    "shared_cost": (PhoneNumberType.SHARED_COST, "shared-cost"),
    "toll_free": (PhoneNumberType.TOLL_FREE, "toll-free"),
    "voip": (PhoneNumberType.VOIP, "VoIP"),
    "pager": (PhoneNumberType.PAGER, "pager"),
    "uan": (PhoneNumberType.UAN, "non-geographic"),
    "voicemail": (PhoneNumberType.VOICEMAIL, "voicemail"),
    # SMS need a mobile: a landline would cost a code that never arrives.
    "fixed_line": (PhoneNumberType.FIXED_LINE, "landline"),
    # "Personal numbers" (UK 070, ...) forward to any phone at a premium: a known SMS-fraud
    # range.
    "personal_number": (PhoneNumberType.PERSONAL_NUMBER, "personal"),
    "unknown": (PhoneNumberType.UNKNOWN, "unknown-type"),
    "mobile": (PhoneNumberType.MOBILE, "mobile"),
    "fixed_line_or_mobile": (PhoneNumberType.FIXED_LINE_OR_MOBILE, "fixed-line-or-mobile"),
}
DEFAULT_REFUSED_TYPES = frozenset(PHONE_TYPES) - {"mobile", "fixed_line_or_mobile"}


def refused_types(names: str) -> frozenset[str]:
    """A comma-separated list of PHONE_TYPES names; ValueError naming an unknown one."""
    chosen = frozenset(name.strip().lower() for name in names.split(",") if name.strip())
    unknown = sorted(chosen - set(PHONE_TYPES))
    if unknown:
        raise ValueError(
            f"unknown phone number type(s) {', '.join(unknown)}; known: {', '.join(PHONE_TYPES)}"
        )
    return chosen


class PhoneRejectedError(ValueError):
    pass


@dataclass(frozen=True)
class AcceptedPhone:
    e164: str
    country: str  # from the number itself: +7 is Kazakhstan or Russia by its digits


def accept_phone(
    raw: str,
    allowed_countries: frozenset[str],
    refused: frozenset[str] = DEFAULT_REFUSED_TYPES,
) -> AcceptedPhone:
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise PhoneRejectedError(
            "address: give the phone number in international format: + and the country code, "
            "then the number"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneRejectedError("address: not a valid phone number")
    kind = phonenumbers.number_type(number)
    for name in refused:
        refused_kind, label = PHONE_TYPES[name]
        if kind == refused_kind:
            raise PhoneRejectedError(f"address: {label} numbers cannot receive advisories")
    country = phonenumbers.region_code_for_number(number) or ""
    if country not in allowed_countries:
        raise PhoneRejectedError(
            f"address: SMS to numbers of {country or 'this region'} is not offered"
        )
    return AcceptedPhone(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), country
    )
