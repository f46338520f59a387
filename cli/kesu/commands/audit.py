"""kesu audit."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ArchiveOpt, NoPagerOpt, name_left_out, open_archive, page, page_lines, print_json


class AuditFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def audit(
    since: Annotated[Optional[str], typer.Option("--since", metavar="REV", help="Only commits after REV (e.g. origin/main in CI).")] = None,
    case: Annotated[Optional[str], typer.Option("--case", metavar="ID", help="Only the history of this case.")] = None,
    require_signed: Annotated[bool, typer.Option("--require-signed", help="Every kesu commit must carry a signature git verify-commit accepts, by the actor's key.")] = False,
    max_backdate: Annotated[Optional[str], typer.Option("--max-backdate", metavar="DURATION", help="How far a step's --at may lie before its commit, e.g. 90m, 24h, 3d (default: kesu.yaml audit.max_backdate, else 24h).")] = None,
    report: Annotated[bool, typer.Option("--report", help="Write the auditors' report instead: per case, its steps, time in each state, deadlines, extensions, escalations.")] = False,
    month: Annotated[Optional[str], typer.Option("--month", metavar="YYYY-MM", help="With --report: only cases received in this month.")] = None,
    fmt: Annotated[Optional[AuditFormat], typer.Option("--format", help="text or json; with --report, markdown or json.")] = None,
    anchor: Annotated[bool, typer.Option("--anchor", help="When the audit is clean, record HEAD as audited (refs/kesu/audited); a later audit reports if that history was rewritten.")] = False,
    since_anchor: Annotated[bool, typer.Option("--since-anchor", help="Only commits after the last --anchor (a quick audit of what is new).")] = False,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> int:
    """Replay the history of cases/ and report every commit that broke kesu's rules.

    One line per finding, COMMIT CASE RULE: what was expected. Exit 0 when the
    history is clean, 1 when anything was found. docs/audit.md lists the rules
    and the JSON format.

    Example: kesu audit --since origin/main --require-signed

    Example: kesu audit --anchor   (then later: kesu audit --since-anchor)

    Example: kesu audit --report --month 2026-11 > audit-2026-11.md
    """
    from kesu.audit import audit as run_audit
    from kesu.errors import UsageError

    if report:
        fmt = fmt or AuditFormat.markdown
        if fmt is AuditFormat.text:
            raise UsageError(_("--report is written as markdown or json, not text"))
        if since:
            raise UsageError(_("--report covers the whole history; --since goes with the audit"))
    else:
        fmt = fmt or AuditFormat.text
        if fmt is AuditFormat.markdown:
            raise UsageError(_("--format markdown goes with --report"))
        if month:
            raise UsageError(_("--month goes with --report"))
    arch = open_archive(archive)
    if case is not None:
        from kesu.commands.common import case_id_of

        case = case_id_of(arch, case)
    if report:
        from kesu.audit_report import build_report, report_markdown

        data = build_report(arch, month=month, case_id=case, require_signed=require_signed,
                            max_backdate=max_backdate)
        if fmt is AuditFormat.json:
            print_json(data)
        else:
            page(report_markdown(data, arch.policy))
        return name_left_out(arch)
    if since_anchor:
        from kesu.audit import anchored

        if since:
            raise UsageError(_("--since-anchor and --since both say where to start; give one"))
        since = anchored(arch)
        if since is None:
            raise UsageError(_("no audit was anchored yet: run 'kesu audit --anchor' first"))
    result = run_audit(arch, since=since, case_id=case, require_signed=require_signed,
                       max_backdate=max_backdate, anchor=anchor)
    if fmt is AuditFormat.json:
        print_json(result.as_dict())
    else:
        page_lines(map(str, result.findings))
        typer.echo(_("{commits} commits checked, {findings} findings").format(
            commits=result.commits_checked, findings=len(result.findings)), err=True)
    return 1 if result.findings else 0


COMMANDS = {"audit": audit}
