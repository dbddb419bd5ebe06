"""The valid inputs the hostile cases damage, and builders of the damaged ones. Every payload
is generated here (no third-party fixture)."""

from __future__ import annotations

import codecs
import json
from typing import Any

UNKNOWN_ID = "0b0c0d0e-0000-4000-8000-000000000000"  # a well-formed subscription id nobody has

ADVISORY: dict[str, Any] = {
    "advisory_id": "mfa-kg-hostile-1",
    "source_url": "https://mfa.gov.kg/ru/news/1",
    "sent": "2022-01-06T03:00:00+06:00",
    "countries": ["KZ"],
    "level": 3,
    "content": {
        "ru": {
            "headline": "Беспорядки в Казахстане",
            "body": "Избегайте мест скопления людей.",
            "instruction": "Оставайтесь дома.",
            "web": "https://mfa.gov.kg/ru/news/1",
        }
    },
    "hotlines": [{"number": "+77770371448", "label": "Посольство"}],
    "areas": [{"name": "Алматы"}],
}


def advisory(**changes: Any) -> bytes:
    return json.dumps({**ADVISORY, **changes}, ensure_ascii=False).encode()


def content(**changes: Any) -> bytes:
    return advisory(content={"ru": {**ADVISORY["content"]["ru"], **changes}})


POST = "Граждане Кыргызстана в Казахстане, избегайте митингов. Тел. +7 777 037 14 48.".encode()

CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>HOSTILE-1</identifier>
  <sender>alerts@mfa.gov.kg</sender>
  <sent>2022-01-06T03:00:00+06:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en</language>
    <category>Security</category>
    <event>Civil unrest</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Unrest in Almaty, Kazakhstan</headline>
    <description>Protests continue in Almaty.</description>
    <area><areaDesc>Almaty, Kazakhstan</areaDesc></area>
  </info>
</alert>
"""


def cap(doctype: str = "", **replace: str) -> bytes:
    text = CAP
    for old, new in replace.items():
        text = text.replace(old, new)
    if doctype:
        text = text.replace("?>\n", "?>\n" + doctype + "\n", 1)
    return text.encode()


XXE = '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    '<!DOCTYPE alert [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
# The DOCTYPE spelled in UTF-7 ("+ADw-" is "<"): invisible to a filter that reads bytes.
UTF7_XXE = (
    b'<?xml version="1.0" encoding="UTF-7"?>'
    b"+ADw-+ACE-DOCTYPE alert +AFs-+ADw-+ACE-ENTITY xxe SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-"
    + CAP.split("?>", 1)[1].replace("Civil unrest", "&xxe;").encode("utf-7")
)
UTF16_XXE = codecs.BOM_UTF16_LE + cap(XXE).decode().replace('"UTF-8"', '"UTF-16"').encode(
    "utf-16-le"
)

SUBSCRIBE: dict[str, Any] = {
    "channel": "sms",
    "address": "+77011234567",
    "countries": ["KZ"],
    "language": "ru",
    "min_level": 1,
}


def subscribe(**changes: Any) -> bytes:
    return json.dumps({**SUBSCRIBE, **changes}, ensure_ascii=False).encode()


def email(address: str) -> bytes:
    return subscribe(channel="email", address=address)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth
