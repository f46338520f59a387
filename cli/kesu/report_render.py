"""Laying out reports: table, CSV and Markdown (HTML is kesu.report_html, .xlsx kesu.xlsx).

Labels are in the language kesu speaks and codes are shown by their labels;
CSV keeps the codes, with a label column beside them, and starts with a
UTF-8 byte order mark so that Excel reads Chinese correctly.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from kesu.i18n import N_, _, language, ngettext
from kesu.vocab import label, labels_of
from kesu.kpi import KPI_ITEMS


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def minutes(value: float | None) -> str:
    if value is None:
        return "-"
    hours, mins = divmod(int(round(value)), 60)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=mins)
    return _("{minutes} min").format(minutes=mins)


def monthly_rows(report: dict) -> list[tuple[str, str, str]]:
    """(figure, this month, change against the previous month)."""
    change = report["change"]

    def delta(key, as_pct=False, as_minutes=False):
        value = change.get(key)
        if value is None:
            return ""
        if as_minutes:
            return ("+" if value >= 0 else "-") + minutes(abs(value))
        return _("{points} pt").format(points=f"{value * 100:+.1f}") if as_pct else f"{value:+g}"

    return [
        (_("complaints received"), str(report["received"]), delta("received")),
        (_("mass complaints (claimants)"),
         f"{len(report.get('mass_complaints') or [])} ({report.get('claimants', 0)})", ""),
        (_("resolved in the month"), str(report["resolved"]), delta("resolved")),
        (_("average handling (wall clock)"), minutes(report["average_handling_wall_minutes"]),
         delta("average_handling_wall_minutes", as_minutes=True)),
        (_("median handling (wall clock)"), minutes(report["median_handling_wall_minutes"]), ""),
        (_("average handling (business hours)"), minutes(report["average_handling_business_minutes"]), ""),
        (_("median handling (business hours)"), minutes(report["median_handling_business_minutes"]), ""),
        (_("past a deadline"), pct(report["overdue_share"]), delta("overdue_share", True)),
        (_("resolved within 24 h"), pct(report["resolved_within_24h_rate"]),
         delta("resolved_within_24h_rate", True)),
        (_("satisfaction"), pct(report["satisfaction_rate"]), delta("satisfaction_rate", True)),
        (_("escalations / objections / reopenings"),
         f"{report['escalations']} / {report['objections']} / {report['reopenings']}", ""),
        (_("open at month end"), str(report["open_at_month_end"]), ""),
    ]


#: report key -> its title, in the order every format shows them.
BREAKDOWNS = (("by_category", N_("Category")), ("by_subcategory", N_("Subcategory")),
              ("by_channel", N_("Channel")), ("by_severity", N_("Severity")), ("by_risk", N_("Risk")))
LISTS = (("top_root_causes", N_("Top root causes")), ("responsible_parties", N_("Responsible party")))


def breakdowns(report: dict) -> list[tuple[str, str, list[dict]]]:
    return [(key, _(title), report[key]) for key, title in BREAKDOWNS]


def lists() -> list[tuple[str, str]]:
    return [(key, _(title)) for key, title in LISTS]


def _name(key: str, name: Any, policy=None) -> str:
    """A breakdown's row as people read it: labels, not codes (root causes are free text)."""
    if key == "top_root_causes":
        return str(name)
    if name is None:
        return _("not given")
    return labels_of(name, language(), policy, readable=True)


def _title(report: dict) -> str:
    title = _("Complaints, {month}").format(month=report["month"])
    return title + (f" — {report['store']}" if report.get("store") else "")


def monthly_period(report: dict) -> str:
    from datetime import date, timedelta

    last = date.fromisoformat(report["period"]["until"][:10]) - timedelta(days=1)
    return _("Period {start} to {end}").format(start=report["period"]["from"][:10], end=f"{last:%Y-%m-%d}")


def report_meta(report: dict, generated: str, period: str) -> list[str]:
    """Who, what period, which stores and when: the line under a report's title, in every format."""
    parts = [report.get("org") or "", period,
             _("Store: {store}").format(store=report["store"]) if report.get("store") else _("All stores"),
             _("Generated {time}").format(time=generated) if generated else ""]
    return [p for p in parts if p]


