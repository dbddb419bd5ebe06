"""Country tables of English-language sources -> ISO 3166-1 alpha-2: the FIPS 10-4 tags
of the US State Department, and English country names (official and everyday). Pure."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

from consular_alerts.domain.language.places import rank_countries

# FIPS 10-4 country codes (withdrawn by NIST in 2008, still what the US State Department
# tags its travel advisories with) -> ISO 3166-1 alpha-2. Written by hand: no maintained
# library maps FIPS 10-4 to ISO 3166 (pycountry knows only ISO). Several FIPS codes are
# ISO codes of *other* countries (FIPS "AU" is Austria, ISO "AU" Australia), so a tag is
# never read as ISO. The last block holds codes the State Department uses that are not
# FIPS 10-4. "KV" (Kosovo) maps to XK, a user-assigned code outside ISO 3166-1 that the
# advisory contract accepts (models.base.is_country_code).
FIPS_TO_ISO: dict[str, tuple[str, ...]] = {
    "AA": ("AW",), "AC": ("AG",), "AE": ("AE",), "AF": ("AF",), "AG": ("DZ",),
    "AJ": ("AZ",), "AL": ("AL",), "AM": ("AM",), "AN": ("AD",), "AO": ("AO",),
    "AQ": ("AS",), "AR": ("AR",), "AS": ("AU",), "AT": ("AU",), "AU": ("AT",),
    "AV": ("AI",), "AY": ("AQ",), "BA": ("BH",), "BB": ("BB",), "BC": ("BW",),
    "BD": ("BM",), "BE": ("BE",), "BF": ("BS",), "BG": ("BD",), "BH": ("BZ",),
    "BK": ("BA",), "BL": ("BO",), "BM": ("MM",), "BN": ("BJ",), "BO": ("BY",),
    "BP": ("SB",), "BQ": ("UM",), "BR": ("BR",), "BS": ("TF",), "BT": ("BT",),
    "BU": ("BG",), "BV": ("BV",), "BX": ("BN",), "BY": ("BI",), "CA": ("CA",),
    "CB": ("KH",), "CD": ("TD",), "CE": ("LK",), "CF": ("CG",), "CG": ("CD",),
    "CH": ("CN",), "CI": ("CL",), "CJ": ("KY",), "CK": ("CC",), "CM": ("CM",),
    "CN": ("KM",), "CO": ("CO",), "CQ": ("MP",), "CR": ("AU",), "CS": ("CR",),
    "CT": ("CF",), "CU": ("CU",), "CV": ("CV",), "CW": ("CK",), "CY": ("CY",),
    "DA": ("DK",), "DJ": ("DJ",), "DO": ("DM",), "DQ": ("UM",), "DR": ("DO",),
    "EC": ("EC",), "EG": ("EG",), "EI": ("IE",), "EK": ("GQ",), "EN": ("EE",),
    "ER": ("ER",), "ES": ("SV",), "ET": ("ET",), "EU": ("TF",), "EZ": ("CZ",),
    "FG": ("GF",), "FI": ("FI",), "FJ": ("FJ",), "FK": ("FK",), "FM": ("FM",),
    "FO": ("FO",), "FP": ("PF",), "FQ": ("UM",), "FR": ("FR",), "FS": ("TF",),
    "GA": ("GM",), "GB": ("GA",), "GG": ("GE",), "GH": ("GH",), "GI": ("GI",),
    "GJ": ("GD",), "GK": ("GG",), "GL": ("GL",), "GM": ("DE",), "GO": ("TF",),
    "GP": ("GP",), "GQ": ("GU",), "GR": ("GR",), "GT": ("GT",), "GV": ("GN",),
    "GY": ("GY",), "GZ": ("PS",), "HA": ("HT",), "HK": ("HK",), "HM": ("HM",),
    "HO": ("HN",), "HQ": ("UM",), "HR": ("HR",), "HU": ("HU",), "IC": ("IS",),
    "ID": ("ID",), "IM": ("IM",), "IN": ("IN",), "IO": ("IO",), "IR": ("IR",),
    "IS": ("IL",), "IT": ("IT",), "IV": ("CI",), "IZ": ("IQ",), "JA": ("JP",),
    "JE": ("JE",), "JM": ("JM",), "JN": ("SJ",), "JO": ("JO",), "JQ": ("UM",),
    "JU": ("TF",), "KE": ("KE",), "KG": ("KG",), "KN": ("KP",), "KQ": ("UM",),
    "KR": ("KI",), "KS": ("KR",), "KT": ("CX",), "KU": ("KW",), "KV": ("XK",),
    "KZ": ("KZ",), "LA": ("LA",), "LE": ("LB",), "LG": ("LV",), "LH": ("LT",),
    "LI": ("LR",), "LO": ("SK",), "LQ": ("UM",), "LS": ("LI",), "LT": ("LS",),
    "LU": ("LU",), "LY": ("LY",), "MA": ("MG",), "MB": ("MQ",), "MC": ("MO",),
    "MD": ("MD",), "MF": ("YT",), "MG": ("MN",), "MH": ("MS",), "MI": ("MW",),
    "MJ": ("ME",), "MK": ("MK",), "ML": ("ML",), "MN": ("MC",), "MO": ("MA",),
    "MP": ("MU",), "MQ": ("UM",), "MR": ("MR",), "MT": ("MT",), "MU": ("OM",),
    "MV": ("MV",), "MX": ("MX",), "MY": ("MY",), "MZ": ("MZ",), "NC": ("NC",),
    "NE": ("NU",), "NF": ("NF",), "NG": ("NE",), "NH": ("VU",), "NI": ("NG",),
    "NL": ("NL",), "NN": ("SX",), "NO": ("NO",), "NP": ("NP",), "NR": ("NR",),
    "NS": ("SR",), "NU": ("NI",), "NZ": ("NZ",), "OD": ("SS",), "PA": ("PY",),
    "PC": ("PN",), "PE": ("PE",), "PK": ("PK",), "PL": ("PL",), "PM": ("PA",),
    "PO": ("PT",), "PP": ("PG",), "PS": ("PW",), "PU": ("GW",), "QA": ("QA",),
    "RE": ("RE",), "RI": ("RS",), "RM": ("MH",), "RN": ("MF",), "RO": ("RO",),
    "RP": ("PH",), "RQ": ("PR",), "RS": ("RU",), "RW": ("RW",), "SA": ("SA",),
    "SB": ("PM",), "SC": ("KN",), "SE": ("SC",), "SF": ("ZA",), "SG": ("SN",),
    "SH": ("SH",), "SI": ("SI",), "SL": ("SL",), "SM": ("SM",), "SN": ("SG",),
    "SO": ("SO",), "SP": ("ES",), "ST": ("LC",), "SU": ("SD",), "SV": ("SJ",),
    "SW": ("SE",), "SX": ("GS",), "SY": ("SY",), "SZ": ("CH",), "TB": ("BL",),
    "TD": ("TT",), "TE": ("TF",), "TH": ("TH",), "TI": ("TJ",), "TK": ("TC",),
    "TL": ("TK",), "TN": ("TO",), "TO": ("TG",), "TP": ("ST",), "TS": ("TN",),
    "TT": ("TL",), "TU": ("TR",), "TV": ("TV",), "TW": ("TW",), "TX": ("TM",),
    "TZ": ("TZ",), "UC": ("CW",), "UG": ("UG",), "UK": ("GB",), "UP": ("UA",),
    "US": ("US",), "UV": ("BF",), "UY": ("UY",), "UZ": ("UZ",), "VC": ("VC",),
    "VE": ("VE",), "VI": ("VG",), "VM": ("VN",), "VQ": ("VI",), "VT": ("VA",),
    "WA": ("NA",), "WE": ("PS",), "WF": ("WF",), "WI": ("EH",), "WQ": ("UM",),
    "WS": ("WS",), "WZ": ("SZ",), "YM": ("YE",), "ZA": ("ZM",), "ZI": ("ZW",),
    # Not FIPS 10-4: the State Department's own tags.
    "A1": ("BQ",),  # Bonaire, Sint Eustatius and Saba
    "A2": ("GF",),  # French Guiana (FIPS: FG)
    "A3": ("GP", "MQ", "BL", "MF"),  # French West Indies
    "GW": ("GW",),  # Guinea-Bissau (FIPS: PU)
    "SR": ("CH",),  # Switzerland (FIPS: SZ)
}  # fmt: skip


def fips_to_iso(code: str) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes for a FIPS 10-4 (State Department) country tag; () if unknown."""
    return FIPS_TO_ISO.get(code.strip().upper(), ())


