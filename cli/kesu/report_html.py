"""The monthly report and the KPI card as one self-contained, printable HTML page.

The page carries its CSS and its charts (inline SVG) so a store manager can
open it from an e-mail with no network, and print it or save it as PDF from
the browser (A4, charts and tables kept whole on a page). It is written in
the language kesu speaks (``kesu.i18n``), codes shown by their labels.
"""

from __future__ import annotations

import html

from kesu import report_render as plain
from kesu.i18n import _, language
from kesu.vocab import label, labels_of

LIGHT_COLOURS = {"green": "#10b981", "yellow": "#f59e0b", "red": "#ef4444", "none": "#9ca3af"}

STYLE = """*{box-sizing:border-box}
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2937;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #e5e7eb}
h3{font-size:1rem;margin:1rem 0 .3rem}.meta{color:#4b5563;margin:0 0 1rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.92rem}
td,th{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:0 1.5rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1rem 1.5rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}svg{max-width:100%;height:auto}
svg text{font-size:12px;fill:#374151}.flag{color:#b91c1c;font-weight:600}.score{font-size:1.3rem}
section{break-inside:avoid}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}
figure,table,tr,section{break-inside:avoid}.charts{grid-template-columns:1fr 1fr}}"""


def _e(value) -> str:
    return html.escape(str(value))


def page(title: str, meta: str, body: str) -> str:
    lang = "zh-CN" if language() == "zh-CN" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(title)}</title><style>{STYLE}</style></head>'
            f'<body><header><h1>{_e(title)}</h1><p class="meta">{meta}</p></header>{body}</body></html>\n')


def _meta(report: dict, generated: str, period: str) -> str:
    return " · ".join(_e(p) for p in plain.report_meta(report, generated, period))


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), nowrap: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td class="{" ".join(c for c, on in (("num", i in numeric), ("nowrap", i in nowrap)) if on)}">{_e(v)}</td>'
        for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _bars(chart_id: str, title: str, rows: list[tuple[str, float, str]], color="#3b82f6") -> str:
    """A horizontal bar chart as inline SVG: (label, value, shown text); ``color`` may map labels."""
    height = 26 * max(len(rows), 1) + 20
    top = max((v for _l, v, _t in rows), default=0) or 1
    out = [f'<figure><figcaption>{_e(title)}</figcaption>'
           f'<svg id="{chart_id}" class="chart" role="img" aria-label="{_e(title)}" '
           f'width="520" height="{height}" viewBox="0 0 520 {height}">']
    if not rows:
        out.append(f'<text x="10" y="24">{_e(_("no data"))}</text>')
    for i, (name, value, text) in enumerate(rows):
        y = 8 + i * 26
        width = int(290 * value / top)
        fill = color.get(name, "#9ca3af") if isinstance(color, dict) else color
        out.append(f'<text x="160" y="{y + 14}" text-anchor="end">{_e(name)}</text>'
                   f'<rect class="bar" x="168" y="{y}" width="{width}" height="18" fill="{fill}" '
                   f'data-label="{_e(name)}" data-value="{value}"></rect>'
                   f'<text x="{174 + width}" y="{y + 14}">{_e(text)}</text>')
    out.append("</svg></figure>")
    return "".join(out)


def _month_sections(report: dict, locale: str, policy, lights: dict[str, int] | None,
                    charts: str = "", h: str = "h2") -> str:
    """Everything the text and Markdown formats carry, as tables."""
    figures = _table([_("Figure"), report["month"], _("Change")], [list(r) for r in plain.monthly_rows(report)],
                     numeric={1, 2})
    parts = [f"<section><{h}>{_e(_('Key figures'))}</{h}>{figures}</section>", charts]
    grid = []
    for key, title, rows in plain.breakdowns(report):
        shown = [[labels_of(r["name"], locale, policy, readable=True) if r["name"] else _("not given"), r["count"],
                  plain.pct(r["share"])] for r in rows]
        grid.append(f"<section><h3>{_e(title)}</h3>"
                    + (_table([title, _("Cases"), _("Share")], shown, {1, 2}) if shown
                       else f"<p>{_e(_('none'))}</p>") + "</section>")
    for key, title in plain.lists():
        rows = [[label(r["name"], locale, policy, True) if key == "responsible_parties" else r["name"], r["count"]]
                for r in report[key]]
        grid.append(f"<section><h3>{_e(title)}</h3>"
                    + (_table([title, _("Cases")], rows, {1}) if rows else f"<p>{_e(_('none'))}</p>") + "</section>")
    if lights is not None:
        grid.append(f"<section><h3>{_e(_('Open at month end, by deadline light'))}</h3>"
                    + _table([_("Light"), _("Cases")], [[_light_name(k), v] for k, v in lights.items()], {1})
                    + "</section>")
    parts.append(f"<{h}>{_e(_('Breakdowns'))}</{h}><div class=\"grid\">{''.join(grid)}</div>")
    return "".join(parts)


