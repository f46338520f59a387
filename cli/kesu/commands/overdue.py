"""kesu overdue: the deadline check CI runs every hour."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from kesu.commands.common import (ArchiveOpt, LimitOpt, NoPagerOpt, StoreOpt, WideOpt, github_annotation,
                                  name_left_out, open_archive, print_freshness, print_json,
                                  print_table, store_of)


class FailOn(str, Enum):
    yellow = "yellow"
    red = "red"
    never = "never"


class OverdueFormat(str, Enum):
    table = "table"
    json = "json"
    github = "github"


def overdue(
    now: Annotated[Optional[str], typer.Option("--now", metavar="TIME", help="Check as of this time (default: now).")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when any case is at or above this light.")] = FailOn.red,
    fmt: Annotated[OverdueFormat, typer.Option("--format", help="table, json, or github (annotations on the case files).")] = OverdueFormat.table,
    store: StoreOpt = None,
    owner: Annotated[Optional[str], typer.Option("--owner", metavar="NAME", help="Only cases owned by this person, e.g. li.ming.")] = None,
    wide: WideOpt = False,
    limit: LimitOpt = None,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> int:
    """List the complaints whose deadlines are close (yellow) or past (red), most overdue first.

    "due" is the time the step was due; "left" is the time left (negative:
    how late it is) on the timer's own clock: "business" counts only opening
    hours (10:00-20:00 by default), carry-out counts every hour, and
    working-day timers count working days only. A deadline reached exactly
    now counts as red. Exit 1 when any case is at or above --fail-on
    (default red), or when a case file cannot be read (it is named on
    stderr), else 0. In a clone, says when it last synced with its remote.
    Example for CI: kesu overdue --fail-on red --format github
    Example for one store's manager: kesu overdue --store 3号店 --owner li.ming
    """
    from kesu.tables import Layout
    from kesu.views import overdue_rows

    arch = open_archive(archive)
    moment = arch.parse_time(now, "--now") if now else arch.now()
    if owner:
        arch.policy.member(owner)
    every = overdue_rows(arch, moment, store=store_of(arch, store), owner=owner)
    rows = every[:limit]
    if fmt is OverdueFormat.json:
        print_json({"now": moment.isoformat(), "cases": rows})
    elif fmt is OverdueFormat.github:
        from kesu.i18n import _, language
        from kesu.values import format_left
        from kesu.vocab import label

        for row in rows:
            level = "error" if row["light"] == "red" else "warning"
            timer = label(row["timer"], language(), arch.policy)
            print(github_annotation(level, row["path"], 1, _("{case} {timer} due {time}, {left} (owner {owner})").format(
                case=row["id"], timer=timer, time=row["due"], owner=row["owner"] or "-",
                left=format_left(row["left_minutes"], row["clock"], translate=True)),
                f"{timer} {label(row['light'], language())}"))
    elif rows:
        from kesu.i18n import _, language
        from kesu.values import format_left
        from kesu.vocab import label

        lang = language()
        print_table([_("light"), _("id"), _("timer"), _("due"), _("left"), _("state"), _("owner"), _("summary")],
                    ([label(r["light"], lang), r["id"], label(r["timer"], lang, arch.policy), r["due"],
                      format_left(r["left_minutes"], r["clock"], translate=True), label(r["state"], lang), r["owner"] or "", r["summary"] or ""] for r in rows),
                    # "left" is never cut: on a narrow terminal "due" goes last, as "left" says it
                    Layout(cut=(7,), drop=(5, 6, 7, 3), lights=(0,), wide=wide))
    else:
        from kesu.i18n import _
        from kesu.values import local_minute

        print(_("no deadlines at risk as of {time}").format(time=local_minute(moment, arch.policy.tz)))
    if fmt is OverdueFormat.table:
        print_freshness(arch)
    left_out = name_left_out(arch)
    if fail_on is FailOn.never:
        return left_out
    worst = {"red": 0, "yellow": 1}[fail_on.value]
    return 1 if any({"red": 0, "yellow": 1}[r["light"]] <= worst for r in every) else left_out


COMMANDS = {"overdue": overdue}
