"""The two pages the ministry's emails link to, in the reader's language (pure): confirming a
sign-up and unsubscribing. Opening either (GET) only shows a button; the button POSTs to the
same address, and only that POST acts, so a mail scanner that opens every link confirms and
unsubscribes nobody. The token stays in the address (query string), where the one-click POST
of RFC 8058 needs it; the pages tell browsers not to pass it on (Referrer-Policy)."""

from __future__ import annotations

import html

TEXTS: dict[str, dict[str, str]] = {
    "confirm_title": {
        "ky": "Жазылууну ырастоо",
        "ru": "Подтверждение подписки",
        "en": "Confirm your subscription",
    },
    "confirm_ask": {
        "ky": "КР ТИМдин эскертүүлөрүн ушул дарекке алуу үчүн баскычты басыңыз.",
        "ru": "Нажмите кнопку, чтобы получать оповещения МИД КР на этот адрес.",
        "en": "Press the button to receive the Kyrgyz MFA's advisories at this address.",
    },
    "confirm_button": {"ky": "Ырастоо", "ru": "Подтвердить", "en": "Confirm"},
    "confirm_done": {
        "ky": "Жазылуу ырасталды. Бул шилтемени сактаңыз: аны менен жазылууну өзгөртө же "
        "токтото аласыз.",
        "ru": "Подписка подтверждена. Сохраните эту ссылку: по ней подписку можно изменить "
        "или отменить.",
        "en": "Your subscription is confirmed. Keep this link: it changes or ends the "
        "subscription.",
    },
    "confirm_already": {
        "ky": "Бул жазылуу мурун ырасталган.",
        "ru": "Эта подписка уже подтверждена.",
        "en": "This subscription was confirmed already.",
    },
    "unsubscribe_title": {"ky": "Жазылууну токтотуу", "ru": "Отписка", "en": "Unsubscribe"},
    "unsubscribe_ask": {
        "ky": "Бул даректи эскертүүлөрдөн чыгаруу үчүн баскычты басыңыз.",
        "ru": "Нажмите кнопку, чтобы больше не получать оповещения на этот адрес.",
        "en": "Press the button to stop the advisories to this address.",
    },
    "unsubscribe_button": {
        "ky": "Жазылууну токтотуу",
        "ru": "Отписаться",
        "en": "Unsubscribe",
    },
    "unsubscribe_done": {
        "ky": "Жазылуу токтотулду, дарегиңиз өчүрүлдү.",
        "ru": "Подписка отменена, ваш адрес удалён.",
        "en": "You are unsubscribed; your address has been erased.",
    },
    "unsubscribe_already": {
        "ky": "Бул жазылуу мурун эле токтотулган.",
        "ru": "Эта подписка уже отменена.",
        "en": "This subscription has ended already.",
    },
    "invalid": {
        "ky": "Шилтеме туура эмес же мөөнөтү өттү.",
        "ru": "Ссылка неверна или устарела.",
        "en": "This link is wrong or has expired.",
    },
    "manage": {"ky": "Башкаруу шилтемеси", "ru": "Ссылка для управления", "en": "Manage link"},
}
# The page's own headers: nothing cached, the token never sent on, nothing but this page.
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _t(key: str, language: str) -> str:
    return TEXTS[key].get(language, TEXTS[key]["en"])


def page(
    kind: str,
    state: str,
    language: str,
    *,
    manage_link: str | None = None,
) -> str:
    """`kind`: confirm or unsubscribe; `state`: ask, done, already, invalid."""
    title = _t(f"{kind}_title", language)
    if state == "ask":
        body = (
            f"<p>{html.escape(_t(f'{kind}_ask', language))}</p>\n"
            '<form method="post"><button type="submit">'
            f"{html.escape(_t(f'{kind}_button', language))}</button></form>"
        )
    elif state == "invalid":
        body = f"<p>{html.escape(_t('invalid', language))}</p>"
    else:
        body = f"<p>{html.escape(_t(f'{kind}_{state}', language))}</p>"
        if manage_link:
            link = html.escape(manage_link)
            body += f'\n<p>{html.escape(_t("manage", language))}: <a href="{link}">{link}</a></p>'
    return (
        f'<!doctype html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;'
        f'overflow-wrap:anywhere">\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n'
    )