def _light_name(light: str) -> str:
    return _("no running deadline") if light == "none" else label(light, language())


def monthly_html(report: dict, trend: list[dict], lights: dict[str, int], stores: list[dict],
                 policy=None, generated: str = "") -> str:
    """The monthly report: headline figures, charts, every breakdown, and a section per store."""
    locale = language()
    period = plain.monthly_period(report)
    empty = "" if report["received"] or report["resolved"] else f"<p>{_e(_('No complaints this month.'))}</p>"
    charts = [
        _bars("chart-category", _("Complaints by category"),
              [(labels_of(r["name"], locale, policy, readable=True), r["count"], plain.pct(r["share"]))
               for r in report["by_category"]]),
        _bars("chart-trend", _("Complaints received, last 6 months"),
              [(t["month"], t["received"], str(t["received"])) for t in trend], "#6366f1"),
        _bars("chart-lights", _("Open at month end ({count}), by deadline light").format(
            count=report["open_at_month_end"]),
            [(_light_name(k), n, str(n)) for k, n in lights.items()],
            {_light_name(k): c for k, c in LIGHT_COLOURS.items()}),
        _bars("chart-satisfaction", _("Return visits this month"),
              [(_("satisfied or fairly satisfied"), report["satisfied"], str(report["satisfied"])),
               (_("unsatisfied"), report["return_visits"] - report["satisfied"],
                str(report["return_visits"] - report["satisfied"]))]
              if report["return_visits"] else [], "#10b981"),
    ]
    body = [empty, _month_sections(report, locale, policy, None,
                                   f"<h2>{_e(_('Charts'))}</h2><div class=\"charts\">{''.join(charts)}</div>")]
    if report.get("stores"):  # kesu.yaml lists the chain's stores: ranked
        from kesu.report_render import store_headers, store_rows

        body.append(f"<h2>{_e(_('By store (ranked)'))}</h2>"
                    + _table(store_headers(), store_rows(report), {0, 4, 5, 6, 7, 8, 9}))
    elif stores:
        body.append(f"<h2>{_e(_('By store'))}</h2>")
        body.append(_table([_("Store"), _("Received"), _("Resolved"), _("Past a deadline"),
                            _("Resolved within 24 h"), _("Satisfaction"), _("Open at month end")],
                           [[s["store"], s["received"], s["resolved"], plain.pct(s["overdue_share"]),
                             plain.pct(s["resolved_within_24h_rate"]), plain.pct(s["satisfaction_rate"]),
                             s["open_at_month_end"]] for s in stores], {1, 2, 3, 4, 5, 6}))
        for store in stores:
            body.append(f"<h2>{_e(_('Store: {store}').format(store=store['store']))}</h2>"
                        f"{_month_sections(store, locale, policy, None, h='h3')}")
    title = _("Complaints {month}").format(month=report["month"])
    return page(title, _meta(report, generated, period), "".join(body))


def kpi_html(report: dict, generated: str = "") -> str:
    from kesu.report_render import kpi_not_begun, kpi_rows, kpi_store_headers, kpi_store_rows

    rows = kpi_rows(report)
    chart = _bars("chart-kpi", _("Score by month"), [(m["month"], m["score"], str(m["score"]))
                                                     for m in report["months"]], "#6366f1")
    flag = (f'<p class="flag">{_e(_("Below the pass mark of {mark}.").format(mark=report["pass_mark"]))}</p>'
            if report["below_pass_mark"] else "")
    if report.get("not_begun"):
        flag += f"<p>{_e(kpi_not_begun(report))}</p>"
    months = ", ".join(m["month"] for m in report["months"])
    body = (f'<p class="score">{_e(_("Score"))} <strong>{_e(report["score"])}</strong> '
            f'({_e(_("pass mark {mark}").format(mark=report["pass_mark"]))})</p>{flag}'
            + _table([_("Month"), _("Item"), _("Weight"), _("Rule"), _("Input"), _("Points")], rows,
                     {2, 5}, {0, 2})
            + f'<div class="charts">{chart}</div>')
    if report.get("stores"):
        body += (f"<h2>{_e(_('By store (ranked)'))}</h2>"
                 + _table(kpi_store_headers(), kpi_store_rows(report), {0, 3}))
    return page(_("KPI score card"), _meta(report, generated, _("Months: {months}").format(months=months)), body)
