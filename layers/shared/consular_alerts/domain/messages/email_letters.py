"""The emails the ministry sends through SES, as letters: a subject, a plain-text part, a
simple HTML part made from the same text, and the headers each one carries (pure).

- The confirmation of a sign-up: one per sign-up, whatever the number of countries; its link
  opens a page whose button confirms (a POST: a mail scanner that opens links confirms
  nothing).
- An advisory: the segment's rendered email (domain/messages/render.py) for one reader, its
  generic unsubscribe line replaced by the reader's own page, with `List-Unsubscribe` (the
  page's https URL, and a mailto when one is configured) and `List-Unsubscribe-Post:
  List-Unsubscribe=One-Click` (RFC 8058): a mail client's unsubscribe button POSTs to the
  URL, which ends the subscription without a page in between.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from consular_alerts.domain.messages.render import WORDS

CONFIRM_SUBJECT = {
    "ky": "КР ТИМ: эскертүүлөргө жазылууну ырастаңыз",
    "ru": "МИД КР: подтвердите подписку на оповещения",
    "en": "Kyrgyz MFA: confirm your subscription to travel advisories",
}
CONFIRM_TEXT = {
    "ky": (
        "Бул дарек КР Тышкы иштер министрлигинин эскертүүлөрүнө жазылды ({countries}).\n\n"
        "Ырастоо үчүн шилтемени ачып, баскычты басыңыз:\n{url}\n\n"
        "Эгер сиз жазылбасаңыз, бул катты этибарга албаңыз: ырасталбаса, эч нерсе жөнөтүлбөйт."
    ),
    "ru": (
        "Этот адрес подписан на оповещения МИД Кыргызской Республики ({countries}).\n\n"
        "Чтобы подтвердить, откройте ссылку и нажмите кнопку:\n{url}\n\n"
        "Если вы не подписывались, не отвечайте: без подтверждения ничего не придёт."
    ),
    "en": (
        "This address was signed up for travel advisories from the Ministry of Foreign "
        "Affairs of the Kyrgyz Republic ({countries}).\n\n"
        "To confirm, open the link and press the button:\n{url}\n\n"
        "If it was not you, ignore this email: nothing is sent without confirmation."
    ),
}
PERSONAL_UNSUBSCRIBE = {
    "ky": "Бул даректин жазылуусун токтотуу: {url}",
    "ru": "Отписать этот адрес: {url}",
    "en": "Unsubscribe this address: {url}",
}
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058: the body a one-click POST carries
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str
    language: str
    headers: tuple[tuple[str, str], ...] = ()


def html_of(text: str, language: str) -> str:
    """A simple HTML part with the text's words: paragraphs, line breaks, links."""

    def line(raw: str) -> str:
        parts, last = [], 0
        for found in _URL.finditer(raw):
            url = found.group(0).rstrip(".,;)")
            end = found.start() + len(url)
            parts.append(html.escape(raw[last : found.start()]))
            parts.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
            last = end
        parts.append(html.escape(raw[last:]))
        return "".join(parts)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(line(row) for row in paragraph.splitlines()) + "</p>"
        for paragraph in paragraphs
    )
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family:sans-serif;max-width:40em;overflow-wrap:anywhere">\n'
        f"{body}\n</body></html>\n"
    )


def confirmation_letter(language: str, countries: list[str], confirm_url: str) -> Letter:
    text = CONFIRM_TEXT[language].format(countries=", ".join(countries), url=confirm_url)
    return Letter(CONFIRM_SUBJECT[language], text, html_of(text, language), language)


def unsubscribe_headers(page_url: str, mailto: str = "") -> tuple[tuple[str, str], ...]:
    """RFC 2369 and RFC 8058: the https URL first (the one a one-click POST goes to)."""
    targets = f"<{page_url}>" + (f", <mailto:{mailto}?subject=unsubscribe>" if mailto else "")
    return (("List-Unsubscribe", targets), ("List-Unsubscribe-Post", ONE_CLICK))


def advisory_letter(
    language: str,
    subject: str,
    body: str,
    *,
    site_url: str,
    unsubscribe_url: str,
    mailto: str = "",
    reference: str = "",
) -> Letter:
    """The segment's email for one reader: the generic unsubscribe line (the site's phone
    flow) becomes the reader's own unsubscribe page. `reference` (advisory, version,
    segment) goes in an `X-Alerts-Advisory` header: a forwarded email says what it was."""
    generic = WORDS["unsubscribe"][language].format(url=f"{site_url.rstrip('/')}/unsubscribe")
    personal = PERSONAL_UNSUBSCRIBE[language].format(url=unsubscribe_url)
    text = body.replace(generic, personal) if generic in body else f"{body}\n\n{personal}"
    return Letter(
        subject,
        text,
        html_of(text, language),
        language,
        unsubscribe_headers(unsubscribe_url, mailto)
        + ((("X-Alerts-Advisory", reference),) if reference else ()),
    )
