"""Per-language SMS and email for one advisory version.

The fixed words exist in all three citizen languages; the advisory's own text is used in the
subscriber's language when the advisory has it, else in the first language of a fallback
order, with a one-line note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consular_alerts.domain.identity import short_reference
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.domain.language.wording import cut
from consular_alerts.domain.messages.advice import condense_advice
from consular_alerts.domain.messages.offline import compose_offline_sms, offline_email_note
from consular_alerts.domain.messages.sms import ComposedSms, SmsParts, compose_sms, sanitize
from consular_alerts.models.advisory import Advisory, LocalizedContent, Status

WORDS: dict[str, dict[str, str]] = {
    "ministry": {"ky": "КР ТИМ", "ru": "МИД КР", "en": "Kyrgyz MFA"},
    "new": {"ky": "КӨҢҮЛ БУРУҢУЗ", "ru": "ВНИМАНИЕ", "en": "ALERT"},
    "update": {"ky": "ЖАҢЫЛАНУУ", "ru": "ОБНОВЛЕНИЕ", "en": "UPDATE"},
    "cancel": {"ky": "ЖОККО ЧЫГАРЫЛДЫ", "ru": "ОТМЕНА", "en": "CANCELLED"},
    "all_clear": {"ky": "КОРКУНУЧ ӨТТҮ", "ru": "ОТБОЙ", "en": "ALL CLEAR"},
    # Training mode: every message of an exercise says so first (domain/policy.py).
    "exercise": {"ky": "МАШЫГУУ", "ru": "УЧЕНИЕ", "en": "EXERCISE"},
    "exercise_note": {
        "ky": "Бул министрликтин кызматкерлери үчүн машыгуу, чыныгы эскертүү эмес.",
        "ru": "Это учение для сотрудников министерства, не настоящее предупреждение.",
        "en": "This is an exercise for ministry staff, not a real advisory.",
    },
    "level": {"ky": "{n}/4-деңгээл", "ru": "ур. {n}/4", "en": "level {n}/4"},
    "hotline": {"ky": "Ишеним телефону", "ru": "Горячая линия", "en": "Hotline"},
    "hotline_short": {"ky": "Тел.", "ru": "Тел.", "en": "Tel."},  # SMS: every unit counts
    "hotlines": {"ky": "Ишеним телефондору", "ru": "Горячие линии", "en": "Hotlines"},
    "details": {"ky": "Толугураак", "ru": "Подробнее", "en": "Details"},
    "issued": {"ky": "Жарыяланды", "ru": "Опубликовано", "en": "Issued"},
    "valid_until": {"ky": "Күчүндө", "ru": "Действует до", "en": "Valid until"},
    "source": {"ky": "Булак", "ru": "Источник", "en": "Source"},
    "replaces": {"ky": "Алмаштырат", "ru": "Заменяет", "en": "Replaces"},
    # A cancel names what it cancels: the cancelled advisory's headline, else its own text.
    "cancels": {
        "ky": '"{what}" жокко чыгарылды.',
        "ru": 'Отменено: "{what}".',  # straight quotes: what an SMS keeps anyway
        "en": 'Cancelled: "{what}".',
    },
    "earlier": {"ky": "мурунку эскертүү", "ru": "предыдущее предупреждение", "en": "earlier alert"},
    "unsubscribe": {
        "ky": "Жазылууну токтотуу: {url}",
        "ru": "Отписаться: {url}",
        "en": "Unsubscribe: {url}",
    },
    "fallback_note": {
        "ky": "Бул билдирүү кыргыз тилинде жок; төмөндө {lang} тилиндеги тексти.",
        "ru": "Этого сообщения нет на русском; ниже текст на языке: {lang}.",
        "en": "This advisory is not available in English; the text below is in {lang}.",
    },
}

FALLBACK_ORDER: tuple[str, ...] = ("ru", "en", "ky")
SUBJECT_LIMIT = 99  # SNS: "less than 100 characters"


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    content_language: str
    sms: ComposedSms
    email_subject: str
    email_body: str


def pick_content(
    advisory: Advisory, language: str, fallback_order: tuple[str, ...] = FALLBACK_ORDER
) -> tuple[str, LocalizedContent]:
    """The advisory's text in `language`, else the first of the fallback order, else any."""
    by_primary: dict[str, str] = {}
    for tag in advisory.content:
        by_primary.setdefault(tag.split("-")[0].lower(), tag)
    for wanted in (language, *fallback_order):
        if wanted in by_primary:
            tag = by_primary[wanted]
            return tag, advisory.content[tag]
    tag = next(iter(advisory.content))
    return tag, advisory.content[tag]


def advisory_link(base_url: str, advisory: Advisory, language: str | None = None) -> str:
    """The advisory's page; `language` (ky, ru, en) opens it in the reader's language."""
    link = f"{base_url.rstrip('/')}/a/{advisory.advisory_id}"
    return f"{link}?l={language}" if language else link


def short_link(base_url: str, advisory: Advisory) -> str:
    """The link an SMS can afford: no scheme (phones link bare domains), an 8-character
    reference the public site resolves to the advisory's page."""
    host = base_url.split("://", 1)[-1].rstrip("/")
    return f"{host}/a/{short_reference(advisory.advisory_id)}"


