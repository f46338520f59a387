"""Monthly statistics (000 §五); the KPI score card built on them is ``kesu.kpi``.

Pure computation over the parsed cases: no printing, no customer data. Every
figure is defined here once; ``report_render`` only lays them out.

Definitions (the handling standards name the figures, not their edges; these are ours):
- A case *belongs to* the month it was received in (``received_at`` in the
  archive's time zone); counts, shares, deadlines and the 24-hour rate are
  over those cases.
- *Handling time* is intake to the first ``resolve``, over the cases
  *resolved* in the month (so a case received on the 31st and resolved on the
  2nd counts in the month it was resolved).
- *Resolved within 24 hours*: the first ``resolve`` at most 24 wall-clock
  hours after intake; exactly 24 h counts as within.
- *Past a deadline*: any timer missed, or still running and red at the end
  of the month (or at ``now``, for the current month).
- *Satisfaction*: satisfied + fairly satisfied among return visits in the
  month that reached the customer (``unreachable`` is not a visit).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta

from kesu.i18n import _
from kesu.errors import KesuError, UsageError
from kesu.masking import customer_masks, masked
from kesu.lifecycle import CLOSED
from kesu.values import FIRST_YEAR, LAST_YEAR, YEARS, in_years, parse_time

SATISFIED = {"satisfied", "fairly_satisfied"}
VISITED = SATISFIED | {"unsatisfied"}

def parse_month(text: str) -> date:
    try:
        year, month = (int(p) for p in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise UsageError(_("--month {text!r} should look like 2026-11").format(text=text)) from None
    return _in_years(first, f"--month {text}")


def _in_years(first: date, given: str) -> date:
    if not FIRST_YEAR <= first.year <= LAST_YEAR:
        raise UsageError(_("{given} is outside {years}").format(given=given, years=YEARS))
    return first


def _received(case: dict) -> bool:
    """A case with a readable time of receipt within kesu's years (validate reports the rest)."""
    received = parse_time(case.get("received_at"))
    return received is not None and received.tzinfo is not None and in_years(received)


def month_range(first: date, tz) -> tuple[datetime, datetime]:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (datetime.combine(first, datetime.min.time(), tz),
            datetime.combine(following, datetime.min.time(), tz))


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _first(case: dict, action: str) -> datetime | None:
    for entry in case.get("timeline") or []:
        if isinstance(entry, dict) and entry.get("action") == action:
            return parse_time(entry.get("at"))
    return None


