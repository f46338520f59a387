"""One case file as the index stores it: pure, from the parsed case and the policy.

What a row holds is exactly what the whole-archive commands read, computed
by the same rules they used to apply to the parsed file:
- the ``kesu list`` columns as ``views`` defines them (``received`` as text, so
  ordering by it is the order the list always had);
- the filter keys (state, store, owner, category, severity, risk) and the
  times reports and exports count by (received, first resolve, return visit,
  closure), as microseconds since 1970;
- every timer ``Deadlines`` computes, with its deadline and the instant it
  turns yellow (see ``lights``), so no command recomputes a calendar;
- ``facts``: the few fields the monthly and KPI reports read (``REPORT_FIELDS``),
  so a report runs its own code on them without the file;
- the customers' contact and member keys and the products and orders named,
  for ``kesu find`` and the repeat-complaint warning at intake;
- the free text ``kesu find`` searches.

A value that is not text (a number, a list) where text is expected is kept as
JSON behind ``MARK`` so it comes back exactly as the file had it.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from kesu.index import keys
from kesu.index.lights import micros, yellow_instant
from kesu.values import dig, in_years, parse_time

#: Marks a stored value that is JSON, not text: a character YAML cannot hold.
MARK = "\x1e"

LIST_FIELDS = ("id", "state", "received", "channel", "category", "severity", "owner", "summary")
#: A ``kesu list`` row: the stored fields and the light of its worst running timer, when due.
LIST_ROW = ("id", "state", "received", "channel", "category", "severity", "owner", "light", "due",
            "summary")
#: The only parts of a case the monthly and KPI reports read (see ``reports``):
#: top-level keys copied whole, and sections of which only some keys are read.
REPORT_FIELDS = {"id": None, "state": None, "received_at": None, "channel": None, "store": None,
                 "classification": ("category", "subcategory", "severity", "risk"),
                 "investigation": ("root_cause", "responsibility"),
                 "follow_up": ("at", "satisfaction"), "assignment": ("level",),
                 "customer": ("name", "contact", "member_id")}  # to mask them in free text
TIMELINE_FIELDS = ("at", "action", "to")
#: Steps whose count a report shows by month.
COUNTED_EVENTS = ("escalate", "object", "reopen")


def encode(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return MARK + json.dumps(value, ensure_ascii=False, default=str)


def decode(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(MARK):
        return json.loads(value[1:])
    return value


#: The columns of a case's row, in the order ``CaseRecord.row`` holds them.
CASE_COLUMNS = ("path", "blob", "error", "error_line", *LIST_FIELDS, "store", "subcategory", "risk",
                "outcome", "received_us", "resolved_us", "visit_us", "closed_us", "timers_ok",
                "marked", "facts")


@dataclass
class CaseRecord:
    """A case's row (``CASE_COLUMNS``), its timers, find keys, counted steps and text:
    tuples as the index stores them, so building the index only inserts them."""
    row: tuple
    timers: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    events: list = field(default_factory=list)
    text: str = ""


def error_record(path: str, blob: str, error: str, line: int | None) -> CaseRecord:
    """The row of a file kesu cannot read: why, and no other column."""
    return CaseRecord((path, blob, error, line) + (None,) * (len(CASE_COLUMNS) - 4))


def _aware_micros(value: Any) -> int | None:
    moment = parse_time(value)
    if moment is None or moment.tzinfo is None or not in_years(moment):
        return None
    return micros(moment)


def _subset(value: Any, wanted: tuple) -> Any:
    return {k: value[k] for k in wanted if k in value} if isinstance(value, dict) else value


def report_facts(case: dict) -> dict:
    facts = {key: (case[key] if wanted is None else _subset(case[key], wanted))
             for key, wanted in REPORT_FIELDS.items() if key in case}
    if isinstance(case.get("claimants"), list):
        # what reports count of a mass complaint: outcomes and amounts, never who
        facts["claimants"] = [_subset(c, ("outcome", "amount")) for c in case["claimants"]
                              if isinstance(c, dict)]
    timeline = case.get("timeline")
    if "timeline" in case:
        facts["timeline"] = ([_subset(e, TIMELINE_FIELDS) for e in timeline]
                             if isinstance(timeline, list) else timeline)
    return facts


def list_columns(case: dict, tz) -> dict:
    """The ``kesu list`` row of a case, less its light (which depends on now)."""
    from kesu.values import table_minute

    return {
        "id": case.get("id"), "state": case.get("state"),
        "received": table_minute(case.get("received_at"), tz),
        "channel": case.get("channel"),
        "category": dig(case, "classification", "category"),
        "severity": dig(case, "classification", "severity"),
        "owner": dig(case, "assignment", "owner"),
        "summary": dig(case, "complaint", "summary"),
    }


def _first_at(case: dict, action: str) -> int | None:
    for entry in case.get("timeline") or []:
        if isinstance(entry, dict) and entry.get("action") == action:
            return _aware_micros(entry.get("at"))
    return None


def _customers(case: dict) -> list[dict]:
    """The case's customer and, where there are several, every claimant."""
    found = [case["customer"]] if isinstance(case.get("customer"), dict) else []
    claimants = case.get("claimants")
    if isinstance(claimants, list):
        found += [c for c in claimants if isinstance(c, dict)]
    return found


