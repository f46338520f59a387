"""One ledger row, read through the mapping into kesu's fields, with its problems.

The result (``Entry``) holds plain values: codes checked against kesu.yaml's
vocabularies, the store's code, the owner's roster name and times in the
archive's zone. Whatever cannot be read is a problem of the row; a value the
mapping reads only through its catch-all ``"*"`` is a note (imported, but
worth a look).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kesu import lifecycle
from kesu.i18n import N_, _, language
from kesu.vocab import label_and_code
from kesu.errors import UsageError
from kesu.importer.mapping import TIME_FIELDS, Mapping, shipped, text_of, time_of

#: Fields whose cell text is read as a code, and the kesu.yaml vocabulary of its codes.
VOCABULARIES = {"channel": "channels", "emotion": "emotions", "severity": "severities",
                "risk": "risks", "department": "departments"}
#: Fields whose codes are kesu's own, not kesu.yaml's.
OWN_CODES = {"satisfaction": tuple(lifecycle.SATISFACTION_CLOSES), "state": lifecycle.STATES,
             "close-reason": tuple(lifecycle.CLOSE_REASONS)}
#: The mapping's fields as a clerk names them; the field itself is what the mapping file writes.
FIELD_WORDS = {"channel": N_("channel"), "emotion": N_("emotion"), "severity": N_("severity"),
               "risk": N_("risk level"), "department": N_("department"), "category": N_("category"),
               "satisfaction": N_("return visit result"), "state": N_("state"),
               "close-reason": N_("close reason")}
_AMOUNT_NOISE = re.compile(r"[¥￥,，元\s]|RMB|CNY", re.IGNORECASE)


@dataclass
class Entry:
    """What one row says, in kesu's terms."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