# Everyday and official-style names pycountry does not match (it has ISO names only).
_NAME_ALIASES: dict[str, str] = {
    "turkey": "TR", "turkiye": "TR", "russia": "RU", "burma": "MM", "burma (myanmar)": "MM",
    "macau": "MO", "macao": "MO", "mainland china": "CN", "brunei": "BN", "bahamas": "BS",
    "gambia": "GM", "cote d ivoire": "CI", "cote d'ivoire": "CI", "ivory coast": "CI",
    "kosovo": "XK", "laos": "LA", "south korea": "KR", "north korea": "KP", "vatican": "VA",
    "vatican city": "VA", "holy see": "VA", "syria": "SY", "iran": "IR", "vietnam": "VN",
    "taiwan": "TW", "moldova": "MD", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "czech republic": "CZ", "swaziland": "SZ", "cape verde": "CV", "east timor": "TL",
    "micronesia": "FM", "federated states of micronesia": "FM",
    "democratic republic of the congo": "CD", "dr congo": "CD", "republic of the congo": "CG",
    "congo": "CG", "kingdom of denmark": "DK", "usa": "US", "united states": "US", "uk": "GB",
    "united kingdom": "GB", "great britain": "GB", "saint martin": "MF", "st martin": "MF",
    "st maarten": "SX", "sint maarten": "SX", "bonaire": "BQ", "sint eustatius": "BQ",
    "saba": "BQ", "bonaire/st eustatius/saba": "BQ", "curacao": "CW",
    "french west indies": "GP", "palestine": "PS", "occupied palestinian territories": "PS",
    "israel and the occupied palestinian territories": "IL", "st kitts and nevis": "KN",
    "st lucia": "LC", "st vincent and the grenadines": "VC", "st helena": "SH",
    "st helena, ascension and tristan da cunha": "SH", "st pierre and miquelon": "PM",
    "british virgin islands": "VG", "us virgin islands": "VI", "british antarctic territory": "AQ",
    "south georgia and south sandwich islands": "GS", "pitcairn island": "PN",
    "north macedonia": "MK", "macedonia": "MK", "russian federation": "RU", "reunion": "RE",
    "the netherlands": "NL", "falkland islands": "FK", "uae": "AE",
}  # fmt: skip
_SPACES = re.compile(r"\s+")


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _SPACES.sub(" ", plain).strip().casefold()
    return key.removeprefix("the ")


@lru_cache(maxsize=2048)
def country_from_name(name: str) -> str | None:
    """ISO 3166-1 alpha-2 of an English country name ("Turkey", "Burma (Myanmar)", "The
    Bahamas", "Curaçao"), None when unknown. May return XK (Kosovo, not ISO 3166-1)."""
    name = _SPACES.sub(" ", name).strip()
    if len(name) < 4 or len(name) > 80:
        return _NAME_ALIASES.get(_name_key(name))
    key = _name_key(name)
    if key in _NAME_ALIASES:
        return _NAME_ALIASES[key]
    for candidate in (name, key):
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    found = rank_countries(name, "en")
    return found[0] if len(found) == 1 else None
