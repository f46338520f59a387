"""Masking a customer in text meant for others, by who they are rather than by
the exact string stored (DOMAIN, confidentiality).

Library entries and their index, reports in every format and the audit
report are read widely. Free text in them (a summary, a root cause, a
reason) may quote the customer in ways the case file never spelled:
``138-0013-8000``, ``+86 138 0013 8000``, fullwidth digits, ``m-123456`` for
member ``M123456``, ``欧阳女士`` for ``欧阳娜娜``. Each is masked, and so is any
number that looks like a mobile phone or a resident ID card, whoever's it is.
"""

from __future__ import annotations

import re
from typing import Any, Callable

#: Chinese surnames of two characters (the rest are one character).
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                     "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "独孤", "南宫", "西门", "端木",
                     "百里", "呼延", "澹台", "太史", "申屠", "万俟", "闻人", "赫连", "第五")
#: How a customer is addressed by surname: 王女士, 王先生, 王小姐 …
TITLES = ("先生", "女士", "小姐", "太太", "阿姨", "夫人")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
#: Between two digits of one number people write spaces, dashes, dots or brackets.
_SEP = r"[\s\-.()（）]{0,2}"
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)")
_ID_CARD = re.compile(r"(?<![\dXx])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dXx])")

Mask = tuple[re.Pattern, Callable[[re.Match], str]]


def mask_name(name: Any) -> str:
    """王女士 -> 王**; Alice Wong -> A**** W***."""
    text = str(name or "")
    if not text:
        return ""
    if " " in text.strip():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in text.split())
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_contact(contact: Any) -> str:
    """13800138000 -> 138****8000; huang@example.com -> h***@example.com."""
    text = str(contact or "")
    if "@" in text:
        user, _, domain = text.partition("@")
        return f"{user[:1]}***@{domain}"
    digits = re.sub(r"\D", "", text.translate(_FULLWIDTH_DIGITS))
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * len(text)


def _spaced(text: str) -> str:
    """A pattern for ``text`` written with any separators between its characters."""
    return _SEP.join(re.escape(char) for char in text)


def _surname(name: str) -> str | None:
    if not name or not "\u4e00" <= name[0] <= "\u9fff":
        return None
    for title in TITLES:  # the name stored may itself be "王女士"
        if name.endswith(title) and len(name) > len(title):
            name = name[: -len(title)]
            break
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])


def customer_masks(case: dict | None) -> list[Mask]:
    """Patterns for the case's customer and every claimant of a mass complaint
    (name and its surname-and-title forms, contact, member number), each with
    what replaces it."""
    people = [(case or {}).get("customer"), *((case or {}).get("claimants") or [])]
    return [mask for person in people if isinstance(person, dict) for mask in _person_masks(person)]


def _person_masks(customer: dict) -> list[Mask]:
    masks: list[Mask] = []
    contact = customer.get("contact")
    if isinstance(contact, str) and contact:
        digits = re.sub(r"\D", "", contact.translate(_FULLWIDTH_DIGITS))
        if "@" in contact:
            masks.append((re.compile(re.escape(contact), re.I), lambda m, c=contact: mask_contact(c)))
        elif len(digits) >= 7:
            prefix = r"(?:(?:\+|00)?86" + _SEP + ")?" if digits.startswith("1") else ""
            pattern = re.compile(r"(?<!\d)" + prefix + _spaced(digits) + r"(?!\d)")
            masks.append((pattern, lambda m, d=digits: mask_contact(d)))
        else:
            masks.append((re.compile(re.escape(contact)), lambda m: "****"))
    member = customer.get("member_id")
    if isinstance(member, str) and member.strip():
        compact = re.sub(r"[\W_]", "", member)
        masks.append((re.compile(r"(?<![0-9A-Za-z])" + _spaced(compact) + r"(?![0-9A-Za-z])", re.I),
                      lambda m: "****"))
    name = customer.get("name")
    if isinstance(name, str) and name.strip():
        masks.append((re.compile(re.escape(name)), lambda m, n=name: mask_name(n)))
        surname = _surname(name)
        if surname:
            titled = re.compile(re.escape(surname) + "(" + "|".join(TITLES) + ")")
            masks.append((titled, lambda m, s=surname: s[0] + "*" * (len(s) - 1) + "**"))
    return masks


def masked(data: Any, masks: list[Mask]) -> Any:
    """``data`` (dicts, lists, strings) with the customer in ``masks``, and any
    mobile phone or ID card number, masked wherever a string quotes them."""
    if isinstance(data, str):
        text = data.translate(_FULLWIDTH_DIGITS)
        for pattern, replace in masks:
            text = pattern.sub(replace, text)
        text = _ID_CARD.sub(lambda m: m.group()[:3] + "*" * 11 + m.group()[-4:], text)
        return _MOBILE.sub(lambda m: mask_contact(re.sub(r"\D", "", m.group())[-11:]), text)
    if isinstance(data, dict):
        return {key: masked(value, masks) for key, value in data.items()}
    if isinstance(data, list):
        return [masked(value, masks) for value in data]
    return data


#: Sections that are nothing but the people of a case.
PERSONAL = ("customer", "claimants")
#: Steps whose recorded arguments are people (claimant-add repeats the claimants).
PERSONAL_STEPS = ("claimant-add",)


def redacted(case: dict) -> dict:
    """A copy of ``case`` without the customer and claimants, with their names,
    contacts and member numbers masked wherever free text quotes them: library
    entries and reports are read widely (DOMAIN, confidentiality)."""
    kept = {key: value for key, value in case.items() if key not in PERSONAL}
    if isinstance(kept.get("timeline"), list):
        kept["timeline"] = [{k: v for k, v in entry.items() if k != "args"}
                            if isinstance(entry, dict) and entry.get("action") in PERSONAL_STEPS
                            else entry for entry in kept["timeline"]]
    return masked(kept, customer_masks(case))
