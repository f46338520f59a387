"""The one message each recipient gets, in the archive's language (kesu.yaml ``locale``).

A message lists the recipient's lit timers, red first: case ID, store,
summary with the customer masked, timer, when it is due and how late it is
(or how much time is left). Chat robots get it as markdown, e-mail as plain
text, the JSON webhook as data.

Its words are kesu's catalog in the archive's locale (``translation_for``),
not the language of the command that sends it: a clerk running ``kesu alert``
with ``KESU_LANG=en`` still alerts a Chinese desk in Chinese.
"""

from __future__ import annotations

from kesu.alerts.plan import Item, Recipient
from kesu.i18n import N_, translation_for
from kesu.values import format_left
from kesu.vocab import label

LIGHTS = {"red": N_("RED"), "yellow": N_("YELLOW")}
WHY = {"owner": N_("you own it"), "superior": N_("you are the owner's superior"), "high_risk": N_("high risk")}
MARK = {"red": "🔴", "yellow": "🟡"}


def _language(locale: str) -> str:
    """An archive's locale as the catalog knows it (kesu.yaml's default, zh-CN, when unknown)."""
    return "en" if locale == "en" else "zh-CN"


def _words(locale: str):
    return translation_for(_language(locale)).gettext


def mask_summary(case: dict, text: str) -> str:
    """The one place alerts mask the customer in free text (name, contact, member
    number, any phone or ID card number)."""
    from kesu.masking import customer_masks, masked

    return masked(text, customer_masks(case))


def how_late(item: Item, locale: str) -> str:
    """``已超时 4 小时 50 分钟（营业时间）`` / ``4 h 50 min business late``."""
    say = _words(locale)
    amount = format_left(abs(item.left_minutes), item.clock, language=_language(locale), business=False)
    red = item.light == "red"
    if item.clock == "business":
        words = say(N_("{time} business late")) if red else say(N_("{time} business left"))
    else:
        words = say(N_("{time} late")) if red else say(N_("{time} left"))
    return words.format(time=amount)


def title(recipient: Recipient, locale: str) -> str:
    return _words(locale)(N_("Complaint alert: {count} case(s) with a yellow or red light")).format(
        count=len({i.case for i, _why in recipient.items}))


def _lines(recipient: Recipient, locale: str, bold: str, escape=lambda text: text) -> list[str]:
    """The greeting, then each case (its worst light first) with its lit timers beneath it."""
    say = _words(locale)
    lines = [say(N_("{display} ({name}), these complaints need you:")).format(
        display=escape(recipient.display), name=escape(recipient.name)), ""]
    cases: dict[str, list[tuple[Item, str]]] = {}
    for item, why in recipient.items:
        cases.setdefault(item.case, []).append((item, why))
    for case, timers in cases.items():
        first, why = timers[0]
        words = (say(N_("{mark} {bold}{light} {case}{bold} | {store} | {summary} ({why})")) if first.store
                 else say(N_("{mark} {bold}{light} {case}{bold} | {summary} ({why})")))
        lines.append(words.format(mark=MARK[first.light], bold=bold, light=say(LIGHTS[first.light]), case=case,
                                  store=escape(first.store or ""), summary=escape(first.summary),
                                  why=say(WHY[why])))
        for item, _why in timers:
            mark = "-" if item.light == first.light else f"- {say(LIGHTS[item.light])}"
            lines.append("   " + say(N_("{mark} {timer}: due {due}, {late}")).format(
                mark=mark, timer=label(item.timer, locale), due=item.due, late=how_late(item, locale)))
    return lines


def text(recipient: Recipient, locale: str) -> str:
    """Plain text, for e-mail and the terminal."""
    return "\n".join([title(recipient, locale), "", *_lines(recipient, locale, "")]) + "\n"


def markdown(recipient: Recipient, locale: str) -> str:
    """Markdown for the chat robots (each renders bold and line breaks); text from
    case files has ``& < >`` as entities, so no tag in it is live."""
    from kesu import neutral

    lines = _lines(recipient, locale, "**", neutral.markdown)
    return "\n".join([f"### {title(recipient, locale)}", "", *(line + "  " for line in lines)])


def payload(recipient: Recipient, locale: str) -> dict:
    """The JSON object the webhook channel posts (docs/alerts.md documents it)."""
    return {
        "recipient": recipient.name, "name": recipient.display, "email": recipient.email,
        "locale": locale, "title": title(recipient, locale), "text": text(recipient, locale),
        "cases": [{"id": item.case, "light": item.light, "timer": item.timer, "store": item.store,
                   "summary": item.summary, "state": item.state, "owner": item.owner,
                   "risk": item.risk, "due": item.due, "deadline": item.deadline,
                   "left_minutes": item.left_minutes, "late": how_late(item, locale),
                   "why": why} for item, why in recipient.items],
    }
