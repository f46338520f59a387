"""The whole-archive answers as kesu computed them before the case index: every
case file parsed and every timer computed on each call. The index must give
exactly these answers (tests/test_index.py)."""

from __future__ import annotations

from datetime import datetime

from kesu import lifecycle
from kesu.stores import deadlines_for
from kesu.values import dig, local_minute, table_minute


def list_rows(archive, now, states=None, owner=None, category=None, open_only=False,
              overdue_only=False, store=None) -> list[dict]:
    """The rows of ``kesu list``; files that cannot be read are left out and kept
    in ``archive.left_out`` for the command to name."""
    rows = []
    for _, case, _ in archive.scan():
        if case is None:
            continue
        state = case.get("state")
        if states and state not in states:
            continue
        if open_only and state == lifecycle.CLOSED:
            continue
        if owner and dig(case, "assignment", "owner") != owner:
            continue
        if category and dig(case, "classification", "category") != category:
            continue
        if store and case.get("store") != store:
            continue
        light, due = _worst_timer(deadlines_for(archive.policy, case), case, now, archive.policy.tz)
        if overdue_only and light not in ("yellow", "red"):
            continue
        rows.append({
            "id": case.get("id"), "state": state,
            "received": table_minute(case.get("received_at"), archive.policy.tz),
            "channel": case.get("channel"),
            "category": dig(case, "classification", "category"),
            "severity": dig(case, "classification", "severity"),
            "owner": dig(case, "assignment", "owner"),
            "light": light, "due": due,
            "summary": dig(case, "complaint", "summary"),
        })
    rows.sort(key=lambda r: r["received"] or "", reverse=True)
    return rows


def _worst_timer(engine, case: dict, now: datetime, tz) -> tuple[str | None, str | None]:
    if case.get("state") == lifecycle.CLOSED:
        return None, None
    from kesu.deadlines import LIGHT_RANK, MALFORMED

    try:
        running = [t for t in engine.timers(case, now) if t.running]
    except MALFORMED:
        return None, None  # a malformed case has no deadline; validate reports it
    if not running:
        return None, None
    worst = min(running, key=lambda t: (LIGHT_RANK[t.light], t.deadline))
    return worst.light, local_minute(worst.deadline, tz)


def overdue_rows(archive, now: datetime, threshold: str = "yellow", store=None, owner=None) -> list[dict]:
    """Running timers at or above ``threshold``, the latest first: sorted by the
    instant each was due, so a red light comes before every yellow one. Files that
    cannot be read are left out (``archive.left_out``)."""
    from kesu.deadlines import LIGHT_RANK, MALFORMED

    limit = LIGHT_RANK[threshold]
    found = []
    for path, case, _ in archive.scan():
        if case is None or case.get("state") == lifecycle.CLOSED:
            continue
        if (store and case.get("store") != store) or (owner and dig(case, "assignment", "owner") != owner):
            continue
        try:
            timers = deadlines_for(archive.policy, case).timers(case, now)
        except MALFORMED:
            continue  # a malformed case has no deadline; validate reports it
        found += [(timer, path, case) for timer in timers
                  if timer.running and LIGHT_RANK[timer.light] <= limit]
    found.sort(key=lambda item: (item[0].deadline, str(item[2].get("id")), item[0].name))
    return [{
        "id": case.get("id"), "path": archive.rel(path), "state": case.get("state"),
        "owner": dig(case, "assignment", "owner"), "timer": timer.name,
        "light": timer.light, "deadline": timer.deadline.isoformat(),
        "due": local_minute(timer.deadline, archive.policy.tz), "clock": timer.clock,
        "left_minutes": round(timer.left_minutes, 1), "left": timer.left_text,
        "extensions": timer.extended, "summary": dig(case, "complaint", "summary"),
    } for timer, path, case in found]




class ScanCaseSet:
    """``reports.CaseSet`` as it was: every case parsed, every timer computed."""

    def __init__(self, archive, store=None):
        from kesu.reports import _received

        self.tz = archive.policy.tz
        self.policy = archive.policy
        self.archive = archive
        self.store = store
        self.cases = [case for _, case, _ in archive.scan()
                      if case is not None and _received(case)
                      and (store is None or case.get("store") == store)]
        self.index = self
        self.timers: dict = {}

    def deadlines(self, case):
        return deadlines_for(self.policy, case)

    def of_store(self, store):
        import copy

        share = copy.copy(self)
        share.store = store
        share.cases = [c for c in self.cases if c.get("store") == store]
        share.index = share
        return share

    def stores(self):
        from kesu.reports import CaseSet

        return CaseSet.stores(self)

    def received_in(self, start, end):
        from kesu.values import parse_time

        return [c for c in self.cases if start <= parse_time(c["received_at"]) < end]

    def events_in(self, action, start, end):
        from kesu.reports import CaseSet

        return CaseSet.events_in(self, action, start, end)

    def red_lights(self, case, at):
        from kesu.deadlines import MALFORMED

        try:
            timers = self.deadlines(case).timers(case, at)
        except MALFORMED:
            return 0
        return sum(1 for t in timers if t.met is False or (t.running and t.light == "red"))

    def lights_now(self, now, store=None):
        from collections import Counter

        from kesu.deadlines import MALFORMED, case_light

        counts = Counter()
        for case in self.cases:
            if case.get("state") == lifecycle.CLOSED:
                continue
            try:
                counts[case_light(self.deadlines(case).timers(case, now)) or "none"] += 1
            except MALFORMED:
                continue
        return {light: counts.get(light, 0) for light in ("green", "yellow", "red", "none")}