def monthly_text(report: dict, policy=None, generated: str = "") -> str:
    from tabulate import tabulate

    tabulate_wide()
    parts = [_title(report) + " " + _("(previous month {month})").format(
        month=report["previous_month"]["month"]), " · ".join(report_meta(report, generated, monthly_period(report))), ""]
    if not report["received"] and not report["resolved"]:
        parts.append(_("No complaints this month."))
    parts.append(tabulate(monthly_rows(report), headers=[_("Figure"), report["month"], _("Change")],
                          disable_numparse=True))
    for key, title, rows in breakdowns(report):
        if rows:
            parts += ["", tabulate([(_name(key, r["name"], policy), r["count"], pct(r["share"])) for r in rows],
                                   headers=[title, _("Cases"), _("Share")], disable_numparse=True)]
    for key, title in lists():
        if report[key]:
            parts += ["", tabulate([(_name(key, r["name"], policy), r["count"]) for r in report[key]],
                                   headers=[title, _("Cases")], disable_numparse=True)]
    if report.get("stores"):
        parts += ["", _("By store (ranked)"), tabulate(store_rows(report), headers=store_headers(),
                                                       disable_numparse=True)]
    return "\n".join(parts)


def store_rows(report: dict) -> list[list[str]]:
    """The per-store section of the monthly report, best-ranked first."""
    return [[str(r["rank"]), r["store"] or _("(no store)"), r["name"] or "", r["region"] or "",
             str(r["received"]), str(r["resolved"]), minutes(r["average_handling_wall_minutes"]),
             pct(r["overdue_share"]), pct(r["resolved_within_24h_rate"]), pct(r["satisfaction_rate"])]
            for r in report.get("stores") or []]


STORE_HEADERS = (N_("Rank"), N_("Store"), N_("Name"), N_("Region"), N_("Received"), N_("Resolved"),
                 N_("Average handling"), N_("Past a deadline"), N_("Within 24 h"), N_("Satisfaction"))


def store_headers() -> list[str]:
    return [_(h) for h in STORE_HEADERS]


def kpi_store_rows(report: dict) -> list[list[str]]:
    return [[str(r["rank"]), r["store"] or _("(no store)"), r["name"] or "",
             f"{r['score']}" + (" " + _("(below {mark})").format(mark=report["pass_mark"])
                                if r["below_pass_mark"] else "")]
            for r in report.get("stores") or []]


KPI_STORE_HEADERS = (N_("Rank"), N_("Store"), N_("Name"), N_("Score"))


def kpi_store_headers() -> list[str]:
    return [_(h) for h in KPI_STORE_HEADERS]


def tabulate_wide() -> None:
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # line up Chinese text (wcwidth)


def _md(value: Any) -> str:
    """A Markdown table cell: no live HTML, no column break, one line."""
    from kesu.neutral import markdown

    return markdown(" ".join(str(value).split())).replace("|", "\\|")