class Converter:
    """Reads rows of one ledger under one mapping and one policy."""

    def __init__(self, mapping: Mapping, policy, header: list[Any]):
        self.mapping = mapping
        self.policy = policy
        self.tz = policy.tz
        self.formats = mapping.dates or shipped().dates
        self.fields: dict[int, str] = {}
        self.fill: set[int] = set()
        for index, cell in enumerate(header):
            name = text_of(cell)
            if name in mapping.columns and mapping.columns[name] not in self.fields.values():
                self.fields[index] = mapping.columns[name]
            if name in mapping.fill_down:
                self.fill.add(index)
        self._above: dict[int, Any] = {}
        self._owners = {str((m or {}).get("name") or ""): user for user, m in policy.roster.items()
                        if isinstance(m, dict) and m.get("name")}

    def unmapped(self, header: list[Any]) -> list[str]:
        return [text_of(c) for i, c in enumerate(header) if i not in self.fields and text_of(c)]

    def entry(self, number: int, cells: list[Any]) -> Entry:
        entry = Entry(number)
        raw: dict[str, Any] = {}
        for index, name in self.fields.items():
            cell = cells[index] if index < len(cells) else None
            if index in self.fill:
                if text_of(cell):
                    self._above[index] = cell
                else:
                    cell = self._above.get(index)
            if text_of(cell):
                raw[name] = cell
        for name, value in self.mapping.defaults.items():
            raw.setdefault(name, value)
        for name, cell in raw.items():
            try:
                value = self._read(name, cell, entry)
            except UsageError as exc:
                entry.problems.append(exc.message)
                continue
            if value not in (None, ""):
                entry.values[name] = value
        if "category" in entry.values:
            category, _sep, sub = str(entry.values.pop("category")).partition("/")
            self._category(entry, category, sub or entry.values.pop("subcategory", None))
        return entry

    # -------------------------------------------------------------- one cell
    def _read(self, name: str, cell: Any, entry: Entry) -> Any:
        if name in TIME_FIELDS:
            moment = time_of(cell, self.formats, self.tz)
            if moment is None:
                raise UsageError(_("{name} {text!r} is not a date or time (the mapping's dates: list how the ledger "
                                   "writes them)").format(name=name, text=text_of(cell)))
            return moment
        text = text_of(cell)
        if name in ("refund", "voucher", "cash"):
            return _AMOUNT_NOISE.sub("", text)
        if name == "store":
            from kesu.stores import resolve_store

            return resolve_store(self.policy, text, "store")
        if name == "owner":
            return self._owner(text)
        if name in VOCABULARIES or name in OWN_CODES or name == "category":
            return self._code(name, text, entry)
        return text

    def _code(self, name: str, text: str, entry: Entry) -> str:
        allowed = (OWN_CODES[name] if name in OWN_CODES
                   else self.policy.vocabulary("categories" if name == "category" else VOCABULARIES[name]))
        if name == "category" and text.partition("/")[0] in allowed:
            return text
        if text in allowed or not allowed:
            return text
        table = self.mapping.values.get(name) or {}
        folded = {k.casefold(): v for k, v in table.items()}
        if text.casefold() in folded:
            return folded[text.casefold()]
        if "*" in table:
            entry.notes.append(_("{name} {text!r} is not in the mapping; imported as {code}").format(
                name=name, text=text, code=table["*"]))
            return table["*"]
        known = _(", ").join(list(table) or [label_and_code(c, language()) for c in allowed])
        said = _(FIELD_WORDS[name]) if name in FIELD_WORDS else name
        raise UsageError(_("{name} {text!r} is neither a kesu code nor in the mapping's values ({known})").format(
            name=name if said == name else f"{said} ({name})", text=text, known=known))

    def _category(self, entry: Entry, category: str, subcategory: str | None) -> None:
        categories = self.policy.vocabulary("categories")
        if categories and category not in categories:
            entry.problems.append(_("category {category!r} is not in kesu.yaml ({allowed})").format(
                category=category, allowed=", ".join(categories)))
            return
        entry.values["category"] = category
        if subcategory:
            if subcategory not in self.policy.subcategories(category):
                entry.problems.append(_("subcategory {value!r} is not one of {category}'s: {allowed}").format(
                    value=subcategory, category=category,
                    allowed=", ".join(self.policy.subcategories(category)) or _("none")))
                return
            entry.values["subcategory"] = subcategory

    def _owner(self, text: str) -> str:
        table = self.mapping.values.get("owner") or {}
        roster = self.policy.roster
        user = table.get(text) or (text if text in roster else self._owners.get(text))
        if roster and user is None:
            names = ", ".join(f"{u} ({(m or {}).get('name') or u})" for u, m in roster.items())
            raise UsageError(_("owner {text!r} is not in the roster of kesu.yaml ({names}); name the person in the "
                               "mapping's values: owner:").format(text=text, names=names))
        return user or text


def check_times(entry: Entry, now: datetime, tolerance) -> None:
    """Times in kesu's years and not in the future; the history in order."""
    from kesu.values import YEARS, in_years

    for name in TIME_FIELDS:
        moment = entry.get(name)
        if moment is None:
            continue
        if not in_years(moment):
            entry.problems.append(_("{given} is outside {years}").format(given=f"{name} {moment:%Y-%m-%d}", years=YEARS))
        elif moment - now > tolerance:
            entry.problems.append(_("{name} {time} is in the future").format(name=name, time=f"{moment:%Y-%m-%d %H:%M}"))
    at = entry.get("at")
    for name in ("acked-at", "resolved-at", "closed-at"):
        if at is not None and entry.get(name) is not None and entry.get(name) < at:
            entry.problems.append(_("{name} {time} is before the complaint was received ({received})").format(
                name=name, time=f"{entry.get(name):%Y-%m-%d %H:%M}", received=f"{at:%Y-%m-%d %H:%M}"))
    if (entry.get("resolved-at") and entry.get("closed-at")
            and entry.get("closed-at") < entry.get("resolved-at")):
        entry.problems.append(_("closed-at is before resolved-at"))
