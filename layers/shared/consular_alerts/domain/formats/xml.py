"""Untrusted XML read safely: the size limit, encoding repair and defusedxml parsing every
XML format (CAP, RSS, Atom) goes through, and element names split into namespace and local
name. Pure: no I/O.

Hardening: no DTDs, no entity declarations, no external references (defusedxml); inputs over
MAX_DOCUMENT_BYTES are refused before parsing; a DOCTYPE in the prolog is refused before any
parser sees it. Tolerance: a UTF-8 BOM, an encoding declaration that does not match the
bytes and characters XML forbids are worked around, each reported in `warnings`.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]
from defusedxml import (
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from consular_alerts.errors import NormalizationError

#: Bigger documents are refused before any parsing.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

_DECLARATION = re.compile(rb"^<\?xml[^>]{0,300}?\?>")
_DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._:-]{0,40})\1""")
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_DOCTYPE = re.compile(
    r"<!DOCTYPE\s+([^\s\[>]{1,100})(?:\s+(?:PUBLIC\s+(?:\"[^\"]*\"|'[^']*')|SYSTEM)\s*"
    r"(\"[^\"]*\"|'[^']*'))?",
    re.IGNORECASE,
)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY\s")


class UnsafeXMLError(NormalizationError):
    """The document carries a DTD, entity declarations or external references."""


def _too_big(data: bytes | str) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise NormalizationError(
            f"document is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are accepted"
        )


