"""kesu report monthly / kpi: figures for managers. No customer data in any format."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import NoPagerOpt, StoreOpt, WideOpt, name_left_out, open_archive, page, store_of

app = typer.Typer(help="Monthly statistics and the KPI score card.", no_args_is_help=True)


class MonthlyFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


class KpiFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


Archives = Annotated[Optional[list[str]], typer.Option(
    "--archive", metavar="PATH",
    help="The archive (default: KESU_ARCHIVE, or the nearest folder up with kesu.yaml); "
         "repeat it to report over several archives as one (each store in one archive).")]
Output = Annotated[Optional[Path], typer.Option("--output", metavar="FILE", help="Write the report to FILE.")]
Now = Annotated[Optional[str], typer.Option("--now", metavar="TIME", help="Report as of this time (default: now).")]


def _emit(text: str | bytes, output: Path | None) -> None:
    if isinstance(text, bytes) and output is None:
        from kesu.errors import UsageError

        raise UsageError(_("--format xlsx needs --output FILE.xlsx"))
    if output is None:
        from kesu.neutral import terminal

        text = terminal(text)
        page(text if text.endswith("\n") else text + "\n")
    else:
        from kesu.archive import write_output

        write_output(output, text)
        print(_("wrote {path}").format(path=output))


@app.command("monthly")
def monthly(
    month: Annotated[Optional[str], typer.Option("--month", metavar="YYYY-MM", help="Default: this month.")] = None,
    store: StoreOpt = None,
    fmt: Annotated[MonthlyFormat, typer.Option("--format", help="table, json, csv (UTF-8 with BOM, for Excel), markdown, html or xlsx (needs --output).")] = MonthlyFormat.table,
    output: Output = None, now: Now = None, archive: Archives = None, no_pager: NoPagerOpt = False,
) -> int:
    """Complaints of a month: shares by category, channel, severity and risk; handling
    time; deadlines; 24-hour resolution; satisfaction; change from last month.

    Over several archives (--archive repeated) every figure is computed once over
    all their cases, in every format; the report names each archive's organisation.

    Example: kesu report monthly --month 2026-11 --format html --output 2026-11.html
    """
    import json

    from kesu import report_render as render
    from kesu import reports

    archives = [open_archive(path) for path in archive or [None]]
    arch = archives[0]
    moment = arch.parse_time(now, "--now") if now else arch.now()
    first = reports.parse_month(month) if month else moment.date().replace(day=1)
    months = [first, reports.previous_month(first)]
    if fmt is MonthlyFormat.html:
        months += reports.trend_months(first)
    cases = report_cases(archives, store, months)
    store = cases.store
    report = reports.monthly(arch, first, store, moment, cases)
    from kesu.values import local_minute

    policy = cases.policy
    if fmt is MonthlyFormat.json:
        text = json.dumps(report, ensure_ascii=False, indent=2)
    elif fmt is MonthlyFormat.csv:
        text = render.monthly_csv(report, policy)
    elif fmt is MonthlyFormat.xlsx:
        from kesu.xlsx import workbook

        text = workbook({report["month"]: [render.RECORD_HEADERS, *render.monthly_records(report, policy)]})
    elif fmt is MonthlyFormat.markdown:
        text = render.monthly_markdown(report, policy, local_minute(moment, arch.policy.tz))
    elif fmt is MonthlyFormat.html:
        from kesu import report_html

        stores = [] if store else [reports.monthly(arch, first, name, moment, cases.of_store(name))
                                   for name in reports.stores_in(cases, first)]
        text = report_html.monthly_html(report, reports.trend(arch, first, 6, store, moment, cases),
                                        reports.lights_at_month_end(cases, first, moment), stores, policy,
                                        local_minute(moment, arch.policy.tz))
    else:
        text = render.monthly_text(report, policy, local_minute(moment, arch.policy.tz))
    _emit(text, output)
    return max(name_left_out(each) for each in archives)


def report_cases(archives: list, store: str | None, months: list):
    # the cases a report reads: one archive's, or several archives' as one (kesu.reportmerge)
    from kesu import reports

    if len(archives) == 1:
        return reports.CaseSet(archives[0], store_of(archives[0], store), months)
    from kesu.reportmerge import merged_cases

    return merged_cases(archives, store, months)


@app.command("kpi")
def kpi(
    quarter: Annotated[Optional[str], typer.Option("--quarter", metavar="YYYY-Qn", help="Score a quarter (average of its months).")] = None,
    month: Annotated[Optional[str], typer.Option("--month", metavar="YYYY-MM", help="Score one month (default: this month).")] = None,
    store: StoreOpt = None,
    inputs: Annotated[Optional[Path], typer.Option("--inputs", metavar="FILE", help="YAML with the items kesu cannot see, by month (see docs/reports.md).")] = None,
    fmt: Annotated[KpiFormat, typer.Option("--format", help="table, json, markdown or html.")] = KpiFormat.table,
    wide: WideOpt = False,
    output: Output = None, now: Now = None, archive: Archives = None, no_pager: NoPagerOpt = False,
) -> int:
    """The complaint-management score card: every item with its weight, rule, input and points;
    the quarter's score is the average of its months begun so far, and below 80 is flagged.
    A month that has not begun is refused (exit 2), as is an --inputs file of
    another shape (path:line: message).

    Over several archives (--archive repeated) the card scores the chain's cases
    as one archive holding them all would, and ranks every store among all. One
    --inputs file serves them: its months are the chain's figures, each store's
    under stores:. Every archive must score by the same rules (reports.kpi in
    kesu.yaml), or kesu refuses, naming both files.

    Example: kesu report kpi --quarter 2026-Q4 --inputs kpi-inputs.yaml
    """
    import json

    from kesu import report_render as render
    from kesu import kpi as score_card
    from kesu import reports
    from kesu.errors import UsageError

    if quarter and month:
        raise UsageError(_("give --quarter or --month, not both"))
    archives = [open_archive(path) for path in archive or [None]]
    arch = archives[0]
    moment = arch.parse_time(now, "--now") if now else arch.now()
    months = (score_card.quarter_months(quarter) if quarter
              else [reports.parse_month(month) if month else moment.date().replace(day=1)])
    months, not_begun = score_card.months_begun(months, moment.astimezone(arch.policy.tz).date(),
                                                f"--quarter {quarter}" if quarter else f"--month {month}")
    given = {}
    if inputs:
        if not inputs.is_file():
            raise UsageError(_("{flag} {path}: no such file").format(flag="--inputs", path=inputs))
        from kesu.kpi_inputs import read_inputs

        given = read_inputs(arch.read_text(inputs), str(inputs))
    if len(archives) > 1:
        from kesu.reportmerge import same_kpi_rules

        same_kpi_rules(archives)
    cases = report_cases(archives, store, months)
    report = score_card.kpi(arch, months, cases.store, given, moment, cases, not_begun)
    if fmt is KpiFormat.json:
        text = json.dumps(report, ensure_ascii=False, indent=2)
    elif fmt is KpiFormat.markdown:
        text = render.kpi_markdown(report)
    elif fmt is KpiFormat.html:
        from kesu import report_html
        from kesu.values import local_minute

        text = report_html.kpi_html(report, local_minute(moment, arch.policy.tz))
    else:
        from kesu.tables import terminal_width

        # fitted to the terminal only when it is shown there (a file gets it whole)
        text = render.kpi_text(report, None if output else terminal_width(), wide)
    _emit(text, output)
    return max(name_left_out(each) for each in archives)


COMMANDS = {"report": app}
