"""The one message each recipient gets, in the archive's language (kesu.yaml ``locale``).

A message lists the recipient's lit timers, red first: case ID, store,
summary with the customer masked, timer, when it is due and how late it is
(or how much time is left). Chat robots get it as markdown, e-mail as plain
text, the JSON webhook as data.
"""

from __future__ import annotations

from kesu.alerts.plan import Item, Recipient
from kesu.values import format_left
from kesu.vocab import label

#: Words of each message, per locale.
WORDS = {
    "zh-CN": {
        "red": "红灯", "yellow": "黄灯", "sep": "｜", "colon": "：", "comma": "，",
        "why_open": "（", "why_close": "）",
        "due": "应于 {due} 前完成", "late": "已超时 {left}", "left": "剩余 {left}",
        "title": "客诉预警：{count} 个客诉亮灯",
        "hello": "{display}（{name}），以下客诉需要您处理：",
        "why": {"owner": "您负责", "superior": "您是负责人的上级", "high_risk": "高风险客诉"},
        "clock": {" business": "（营业时间）", "working days": "个工作日", "working day": "个工作日",
                  " d": " 天", "min": "分钟", " h": " 小时"},
    },
    "en": {
        "red": "RED", "yellow": "YELLOW", "sep": " | ", "colon": ": ", "comma": ", ",
        "why_open": " (", "why_close": ")",
        "due": "due {due}", "late": "{left} late", "left": "{left} left",
        "title": "Complaint alert: {count} case(s) with a yellow or red light",
        "hello": "{display} ({name}), these complaints need you:",
        "why": {"owner": "you own it", "superior": "you are the owner's superior",
                "high_risk": "high risk"},
        "clock": {},
    },
}
MARK = {"red": "🔴", "yellow": "🟡"}


def mask_summary(case: dict, text: str) -> str:
    """The one place alerts mask the customer in free text (name, contact, member
    number, any phone or ID card number)."""
    from kesu.masking import customer_masks, masked

    return masked(text, customer_masks(case))


def words(locale: str) -> dict:
    return WORDS.get(locale, WORDS["zh-CN"])


def how_late(item: Item, locale: str) -> str:
    """``已超时 4 小时 50 分钟 营业时间`` / ``4 h 50 min business late``."""
    w = words(locale)
    amount = format_left(abs(item.left_minutes), item.clock)
    for english, local in w["clock"].items():
        amount = amount.replace(english, local)
    return (w["late"] if item.light == "red" else w["left"]).format(left=amount)


def title(recipient: Recipient, locale: str) -> str:
    return words(locale)["title"].format(count=len({i.case for i, _ in recipient.items}))


def _lines(recipient: Recipient, locale: str, bold: str, escape=lambda text: text) -> list[str]:
    """The greeting, then each case (its worst light first) with its lit timers beneath it."""
    w = words(locale)
    lines = [w["hello"].format(display=escape(recipient.display), name=escape(recipient.name)), ""]
    cases: dict[str, list[tuple[Item, str]]] = {}
    for item, why in recipient.items:
        cases.setdefault(item.case, []).append((item, why))
    for case, timers in cases.items():
        first, why = timers[0]
        store = f"{w['sep']}{escape(first.store)}" if first.store else ""
        lines.append(f"{MARK[first.light]} {bold}{w[first.light]} {case}{bold}{store}{w['sep']}"
                     f"{escape(first.summary)}{w['why_open']}{w['why'][why]}{w['why_close']}")
        for item, _ in timers:
            mark = "-" if item.light == first.light else f"- {w[item.light]}"
            lines.append(f"   {mark} {label(item.timer, locale)}{w['colon']}{w['due'].format(due=item.due)}{w['comma']}"
                         f"{how_late(item, locale)}")
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