def _text_codec(name: str) -> str | None:
    """Python's codec name for a declared XML encoding, None when it is not a text codec."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def repair_xml_encoding(data: bytes) -> tuple[bytes, list[str]]:
    """The document as UTF-8 bytes an XML parser reads without surprises, and the defects
    worked around (a declared encoding the bytes do not match, characters XML forbids).

    Raises NormalizationError when the document is too big or has a DTD in its prolog.
    """
    _too_big(data)
    warnings: list[str] = []
    bom_codec = None
    for bom, bom_name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            bom_codec = bom_name
            break
    if bom_codec is None and data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        bom_codec = "utf-16-le" if data[0] == 0x3C else "utf-16-be"

    text: str | None = None
    declared = None
    if bom_codec is not None and bom_codec != "utf-8":
        try:
            text = data.decode(bom_codec)
        except UnicodeDecodeError as error:
            raise NormalizationError(
                f"XML: the byte order mark says {bom_codec} but the bytes are not "
                f"(offset {error.start})"
            ) from error
    else:
        if bom_codec == "utf-8":
            data = data[len(codecs.BOM_UTF8) :]
        head = _DECLARATION.match(data.lstrip()[:400])
        match = _DECLARED_ENCODING.search(head[0]) if head else None
        declared = match[2].decode("ascii") if match else None
        codec: str | None = "utf-8" if declared is None else _text_codec(declared)
        if bom_codec == "utf-8" and codec != "utf-8":
            if declared is not None:
                warnings.append(
                    f"XML: a UTF-8 byte order mark but {declared!r} declared; read as UTF-8"
                )
            codec = "utf-8"
        if declared is not None and codec is None:
            warnings.append(f"XML: unknown encoding {declared!r} declared; read as UTF-8")
            codec = "utf-8"
        if codec and codec.startswith(("utf-16", "utf-32")) and data[:2].startswith(b"<"):
            # Said to be 16/32-bit, yet the declaration itself is in 8-bit characters.
            warnings.append(f"XML: declared {declared} but the bytes are 8-bit; read as UTF-8")
            codec = "utf-8"
        assert codec is not None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            bad = data[error.start]
            said = f"declared {declared}" if declared else "no encoding declared (so UTF-8)"
            expected = declared or "UTF-8"
            for fallback in ("utf-8", "windows-1252", "latin-1"):
                if fallback == codec:
                    continue
                try:
                    text = data.decode(fallback)
                except UnicodeDecodeError:
                    continue
                break
            assert text is not None  # latin-1 decodes any bytes
            warnings.append(
                f"XML: {said} but the bytes are not {expected} (byte 0x{bad:02x} at offset "
                f"{error.start}); decoded as {fallback}"
            )
        except (UnicodeError, LookupError, ValueError) as error:
            raise NormalizationError(
                f"XML: cannot decode the document as {declared!r}: {error}"
            ) from error
        if not warnings and codec in ("utf-8", "ascii") and not _NOT_XML_CHARS.search(text):
            _refuse_doctype(text)
            return data, warnings  # already what the parser wants: no copy

    assert text is not None
    forbidden = len(_NOT_XML_CHARS.findall(text))
    if forbidden:
        text = _NOT_XML_CHARS.sub("", text)
        warnings.append(f"XML: removed {forbidden} control character(s) XML does not allow")
    _refuse_doctype(text)
    body = _DECLARATION.sub(b"", text.lstrip().encode("utf-8"), count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + body, warnings


def _refuse_doctype(text: str) -> None:
    """Refuse a DOCTYPE in the prolog before any parser sees it (also for feeds that are
    not well-formed and go to the tolerant feed parser)."""
    position = 0
    while True:
        item = _PROLOG_ITEM.match(text, position)
        if item is None or item.end() == position:
            break
        position = item.end()
    start = len(text[position:]) - len(text[position:].lstrip()) + position
    if text[start : start + 9].upper() != "<!DOCTYPE":
        return
    doctype = _DOCTYPE.match(text, start)
    name = doctype[1] if doctype else "?"
    system_id = doctype[2] if doctype and doctype[2] else ""
    entities = len(_ENTITY_DECLARATION.findall(text, start, start + 100_000))
    raise UnsafeXMLError(
        f"XML: DTDs are not accepted (possible XXE): <!DOCTYPE {name}>"
        + (f" with system id {system_id[1:-1]!r}" if system_id else "")
        + (f" and {entities} entity declaration(s)" if entities else "")
    )


_PLAIN_START = re.compile(
    rb"<(?!\?xml)|<\?xml(?![^>]{0,300}?encoding\s*=\s*[\"'](?!utf-?8[\"']))", re.IGNORECASE
)


def load_xml(data: bytes) -> tuple[Element, list[str]]:
    """Parse untrusted XML safely: size limit, encoding repair, defusedxml with DTDs,
    entity declarations and external references forbidden."""
    _too_big(data)
    if _PLAIN_START.match(data):
        # UTF-8 by declaration or default, as nearly all alerts are: expat checks the
        # bytes itself; only a document it refuses goes through the repairs below.
        try:
            return parse_repaired_xml(data), []
        except UnsafeXMLError:
            repair_xml_encoding(data)  # says what the DTD holds, when it is in the prolog
            raise
        except NormalizationError:
            pass
    utf8, warnings = repair_xml_encoding(data)
    return parse_repaired_xml(utf8), warnings


def parse_repaired_xml(utf8: bytes) -> Element:
    """Parse what `repair_xml_encoding` returned (defusedxml, nothing resolved)."""
    try:
        root = DefusedET.fromstring(
            utf8, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden as error:
        raise UnsafeXMLError(
            f"XML: DTDs are not accepted (possible XXE): <!DOCTYPE {error.name}>"
            + (f" with system id {error.sysid!r}" if error.sysid else "")
        ) from error
    except EntitiesForbidden as error:
        raise UnsafeXMLError(
            f"XML: entity declarations are not accepted (possible XXE or entity expansion "
            f"bomb): <!ENTITY {error.name}>"
        ) from error
    except ExternalReferenceForbidden as error:
        raise UnsafeXMLError(
            f"XML: external references are not accepted (possible XXE): {error.sysid!r}"
        ) from error
    except ParseError as error:
        raise NormalizationError(f"XML: not well-formed: {error}") from error
    except (ValueError, UnicodeError, RecursionError) as error:
        raise NormalizationError(f"XML: cannot be parsed: {error}") from error
    if not isinstance(root, Element):  # pragma: no cover - defusedxml returns an Element
        raise NormalizationError("XML: no root element")
    return root


# --- Element names ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def split_name(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an element's tag string ("{ns}alert" -> ("ns", "alert"))."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def split_tag(tag: object) -> tuple[str, str]:
    """(namespace, local name); ("", "") for comments and processing instructions."""
    return split_name(tag) if isinstance(tag, str) else ("", "")