def find_keys(case: dict) -> list[tuple[str, str]]:
    found = set()
    for person in _customers(case):
        if person.get("contact") not in (None, ""):
            found.add(("contact", keys.contact_key(person["contact"])))
        member = person.get("member_id", person.get("member"))
        if member not in (None, ""):
            found.add(("member", keys.member_key(member)))
    for subject in dig(case, "complaint", "subjects") or []:
        if not isinstance(subject, dict) or subject.get("kind") not in ("product", "order"):
            continue
        for part in ("ref", "name"):
            if subject.get(part) not in (None, ""):
                found.add((subject["kind"], keys.ref_key(subject[part]) if part == "ref"
                           else keys.text_key(subject[part])))
    return sorted(found)


def search_text(case: dict) -> str:
    """Summary, facts, demands and findings: what free text in ``kesu find`` searches."""
    parts = [dig(case, "complaint", key) for key in ("summary", "facts", "demands")]
    for finding in dig(case, "investigation", "findings") or []:
        parts.append(finding.get("text") if isinstance(finding, dict) else finding)
    return "\n".join(keys.text_key(p) for p in parts if p not in (None, ""))


def outcome(case: dict) -> Any:
    """How a closed case ended (its closure reason and the customer's satisfaction);
    an open case's state."""
    from kesu.lifecycle import CLOSED

    if case.get("state") != CLOSED:
        return case.get("state")
    parts = [dig(case, "closure", "reason"), dig(case, "follow_up", "satisfaction")]
    return ", ".join(str(p) for p in parts if p not in (None, "")) or CLOSED


def case_record(path: str, blob: str, case: dict, policy) -> CaseRecord:
    """The row of one case, its deadlines on its store's calendar and hours."""
    from kesu.deadlines import MALFORMED
    from kesu.lifecycle import CLOSED
    from kesu.stores import deadlines_for

    engine = deadlines_for(policy, case)
    listed = [encode(value) for value in list_columns(case, policy.tz).values()]
    # 1 when a list column holds JSON, so a long list decodes only those rows
    marked = int(any(isinstance(v, str) and v.startswith(MARK) for v in listed))
    follow_up = case.get("follow_up")
    visit = follow_up.get("at") if isinstance(follow_up, dict) else None
    closures = [e for e in case.get("timeline") or [] if isinstance(e, dict) and e.get("to") == CLOSED]
    try:
        statuses = engine.timers(case, None)
        timers_ok = 1
    except MALFORMED:
        statuses, timers_ok = [], 0
    row = (
        path, blob, None, None, *listed,
        encode(case.get("store")), encode(dig(case, "classification", "subcategory")),
        encode(dig(case, "classification", "risk")), encode(outcome(case)),
        _aware_micros(case.get("received_at")), _first_at(case, "resolve"), _aware_micros(visit),
        (_aware_micros(closures[-1].get("at")) if closures and case.get("state") == CLOSED else None),
        timers_ok, marked,
        zlib.compress(json.dumps(report_facts(case), ensure_ascii=False, default=str).encode(), 1),
    )
    record = CaseRecord(row)
    for seq, status in enumerate(statuses):
        record.timers.append((
            seq, status.name, status.clock, status.limit, status.started_at.isoformat(),
            status.deadline.isoformat(), micros(status.deadline),
            yellow_instant(engine, status) if status.running else None,
            int(status.running), None if status.met is None else int(status.met),
            json.dumps(status.extended, ensure_ascii=False) if status.extended else "[]"))
    record.keys = find_keys(case)
    for entry in case.get("timeline") or []:
        if isinstance(entry, dict) and entry.get("action") in COUNTED_EVENTS:
            at = _aware_micros(entry.get("at"))
            if at is not None:
                record.events.append((entry["action"], at))
    record.text = search_text(case)
    return record
