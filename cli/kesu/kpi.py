"""The KPI score card of 004 客诉管理考核标准: every item with its weight, rule,
input and points, per month and averaged over a quarter, for the chain and
each store. Pure computation over ``reports.CaseSet``; ``report_render`` and
``report_html`` lay it out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta

from kesu.i18n import N_, _
from kesu.errors import UsageError
from kesu.reports import SATISFIED, VISITED, CaseSet, _first, _in_years, _is_chain, month_range
from kesu.values import parse_time

#: KPI item -> its name on the card (and in the JSON, in the command's language).
KPI_ITEMS = {"channel_notices": N_("Channel notices"), "onsite_intake": N_("On-site intake"),
             "answer_rate": N_("Phone answer rate"), "resolution_24h": N_("24-hour resolution rate"),
             "red_lights": N_("Overdue red lights"), "concealed": N_("Concealed or unreported"),
             "satisfaction": N_("Satisfaction")}
#: The score card of 004 客诉管理考核标准; kesu.yaml ``reports.kpi`` may change any of it.
DEFAULT_KPI = {
    "channel_notices": {"weight": 22, "per_finding": 5, "zero_at": 4},
    "onsite_intake": {"weight": 6, "per_finding": 3, "zero_at": 2},
    "answer_rate": {"weight": 2, "tiers": [[0.95, 2]]},
    "resolution_24h": {"weight": 15, "tiers": [[0.90, 15], [0.80, 12], [0.70, 8]],
                       "exclude_severities": ["major", "serious", "critical"],
                       "exclude_subcategories": []},
    "red_lights": {"weight": 20, "per_light": 5, "zero_at_level": 3},
    "concealed": {"weight": 15, "per_finding": 5, "zero_at": 2},
    "satisfaction": {"weight": 20, "tiers": [[0.95, 20], [0.90, 18]]},
    "severity_deductions": {"major": 2, "serious": 5, "critical": 10},
    "zero_item_deductions": {"2": 2, "3": 5},
    "unreported_serious": 5,
    "pass_mark": 80,
}


def kpi_rules(policy) -> dict:
    configured = ((policy.get("reports") or {}).get("kpi") or {})
    return {key: ({**value, **configured.get(key, {})} if isinstance(value, dict) else configured.get(key, value))
            for key, value in DEFAULT_KPI.items()}


def _tiered(rate: float | None, tiers: list) -> int:
    if rate is None:
        return 0
    for threshold, points in sorted(tiers, key=lambda t: -t[0]):
        if rate >= threshold:
            return points
    return 0


def _per_finding(count: int, rule: dict) -> int:
    if count >= rule["zero_at"]:
        return 0
    return max(rule["weight"] - rule["per_finding"] * count, 0)


def kpi_month(cases: CaseSet, first: date, inputs: dict, rules: dict, now: datetime | None = None) -> dict:
    """One month of 004's score card: every item with weight, rule, input and points."""
    start, end = month_range(first, cases.tz)
    cutoff = min(end, now) if now else end
    received = cases.received_in(start, end)
    given = inputs.get(f"{first:%Y-%m}") or {}
    items = []

    def item(key, rule_text, source, value, points, field=None):
        items.append({"item": key, "name": _(KPI_ITEMS[key]), "weight": rules[key]["weight"], "rule": rule_text,
                      "source": source, "input": value, "points": points,
                      **({"given": field in given} if field else {})})
        return points

    notices = int(given.get("channel_notice_findings", 0))
    item("channel_notices", "−5 per finding, 4+ findings → 0", "input",
         notices, _per_finding(notices, rules["channel_notices"]), "channel_notice_findings")
    onsite = int(given.get("onsite_intake_problems", 0))
    item("onsite_intake", "−3 per problem, 2+ → 0", "input",
         onsite, _per_finding(onsite, rules["onsite_intake"]), "onsite_intake_problems")
    answer = given.get("phone_answer_rate")
    answer_points = item("answer_rate", "≥95 % → 2, else 0", "input",
                         answer, _tiered(None if answer is None else float(answer), rules["answer_rate"]["tiers"]),
                         "phone_answer_rate")
    rule24 = rules["resolution_24h"]
    counted = [c for c in received
               if (c.get("classification") or {}).get("severity") not in rule24["exclude_severities"]
               and (c.get("classification") or {}).get("subcategory") not in rule24["exclude_subcategories"]]
    within = [c for c in counted if (done := _first(c, "resolve")) is not None
              and done - parse_time(c["received_at"]) <= timedelta(hours=24)]
    rate24 = len(within) / len(counted) if counted else None
    points24 = item("resolution_24h",
                    "≥90 % → 15, ≥80 % → 12, ≥70 % → 8, else 0 (major and above excluded)", "archive",
                    {"cases": len(counted), "within_24h": len(within),
                     "rate": None if rate24 is None else round(rate24, 4)},
                    rule24["weight"] if rate24 is None else _tiered(rate24, rule24["tiers"]))
    reds = [(c, cases.red_lights(c, cutoff)) for c in received]
    lights = sum(n for _, n in reds)
    level3 = any(n and int((c.get("assignment") or {}).get("level") or 1) >= rules["red_lights"]["zero_at_level"]
                 for c, n in reds)
    red_points = 0 if level3 else max(rules["red_lights"]["weight"] - rules["red_lights"]["per_light"] * lights, 0)
    item("red_lights", "−5 per red light; a level-3 red → 0", "archive",
         {"red_lights": lights, "level3": level3}, red_points)
    concealed = int(given.get("concealed", 0))
    item("concealed", "−5 each, 2+ → 0", "input",
         concealed, _per_finding(concealed, rules["concealed"]), "concealed")
    visits = [c for c in cases.cases if isinstance(c.get("follow_up"), dict)
              and (when := parse_time(c["follow_up"].get("at"))) and start <= when < end
              and c["follow_up"].get("satisfaction") in VISITED]
    happy = [c for c in visits if c["follow_up"]["satisfaction"] in SATISFIED]
    rate_sat = len(happy) / len(visits) if visits else None
    sat_points = item("satisfaction", "≥95 % → 20, ≥90 % → 18, else 0", "archive",
                      {"visits": len(visits), "satisfied": len(happy),
                       "rate": None if rate_sat is None else round(rate_sat, 4)},
                      rules["satisfaction"]["weight"] if rate_sat is None
                      else _tiered(rate_sat, rules["satisfaction"]["tiers"]))
    deductions = []
    severities = Counter((c.get("classification") or {}).get("severity") for c in received)
    for severity, per_case in rules["severity_deductions"].items():
        if severities.get(severity):
            deductions.append({"reason": "severity", "severity": severity, "count": severities[severity],
                               "points": per_case * severities[severity]})
    # An item scores zero for the extra deduction only when it was measured:
    # an answer rate nobody gave is missing, not zero.
    zero_items = [key for key, p, measured in (("answer_rate", answer_points, answer is not None),
                                                 ("resolution_24h", points24, True),
                                                 ("satisfaction", sat_points, True)) if measured and p == 0]
    zero_rule = rules["zero_item_deductions"].get(str(len(zero_items)))
    if zero_rule:
        deductions.append({"reason": "zero_items", "count": len(zero_items), "items": zero_items,
                           "points": zero_rule})
    unreported = int(given.get("unreported_serious", 0))
    if unreported:
        deductions.append({"reason": "unreported_serious", "count": unreported,
                           "points": rules["unreported_serious"] * unreported})
    earned = sum(i["points"] for i in items)
    # The card scores from 0 to 100: deductions beyond the points earned take nothing more.
    score = max(earned - sum(d["points"] for d in deductions), 0)
    return {"month": f"{first:%Y-%m}", "items": items, "deductions": deductions, "earned": earned,
            "score": score, "inputs_given": sorted(given), "missing_inputs": [
                i["item"] for i in items if i["source"] == "input" and not i["given"]],
            "below_pass_mark": score < rules["pass_mark"]}


