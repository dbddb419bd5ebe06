"""Phone numbers citizens may subscribe: valid, mobile-capable, in an allowed country."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

_REFUSED_TYPES = {
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "non-geographic",
    PhoneNumberType.VOICEMAIL: "voicemail",
    # SMS need a mobile: a landline would cost a code that never arrives.
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.UNKNOWN: "unknown-type",
}


class PhoneRejectedError(ValueError):
    pass


@dataclass(frozen=True)
class AcceptedPhone:
    e164: str
    country: str  # from the number itself: +7 is Kazakhstan or Russia by its digits


def accept_phone(raw: str, allowed_countries: frozenset[str]) -> AcceptedPhone:
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise PhoneRejectedError(
            "address: give the phone number in international format: + and the country code, "
            "then the number"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneRejectedError("address: not a valid phone number")
    refused = _REFUSED_TYPES.get(phonenumbers.number_type(number))
    if refused:
        raise PhoneRejectedError(f"address: {refused} numbers cannot receive advisories")
    country = phonenumbers.region_code_for_number(number) or ""
    if country not in allowed_countries:
        raise PhoneRejectedError(
            f"address: SMS to numbers of {country or 'this region'} is not offered"
        )
    return AcceptedPhone(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), country
    )