def monthly_markdown(report: dict, policy=None, generated: str = "") -> str:
    lines = [f"# {_md(_title(report))}", "", _md(" · ".join(report_meta(report, generated, monthly_period(report)))), ""]
    if not report["received"] and not report["resolved"]:
        lines += [_("No complaints this month."), ""]
    lines += [f"| {_('Figure')} | {report['month']} | {_('Change')} |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in monthly_rows(report)]
    for key, title, rows in breakdowns(report):
        if rows:
            lines += ["", f"## {title}", "", f"| | {_('Cases')} | {_('Share')} |", "|---|---|---|"]
            lines += [f"| {_md(_name(key, r['name'], policy))} | {r['count']} | {pct(r['share'])} |" for r in rows]
    for key, title in lists():
        if report[key]:
            lines += ["", f"## {title}", ""] + [f"- {_md(_name(key, r['name'], policy))} ({r['count']})"
                                                 for r in report[key]]
    lines += _md_table(_("By store (ranked)"), store_headers(), store_rows(report))
    return "\n".join(lines) + "\n"


def _md_table(title: str, headers: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    return (["", f"## {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            + ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows])


FIGURES = ("received", "resolved", "average_handling_wall_minutes", "median_handling_wall_minutes",
           "average_handling_business_minutes", "median_handling_business_minutes",
           "past_deadline", "overdue_share", "resolved_within_24h", "resolved_within_24h_rate",
           "return_visits", "satisfied", "satisfaction_rate", "escalations", "objections",
           "reopenings", "open_at_month_end")


def monthly_records(report: dict, policy=None) -> list[list[Any]]:
    """Every figure and section as rows of (section, name, label, value, share): CSV and .xlsx."""
    rows: list[list[Any]] = []
    for key in FIGURES:
        rows.append(["figure", key, "", "" if report[key] is None else report[key], ""])
    for key, _title_text, entries in breakdowns(report):
        for row in entries:
            rows.append([key.removeprefix("by_"), row["name"], _name(key, row["name"], policy),
                         row["count"], row["share"]])
    for key, _title_text in lists():
        for row in report[key]:
            rows.append([key, row["name"], _name(key, row["name"], policy), row["count"], ""])
    return rows


RECORD_HEADERS = ["section", "name", "label", "value", "share"]


def monthly_csv(report: dict, policy=None) -> str:
    from kesu.neutral import csv_cell

    out = io.StringIO()
    out.write("\ufeff")  # Excel on Chinese Windows reads UTF-8 only with its byte order mark
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECORD_HEADERS)
    for row in monthly_records(report, policy):
        writer.writerow([csv_cell(c) for c in row])
    return out.getvalue()


KPI_RULES = {"channel_notices": N_("−{per} per finding; {zero} or more → 0"),
             "onsite_intake": N_("−{per} per problem; {zero} or more → 0"),
             "concealed": N_("−{per} each; {zero} or more → 0"),
             "red_lights": N_("−{per} per red light; a red light at level {level} → 0")}


def _kpi_rule(item: dict, rules: dict | None) -> str:
    key = item["item"]
    rule = (rules or {}).get(key) or {}
    if key in KPI_RULES and rule:
        return _(KPI_RULES[key]).format(per=rule.get("per_finding", rule.get("per_light")),
                                        zero=rule.get("zero_at"), level=rule.get("zero_at_level"))
    if "tiers" in rule:
        tiers = _(", ").join(f"≥{t[0] * 100:g} % → {t[1]}" for t in sorted(rule["tiers"], key=lambda t: -t[0]))
        text = _("{tiers}, else 0").format(tiers=tiers)
        if key == "resolution_24h" and rule.get("exclude_severities"):
            text += _(" (not counting {severities})").format(
                severities=_(", ").join(label(s, language(), readable=True) for s in rule["exclude_severities"]))
        return text
    return str(item.get("rule") or "")


def describe_input(item: dict) -> str:
    """What an item was scored on, in words."""
    key, value = item["item"], item["input"]
    if value is None:
        return _("not given in the inputs file: scores 0, not counted among items at zero")
    if item.get("given") is False:  # a finding count nobody gave is taken as none found
        return _("not given in the inputs file: taken as 0 findings")
    if key == "resolution_24h":
        if not value["cases"]:
            return _("no cases to count: full points")
        return _("{within} of {cases} cases resolved within 24 h ({rate})").format(
            within=value["within_24h"], cases=value["cases"], rate=pct(value["rate"]))
    if key == "satisfaction":
        if not value["visits"]:
            return _("no return visits: full points")
        return _("{satisfied} of {visits} return visits satisfied ({rate})").format(
            satisfied=value["satisfied"], visits=value["visits"], rate=pct(value["rate"]))
    if key == "red_lights":
        text = ngettext("{count} red light", "{count} red lights", value["red_lights"]).format(
            count=value["red_lights"])
        return text + (_("; a case at level 3 or above went red") if value["level3"] else "")
    if key == "answer_rate":
        return _("{rate} answered (from the inputs file)").format(rate=pct(float(value)))
    return ngettext("{count} finding (from the inputs file)", "{count} findings (from the inputs file)",
                    int(value)).format(count=value)


def describe_deduction(deduction: dict) -> str:
    reason = deduction["reason"]
    if reason == "severity":
        return ngettext("{count} {severity} complaint", "{count} {severity} complaints",
                        deduction["count"]).format(count=deduction["count"],
                                                   severity=label(deduction["severity"], language(), readable=True))
    if reason == "zero_items":
        return _("{count} of answer rate, 24-hour rate and satisfaction scored 0").format(count=deduction["count"])
    if reason == "unreported_serious":
        return ngettext("{count} serious complaint not reported", "{count} serious complaints not reported",
                        deduction["count"]).format(count=deduction["count"])
    return str(reason)


def kpi_rows(report: dict) -> list[list[Any]]:
    rows = []
    for month in report["months"]:
        for it in month["items"]:
            rows.append([month["month"], _(KPI_ITEMS[it["item"]]) if it["item"] in KPI_ITEMS else it["name"], it["weight"],
                         _kpi_rule(it, report.get("rules")), describe_input(it), it["points"]])
        rows.append([month["month"], _("points earned"), "", "", "", month["earned"]])
        for d in month["deductions"]:
            rows.append([month["month"], _("deduction"), "", describe_deduction(d), "", -d["points"]])
        if month["earned"] - sum(d["points"] for d in month["deductions"]) < 0:
            rows.append([month["month"], _("floor"), "", _("the score does not go below 0"), "", ""])
        score = str(month["score"])
        if month["below_pass_mark"]:
            score = _("{score} (below {mark})").format(score=score, mark=report["pass_mark"])
        rows.append([month["month"], _("score"), "", "", "", score])
    return rows


KPI_HEADERS = (N_("Month"), N_("Item"), N_("Weight"), N_("Rule"), N_("Input"), N_("Points"))


def _kpi_summary(report: dict) -> str:
    months = len(report["months"])
    text = ngettext("score {score} (average of {months} month; pass mark {mark})",
                    "score {score} (average of {months} months; pass mark {mark})", months).format(
        score=report["score"], months=months, mark=report["pass_mark"])
    return text + (" " + kpi_not_begun(report) if report.get("not_begun") else "")


def kpi_not_begun(report: dict) -> str:
    """The quarter's months left out of its score because they have not begun, or ""."""
    later = report.get("not_begun") or []
    if not later:
        return ""
    return ngettext("{months} has not begun and is not scored.", "{months} have not begun and are not scored.",
                    len(later)).format(months=_(", ").join(later))


#: On a narrow terminal the item, rule and input are cut ("…"), the room left going to them
#: in that order; then the month goes.
KPI_LAYOUT = {"cut": (1, 3, 4), "drop": (0,)}


def kpi_text(report: dict, width: int | None = None, wide: bool = False) -> str:
    """The score card as a table ``width`` cells wide at most (None: as wide as it is)."""
    from tabulate import tabulate

    from kesu import tables

    tabulate_wide()
    flag = "  " + _("BELOW THE PASS MARK") if report["below_pass_mark"] else ""
    stores = ("\n\n" + _("By store (ranked)") + "\n"
              + tabulate(kpi_store_rows(report), headers=kpi_store_headers(), disable_numparse=True)
              if report.get("stores") else "")
    return (tables.render([_(h) for h in KPI_HEADERS], kpi_rows(report),
                          tables.Layout(**KPI_LAYOUT, wide=wide), width)
            + "\n\n" + _kpi_summary(report) + flag + stores)


def kpi_markdown(report: dict) -> str:
    lines = ["# " + _("KPI score card") + (f" — {_md(report['store'])}" if report["store"] else ""), "",
             "| " + " | ".join(_(h) for h in KPI_HEADERS) + " |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in kpi_rows(report)]
    lines += ["", f"**{_kpi_summary(report)}**" + (" — " + _("below the pass mark") if report["below_pass_mark"] else "")]
    lines += _md_table(_("By store (ranked)"), kpi_store_headers(), kpi_store_rows(report))
    return "\n".join(lines) + "\n"