def months_begun(months: list[date], today: date, given: str) -> tuple[list[date], list[date]]:
    """(the months of ``months`` begun by ``today``, those not yet): a month not begun
    has nothing to score, and scoring it as full marks would lift the quarter."""
    begun = [m for m in months if m <= today]
    if not begun:
        raise UsageError(_("{given} has not begun yet (today is {today}); a month is scored once it has "
                           "begun").format(given=given, today=today.isoformat()))
    return begun, [m for m in months if m > today]


def kpi(archive, months: list[date], store: str | None = None, inputs: dict | None = None,
        now: datetime | None = None, cases: CaseSet | None = None, not_begun: list[date] = ()) -> dict:
    """The score card of the chain (``store`` None) or of one store. The chain's
    card also scores every store (``stores``, best first); a store's inputs are
    under ``stores: {CODE: {YYYY-MM: …}}`` in the inputs file. ``not_begun``: the
    quarter's months left out because they have not begun."""
    from kesu.stores import store_name

    cases = cases or CaseSet(archive, store, months)
    rules = kpi_rules(cases.policy)
    inputs = inputs or {}
    given = _store_inputs(inputs, store) if store is not None else inputs
    report = _score_card(cases, months, given, rules, now)
    report = {"report": "kpi", "store": store, "org": cases.policy.get("org") or "", "rules": rules,
              **report, "not_begun": [f"{m:%Y-%m}" for m in not_begun]}
    if store is None and _is_chain(cases):
        scored = []
        for code in cases.stores():
            card = _score_card(cases.of_store(code), months, _store_inputs(inputs, code), rules, now)
            scored.append({"store": code, "name": store_name(cases.policy, code), "score": card["score"],
                           "below_pass_mark": card["below_pass_mark"]})
        scored.sort(key=lambda row: (-row["score"], str(row["store"] or "~")))
        report["stores"] = [{**row, "rank": rank} for rank, row in enumerate(scored, 1)]
    return report


def _score_card(cases: CaseSet, months: list[date], inputs: dict, rules: dict, now) -> dict:
    per_month = [kpi_month(cases, m, inputs, rules, now) for m in months]
    average = round(statistics.fmean(m["score"] for m in per_month), 1)
    return {"months": per_month, "score": average, "pass_mark": rules["pass_mark"],
            "below_pass_mark": average < rules["pass_mark"]}


def _store_inputs(inputs: dict, store: str | None) -> dict:
    stores = inputs.get("stores") if isinstance(inputs.get("stores"), dict) else {}
    given = stores.get(store) if store is not None else None
    return {str(k): v for k, v in given.items()} if isinstance(given, dict) else {}


def quarter_months(text: str) -> list[date]:
    try:
        year, quarter = text.upper().split("-Q")
        first = (int(quarter) - 1) * 3 + 1
        if not 1 <= int(quarter) <= 4:
            raise ValueError
        months = [date(int(year), first + i, 1) for i in range(3)]
    except ValueError:
        raise UsageError(_("--quarter {text!r} should look like 2026-Q4").format(text=text)) from None
    return [_in_years(m, f"--quarter {text}") for m in months]
