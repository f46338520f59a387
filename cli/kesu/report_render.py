"""Laying out reports: table, CSV, Markdown, and one self-contained HTML page.

The HTML page carries its CSS and its charts (inline SVG drawn here) so a
store manager can open it from an e-mail with no network at all.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Any


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def minutes(value: float | None) -> str:
    if value is None:
        return "-"
    hours, mins = divmod(int(round(value)), 60)
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def monthly_rows(report: dict) -> list[tuple[str, str, str]]:
    """(figure, this month, change against the previous month)."""
    change = report["change"]

    def delta(key, as_pct=False, as_minutes=False):
        value = change.get(key)
        if value is None:
            return ""
        if as_minutes:
            return ("+" if value >= 0 else "-") + minutes(abs(value))
        return f"{value * 100:+.1f} pt" if as_pct else f"{value:+g}"

    return [
        ("received", str(report["received"]), delta("received")),
        ("mass complaints (claimants)",
         f"{len(report.get('mass_complaints') or [])} ({report.get('claimants', 0)})", ""),
        ("resolved in the month", str(report["resolved"]), delta("resolved")),
        ("average handling (wall)", minutes(report["average_handling_wall_minutes"]),
         delta("average_handling_wall_minutes", as_minutes=True)),
        ("median handling (wall)", minutes(report["median_handling_wall_minutes"]), ""),
        ("average handling (business)", minutes(report["average_handling_business_minutes"]), ""),
        ("median handling (business)", minutes(report["median_handling_business_minutes"]), ""),
        ("past a deadline", pct(report["overdue_share"]), delta("overdue_share", True)),
        ("resolved within 24 h", pct(report["resolved_within_24h_rate"]),
         delta("resolved_within_24h_rate", True)),
        ("satisfaction", pct(report["satisfaction_rate"]), delta("satisfaction_rate", True)),
        ("escalations / objections / reopenings",
         f"{report['escalations']} / {report['objections']} / {report['reopenings']}", ""),
        ("open at month end", str(report["open_at_month_end"]), ""),
    ]


def breakdowns(report: dict) -> list[tuple[str, list[dict]]]:
    return [("category", report["by_category"]), ("subcategory", report["by_subcategory"]),
            ("channel", report["by_channel"]), ("severity", report["by_severity"]),
            ("risk", report["by_risk"])]


def monthly_text(report: dict) -> str:
    from tabulate import tabulate

    tabulate_wide()
    parts = [f"Complaints, {report['month']}" + (f", {report['store']}" if report["store"] else "")
             + f" (previous month {report['previous_month']['month']})", ""]
    if not report["received"] and not report["resolved"]:
        parts.append("no complaints this month")
    parts.append(tabulate(monthly_rows(report), headers=["figure", report["month"], "change"],
                          disable_numparse=True))
    for title, rows in breakdowns(report):
        if rows:
            parts += ["", tabulate([(r["name"], r["count"], pct(r["share"])) for r in rows],
                                   headers=[title, "cases", "share"], disable_numparse=True)]
    for title, key in (("root cause", "top_root_causes"), ("responsible", "responsible_parties")):
        if report[key]:
            parts += ["", tabulate([(r["name"], r["count"]) for r in report[key]],
                                   headers=[title, "cases"], disable_numparse=True)]
    return "\n".join(parts)


def tabulate_wide() -> None:
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # line up Chinese text (wcwidth)


def _md(value: Any) -> str:
    """A Markdown table cell: no live HTML, no column break, one line."""
    from kesu.neutral import markdown

    return markdown(" ".join(str(value).split())).replace("|", "\\|")


def monthly_markdown(report: dict) -> str:
    lines = [f"# Complaints, {report['month']}" + (f" — {report['store']}" if report["store"] else ""), ""]
    if not report["received"] and not report["resolved"]:
        lines += ["No complaints this month.", ""]
    lines += ["| figure | " + report["month"] + " | change |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in monthly_rows(report)]
    for title, rows in breakdowns(report):
        if rows:
            lines += ["", f"## By {title}", "", "| | cases | share |", "|---|---|---|"]
            lines += [f"| {_md(r['name'])} | {r['count']} | {pct(r['share'])} |" for r in rows]
    for title, key in (("Top root causes", "top_root_causes"), ("Responsible parties", "responsible_parties")):
        if report[key]:
            lines += ["", f"## {title}", ""] + [f"- {_md(r['name'])} ({r['count']})" for r in report[key]]
    return "\n".join(lines) + "\n"


def monthly_csv(report: dict) -> str:
    from kesu.neutral import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "name", "value", "share"])
    for key in ("received", "resolved", "average_handling_wall_minutes", "median_handling_wall_minutes",
                "average_handling_business_minutes", "median_handling_business_minutes",
                "past_deadline", "overdue_share", "resolved_within_24h", "resolved_within_24h_rate",
                "return_visits", "satisfied", "satisfaction_rate", "escalations", "objections",
                "reopenings", "open_at_month_end", "claimants"):
        writer.writerow(["figure", key, "" if report[key] is None else report[key], ""])
    for title, rows in breakdowns(report):
        for row in rows:
            writer.writerow([title, csv_cell(row["name"]), row["count"], row["share"]])
    return out.getvalue()


def kpi_rows(report: dict) -> list[list[Any]]:
    rows = []
    for month in report["months"]:
        for it in month["items"]:
            if it["input"] is None:
                shown = "no input"
            elif isinstance(it["input"], dict):
                shown = ", ".join(f"{k}={v}" for k, v in it["input"].items())
            else:
                shown = it["input"]
            rows.append([month["month"], it["name"], it["weight"], it["rule"],
                         f"{shown} ({it['source']})", it["points"]])
        for d in month["deductions"]:
            rows.append([month["month"], "deduction", "", d["reason"], "", -d["points"]])
        rows.append([month["month"], "score", "", "", "", month["score"]
                     if not month["below_pass_mark"] else f"{month['score']} (below {report['pass_mark']})"])
    return rows


def kpi_text(report: dict) -> str:
    from tabulate import tabulate

    tabulate_wide()
    flag = "  BELOW THE PASS MARK" if report["below_pass_mark"] else ""
    return (tabulate(kpi_rows(report), headers=["month", "item", "weight", "rule", "input", "points"],
                     disable_numparse=True)
            + f"\n\nscore {report['score']} (average of {len(report['months'])} month(s); "
              f"pass mark {report['pass_mark']}){flag}")


def kpi_markdown(report: dict) -> str:
    lines = ["# KPI score card" + (f" — {report['store']}" if report["store"] else ""), "",
             "| month | item | weight | rule | input | points |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in kpi_rows(report)]
    lines += ["", f"**Score {report['score']}** (pass mark {report['pass_mark']})"
              + (" — below the pass mark" if report["below_pass_mark"] else "")]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------- HTML
def _bars(chart_id: str, title: str, rows: list[tuple[str, float, str]], color: str | dict = "#3b82f6") -> str:
    """A horizontal bar chart as inline SVG: (label, value, shown text); ``color``
    may map labels to colours."""
    height = 26 * max(len(rows), 1) + 34
    top = max((v for _, v, _ in rows), default=0) or 1
    out = [f'<figure><figcaption>{html.escape(title)}</figcaption>'
           f'<svg id="{chart_id}" class="chart" role="img" aria-label="{html.escape(title)}" '
           f'width="560" height="{height}" viewBox="0 0 560 {height}">']
    if not rows:
        out.append('<text x="10" y="24">no data</text>')
    for i, (label, value, text) in enumerate(rows):
        y = 10 + i * 26
        width = int(300 * value / top)
        out.append(f'<text x="150" y="{y + 15}" text-anchor="end">{html.escape(str(label))}</text>'
                   f'<rect class="bar" x="160" y="{y}" width="{width}" height="18" '
                   f'fill="{color.get(label, "#9ca3af") if isinstance(color, dict) else color}" '
                   f'data-label="{html.escape(str(label))}" data-value="{value}"></rect>'
                   f'<text x="{166 + width}" y="{y + 15}">{html.escape(text)}</text>')
    out.append("</svg></figure>")
    return "".join(out)


STYLE = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1f2937}
h1{font-size:1.5rem}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d1d5db;padding:.3rem .6rem;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font-size:12px;fill:#374151}.flag{color:#b91c1c;font-weight:600}"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)}</title><style>{STYLE}</style></head>'
            f'<body><h1>{html.escape(title)}</h1>{body}</body></html>\n')


def monthly_html(report: dict, trend: list[dict], lights: dict[str, int]) -> str:
    table = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>"
                    for a, b, c in monthly_rows(report))
    charts = [
        _bars("chart-category", "Category share", [(r["name"], r["count"], pct(r["share"]))
                                                   for r in report["by_category"]]),
        _bars("chart-trend", "Complaints received, last 6 months",
              [(t["month"], t["received"], str(t["received"])) for t in trend], "#6366f1"),
        _bars("chart-lights", "Open cases by deadline light now",
              [(light, n, str(n)) for light, n in lights.items() if light != "none"],
              {"green": "#10b981", "yellow": "#f59e0b", "red": "#ef4444"}),
        _bars("chart-satisfaction", "Satisfaction (return visits this month)",
              [("satisfied + fairly", report["satisfied"], str(report["satisfied"])),
               ("unsatisfied", report["return_visits"] - report["satisfied"],
                str(report["return_visits"] - report["satisfied"]))]
              if report["return_visits"] else [], "#10b981"),
    ]
    empty = "" if report["received"] or report["resolved"] else "<p>No complaints this month.</p>"
    body = (f"{empty}<table><tr><th>figure</th><th>{report['month']}</th><th>change</th></tr>{table}</table>"
            f"<div class=\"charts\">{''.join(charts)}</div>")
    return page(f"Complaints {report['month']}" + (f" — {report['store']}" if report["store"] else ""), body)


def kpi_html(report: dict) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in kpi_rows(report))
    chart = _bars("chart-kpi", "Score by month", [(m["month"], max(m["score"], 0), str(m["score"]))
                                                  for m in report["months"]], "#6366f1")
    flag = (f'<p class="flag">Below the pass mark of {report["pass_mark"]}.</p>'
            if report["below_pass_mark"] else "")
    body = (f"<p>Score <strong>{report['score']}</strong></p>{flag}"
            "<table><tr><th>month</th><th>item</th><th>weight</th><th>rule</th><th>input</th>"
            f"<th>points</th></tr>{rows}</table><div class=\"charts\">{chart}</div>")
    return page("KPI score card" + (f" — {report['store']}" if report["store"] else ""), body)