def _shares(counter: Counter, total: int) -> list[dict]:
    return [{"name": name, "count": count, "share": round(count / total, 4) if total else 0.0}
            for name, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


class CaseSet:
    """The cases the figures of ``months`` need, from the case index, with the
    engines every figure needs: those received, resolved, visited or escalated,
    objected or reopened in those months (and the month before each, for the
    change), and every timer of them as stored."""

    def __init__(self, archive, store: str | None = None, months: list[date] = (),
                 of: "CaseSet | None" = None):
        self.tz = archive.policy.tz
        self.policy = archive.policy
        self.archive = archive
        self.store = store
        if of is not None:  # one store's share of cases already read
            self.index, self.timers = of.index, of.timers
            self.cases = [c for c in of.cases if c.get("store") == store]
            return
        self.index = archive.case_index()  # what cannot be read is in archive.left_out
        windows = [month_range(m, self.tz) for m in months]
        self.cases, self.timers = self.index.report_cases(windows, store)

    def deadlines(self, case: dict):
        """The deadline engine of ``case``: its store's calendar and hours."""
        from kesu.stores import deadlines_for

        return deadlines_for(self.policy, case)

    def load_case(self, case: dict) -> dict:
        """The whole file of one of these cases (the index keeps only what reports count)."""
        return self.archive.load_case(str(case.get("id")))

    def of_store(self, store: str | None) -> "CaseSet":
        """The cases of one store (None: the cases with no store)."""
        return CaseSet(self.archive, store, of=self)

    def stores(self) -> list[str | None]:
        """The stores to break the chain down by: kesu.yaml's, then any other store
        a case names, then None when some case names none."""
        from kesu.stores import configured

        codes: list[str | None] = list(configured(self.policy))
        named = {c.get("store") for c in self.cases}
        codes += sorted(s for s in named if s is not None and s not in codes)
        return codes + ([None] if None in named else [])

    def received_in(self, start: datetime, end: datetime) -> list[dict]:
        return [c for c in self.cases if start <= parse_time(c["received_at"]) < end]

    def events_in(self, action: str, start: datetime, end: datetime) -> int:
        return sum(1 for c in self.cases for e in c.get("timeline") or []
                   if isinstance(e, dict) and e.get("action") == action
                   and (when := parse_time(e.get("at"))) is not None and start <= when < end)

    def red_lights(self, case: dict, at: datetime) -> int:
        """Timers of ``case`` that went red: missed, or running and red at ``at``
        (none when its times keep deadlines from being computed)."""
        from kesu.index.lights import micros

        moment = micros(at)
        return sum(1 for met, running, deadline_us in self.timers.get(case["_row"], ())
                   if met == 0 or (running and moment >= deadline_us))


def monthly(archive, first: date, store: str | None = None, now: datetime | None = None,
            cases: CaseSet | None = None) -> dict:
    """The monthly statistics of 000 §五, with the previous month beside them."""
    cases = cases or CaseSet(archive, store, [first, previous_month(first)])
    current = _month_figures(cases, first, now)
    previous = _month_figures(cases, previous_month(first), now)
    headline = ("received", "resolved", "average_handling_wall_minutes", "overdue_share",
                "resolved_within_24h_rate", "satisfaction_rate")
    change = {key: (None if current[key] is None or previous[key] is None
                    else round(current[key] - previous[key], 4)) for key in headline}
    start, end = month_range(first, cases.tz)
    report = {"report": "monthly", "month": f"{first:%Y-%m}", "store": store,
              "org": cases.policy.get("org") or "",
              "period": {"from": start.isoformat(), "until": end.isoformat()}, **current,
              "previous_month": {key: previous[key] for key in ("month", *headline)},
              "change": change}
    if store is None and _is_chain(cases):
        report["stores"] = by_store(cases, first, now)
    return report


def _is_chain(cases: CaseSet) -> bool:
    from kesu.stores import configured

    return bool(configured(cases.policy))


#: A store's line in the monthly report's per-store section.
STORE_FIGURES = ("received", "resolved", "average_handling_wall_minutes", "past_deadline",
                 "overdue_share", "resolved_within_24h_rate", "satisfaction_rate")


def by_store(cases: CaseSet, first: date, now: datetime | None) -> list[dict]:
    """Each store's headline figures for the month, ranked (``rank`` 1 is best).

    Ranking: the smallest share of cases past a deadline first, then the
    highest 24-hour resolution rate, then the highest satisfaction, then the
    fewest complaints received; a store with no complaint has nothing overdue
    and nothing unresolved, and ranks as if every rate were perfect.
    """
    from kesu.stores import store_name, store_region

    rows = []
    for code in cases.stores():
        figures = _month_figures(cases.of_store(code), first, now)
        rows.append({"store": code, "name": store_name(cases.policy, code),
                     "region": store_region(cases.policy, code),
                     **{key: figures[key] for key in STORE_FIGURES}})

    def order(row):
        best = lambda value: 1.0 if value is None else value  # noqa: E731
        return ((row["overdue_share"] or 0.0), -best(row["resolved_within_24h_rate"]),
                -best(row["satisfaction_rate"]), row["received"], str(row["store"] or "~"))

    for rank, row in enumerate(sorted(rows, key=order), 1):
        row["rank"] = rank
    return sorted(rows, key=lambda row: row["rank"])


def _month_figures(cases: CaseSet, first: date, now: datetime | None) -> dict:
    from kesu.claimants import summary as claimant_summary

    start, end = month_range(first, cases.tz)
    cutoff = min(end, now) if now else end
    received = cases.received_in(start, end)
    total = len(received)

    def classification(case, key):
        return (case.get("classification") or {}).get(key) or "unclassified"

    resolved = []
    for case in cases.cases:
        done = _first(case, "resolve")
        if done and start <= done < end:
            resolved.append((case, done))
    wall = [(done - parse_time(c["received_at"])).total_seconds() / 60 for c, done in resolved]
    business = [cases.deadlines(c).calendar.business_minutes_between(parse_time(c["received_at"]), done)
                for c, done in resolved]
    past = [c for c in received if cases.red_lights(c, cutoff)]
    within = [c for c in received if (done := _first(c, "resolve")) is not None
              and done - parse_time(c["received_at"]) <= timedelta(hours=24)]
    visits = [c for c in cases.cases if isinstance(c.get("follow_up"), dict)
              and (when := parse_time(c["follow_up"].get("at"))) and start <= when < end
              and c["follow_up"].get("satisfaction") in VISITED]
    satisfied = [c for c in visits if c["follow_up"]["satisfaction"] in SATISFIED]
    # Root causes are free text: one may quote the customer (reports are read widely).
    root_causes = Counter(_masked_root_cause(c) for c in received)
    parties = Counter((c.get("investigation") or {}).get("responsibility") for c in received)
    root_causes.pop(None, None)
    parties.pop(None, None)
    return {
        "month": f"{first:%Y-%m}",
        "received": total,
        "by_category": _shares(Counter(classification(c, "category") for c in received), total),
        "by_subcategory": _shares(Counter(f"{classification(c, 'category')}/{classification(c, 'subcategory')}"
                                          for c in received), total),
        "by_channel": _shares(Counter(c.get("channel") for c in received), total),
        "by_severity": _shares(Counter(classification(c, "severity") for c in received), total),
        "by_risk": _shares(Counter(classification(c, "risk") for c in received), total),
        "resolved": len(resolved),
        "average_handling_wall_minutes": round(statistics.fmean(wall), 1) if wall else None,
        "median_handling_wall_minutes": round(statistics.median(wall), 1) if wall else None,
        "average_handling_business_minutes": round(statistics.fmean(business), 1) if business else None,
        "median_handling_business_minutes": round(statistics.median(business), 1) if business else None,
        "past_deadline": len(past),
        "overdue_share": round(len(past) / total, 4) if total else None,
        "resolved_within_24h": len(within),
        "resolved_within_24h_rate": round(len(within) / total, 4) if total else None,
        "return_visits": len(visits),
        "satisfied": len(satisfied),
        "satisfaction_rate": round(len(satisfied) / len(visits), 4) if visits else None,
        "escalations": cases.events_in("escalate", start, end),
        "objections": cases.events_in("object", start, end),
        "reopenings": cases.events_in("reopen", start, end),
        "open_at_month_end": sum(1 for c in received if _state_at(c, cutoff) != CLOSED),
        # A mass complaint counts once in "received"; its claimants are counted, never named.
        "mass_complaints": [{"id": c.get("id"), **claimant_summary(c)} for c in received
                            if c.get("claimants")],
        "claimants": sum(len(c.get("claimants") or []) for c in received),
        "top_root_causes": [{"name": n, "count": k} for n, k in root_causes.most_common(5)],
        "responsible_parties": [{"name": n, "count": k} for n, k in parties.most_common()],
    }


def _masked_root_cause(case: dict):
    """The case's root cause with its customer masked. Building a customer's masks
    costs more than the rest of a report, so they are built only for a text that
    shares a character with the customer's name, contact or member number: no
    mask can match any other."""
    text = (case.get("investigation") or {}).get("root_cause")
    customer = case.get("customer")
    if isinstance(text, str) and isinstance(customer, dict):
        known = "".join(str(customer.get(k) or "") for k in ("name", "contact", "member_id"))
        if set(_folded(text)) & set(_folded(known)):
            return masked(text, customer_masks(case))
    return masked(text, [])


def _folded(text: str) -> str:
    from kesu.masking import _FULLWIDTH_DIGITS

    return text.translate(_FULLWIDTH_DIGITS).casefold()


def _state_at(case: dict, moment: datetime) -> str | None:
    state = None
    for entry in case.get("timeline") or []:
        when = parse_time(entry.get("at")) if isinstance(entry, dict) else None
        if when is None or when >= moment:
            break
        state = entry.get("to")
    return state


def trend_months(last: date, months: int = 6) -> list[date]:
    firsts: list[date] = [last]
    while len(firsts) < months:
        firsts.insert(0, previous_month(firsts[0]))
    return firsts


def trend(archive, last: date, months: int = 6, store: str | None = None, now=None,
          cases: CaseSet | None = None) -> list[dict]:
    """Received, overdue share and satisfaction for the ``months`` up to ``last``."""
    firsts = trend_months(last, months)
    cases = cases or CaseSet(archive, store, firsts)
    return [{k: v for k, v in _month_figures(cases, m, now).items()
             if k in ("month", "received", "overdue_share", "satisfaction_rate")} for m in firsts]


def stores_in(cases: CaseSet, first: date) -> list[str]:
    """The stores with complaints received in the month, for a section each."""
    start, end = month_range(first, cases.tz)
    return sorted({str(c["store"]) for c in cases.received_in(start, end) if c.get("store")})


def lights_now(cases: CaseSet, now: datetime) -> dict[str, int]:
    """How many open cases show each light now."""
    return cases.index.lights_now(now, cases.store)


def lights_at_month_end(cases: CaseSet, first: date, now: datetime | None = None) -> dict[str, int]:
    """The cases received in the month still open at its end (or now, for the
    current month), by the light they showed then: they add up to ``open_at_month_end``.
    The lights of a past moment come from the case files themselves (the index
    keeps today's timers), read for these cases only."""
    start, end = month_range(first, cases.tz)
    cutoff = min(end, now) if now else end
    then = []
    for case in cases.received_in(start, end):
        if _state_at(case, cutoff) == CLOSED:
            continue
        try:
            whole = cases.load_case(case)
        except KesuError:
            whole = None
        if whole is None:
            then.append(None)
            continue
        timeline = [e for e in whole.get("timeline") or [] if isinstance(e, dict)
                    and (when := parse_time(e.get("at"))) is not None and when < cutoff]
        # _row says which archive's deadlines the case runs on (kesu.reportmerge)
        then.append({**whole, "timeline": timeline, "_row": case["_row"]})
    return _lights(then, cases, cutoff)


def _lights(open_cases: list[dict | None], cases: CaseSet, at: datetime) -> dict[str, int]:
    from kesu.deadlines import MALFORMED, case_light

    counts = Counter()
    for case in open_cases:
        try:
            counts[(case_light(cases.deadlines(case).timers(case, at)) or "none") if case else "none"] += 1
        except MALFORMED:  # kesu.deadlines: times no deadline can be computed from
            counts["none"] += 1
    return {light: counts.get(light, 0) for light in ("green", "yellow", "red", "none")}