def _word(key: str, language: str) -> str:
    table = WORDS[key]
    return table.get(language, table["en"])


def _one_line(text: str, limit: int) -> str:
    return cut(sanitize(text), limit)


def _fmt_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else ""


def _joined(first: str, second: str) -> str:
    """Two texts as one, the second left out when the first already says it."""
    if not second or second.rstrip(".") in first:
        return first
    return f"{first} {second}"


def _cancelled_headline(
    content: LocalizedContent,
    previous: Advisory | None,
    language: str,
    fallback_order: tuple[str, ...],
) -> str:
    """What a cancel cancels: the cancelled advisory's headline when it is on record, else
    the cancel's own headline."""
    what = content.headline
    if previous is not None:
        what = pick_content(previous, language, fallback_order)[1].headline
    return cut(" ".join(what.split()).rstrip(". "), 100)


def render(
    advisory: Advisory,
    language: str,
    kind: str,
    *,
    base_url: str,
    sms_budget: int,
    previous: Advisory | None = None,
    fallback_order: tuple[str, ...] = FALLBACK_ORDER,
    offline: bool = False,
) -> RenderedMessage:
    """`offline`: the segment's country has its internet cut (domain/messages/offline.py):
    an SMS without the link, an email that says the page may not open."""
    content_tag, content = pick_content(advisory, language, fallback_order)
    country = country_name(advisory.countries[0], language)
    marker = _word(kind, language)
    level = _word("level", language).format(n=advisory.level)
    link = advisory_link(base_url, advisory, language)
    hotline = advisory.hotlines[0].number if advisory.hotlines else ""

    advice = condense_advice(
        content.instruction or content.summary or content.headline, content_tag
    )
    if kind == "cancel":  # no level: nothing is asked of citizens any more
        head = f"{_word('ministry', language)}: {marker}, {country}."
        cancelled = _cancelled_headline(content, previous, language, fallback_order)
        statement = _word("cancels", language).format(what=cancelled)
        action = _joined(statement, advice)
    else:
        head = f"{_word('ministry', language)}: {marker}, {level}, {country}."
        cancelled, statement, action = "", "", advice
    # An exercise says so before anything else: the head is the last part an SMS shortens.
    drill = _word("exercise", language) if advisory.status is Status.EXERCISE else ""
    if drill:
        head = f"{drill}: {head}"
    if offline:
        numbers = [h.number for h in advisory.hotlines]
        sms = compose_offline_sms(
            head, action, numbers, _word("hotline_short", language), sms_budget
        )
    else:
        sms = compose_sms(
            SmsParts(
                head=head,
                action=action,
                hotline=f"{_word('hotline_short', language)} {hotline}" if hotline else "",
                link=short_link(base_url, advisory),
            ),
            budget=sms_budget,
        )

    if kind == "cancel":
        subject = _one_line(f"{marker} {country}: {cancelled}", SUBJECT_LIMIT)
    else:
        subject = _one_line(f"{marker} ({level}) {country}: {content.headline}", SUBJECT_LIMIT)
    if drill:
        subject = _one_line(f"{drill}: {subject}", SUBJECT_LIMIT)

    lines: list[str] = [f"{drill}: {_word('exercise_note', language)}", ""] if drill else []
    lines += [offline_email_note(language, country), ""] if offline else []
    if not content_tag.lower().startswith(language):
        lines += [_word("fallback_note", language).format(lang=content_tag), ""]
    lines += [statement, ""] if statement else []
    if content.headline not in statement:
        lines += [content.headline, ""]
    # The body usually contains the summary and the instruction: never print a text twice.
    for part in (content.body or content.summary, content.instruction):
        if part and not any(part in line for line in lines):
            lines += [part, ""]
    if advisory.hotlines:
        lines.append(f"{_word('hotlines', language)}:")
        lines += [f"  {h.number}  {h.label}".rstrip() for h in advisory.hotlines]
        lines.append("")
    # What it replaces, as a reader knows it: a headline, else the page of the advisory.
    replaced = (
        [
            f'"{pick_content(previous, language, fallback_order)[1].headline}"'
            f" (v{previous.version}, {_fmt_time(previous.sent)})"
        ]
        if (previous is not None)
        else []
    )
    replaced += [
        f"{_word('earlier', language)} {base_url.rstrip('/')}/a/{r}"
        for r in advisory.references
        if previous is None or r != previous.advisory_id
    ]
    if replaced:
        lines.append(f"{_word('replaces', language)}: {', '.join(replaced)}")
    lines.append(f"{_word('issued', language)}: {_fmt_time(advisory.sent)}")
    if advisory.expires:
        lines.append(f"{_word('valid_until', language)}: {_fmt_time(advisory.expires)}")
    if advisory.source_url or content.web:
        lines.append(f"{_word('source', language)}: {content.web or advisory.source_url}")
    lines.append(f"{_word('details', language)}: {link}")
    lines += ["", _word("unsubscribe", language).format(url=f"{base_url.rstrip('/')}/unsubscribe")]

    return RenderedMessage(
        language=language,
        content_language=content_tag,
        sms=sms,
        email_subject=subject,
        email_body="\n".join(lines).strip() + "\n",
    )
