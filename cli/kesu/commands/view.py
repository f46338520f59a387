"""kesu show, kesu list, kesu history."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from kesu.commands.common import (ArchiveOpt, CaseArg, LimitOpt, NoPagerOpt, StoreOpt, TableFormat,
                                  WideOpt, case_id_of, name_left_out, open_archive, page, print_columns,
                                  print_csv, print_freshness, print_json, print_table, store_of)


class ShowFormat(str, Enum):
    text = "text"
    yaml = "yaml"
    json = "json"


class HistoryFormat(str, Enum):
    text = "text"
    json = "json"



def show(
    case_id: CaseArg,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text (for people), yaml (the file), json.")] = ShowFormat.text,
    wide: Annotated[bool, typer.Option("--wide", help="Show every line in full, however wide.")] = False,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show one complaint: what happened, where it stands, its timeline.

    Example: kesu show KS-20261123-7F3KQ2
    """
    arch = open_archive(archive)
    case_id = case_id_of(arch, case_id)
    if fmt is ShowFormat.yaml:
        page(arch.read_case_text(arch.existing_case_path(case_id)))
        return
    case = arch.load_case(case_id)
    if fmt is ShowFormat.json:
        print_json(case)
        return
    from kesu import tables
    from kesu.views import case_text

    lights = tables.LightMarks() if tables.colour_wanted() else None
    try:
        text = case_text(arch, case, paint=lights.mark if lights else None,
                         width=None if wide else tables.terminal_width())
    except Exception:
        # Checking every case before showing it would double the time of
        # 'kesu show'; a case that cannot be shown is checked now, and its
        # first problem said (a sound case that fails is a bug, reported as one).
        arch.refuse_unsound(case_id, case)
        raise
    from kesu.neutral import terminal

    text = terminal(text)  # a case file's control characters shown, not obeyed; then kesu's colour
    page((lights.paint(text) if lights else text) + "\n")


def list_cases(
    state: Annotated[Optional[list[str]], typer.Option("--state", help="Only cases in this state (repeatable).")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Only cases owned by this person.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="Only this category, e.g. product.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only cases not yet closed.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases with a yellow or red deadline.")] = False,
    store: StoreOpt = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = TableFormat.table,
    wide: WideOpt = False,
    limit: LimitOpt = None,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> int:
    """List complaints, newest first, with state, owner and deadline light.

    A case file kesu cannot read is named on stderr and left out (exit 1).
    In a clone, says when it last synced with its remote.

    Example: kesu list --open --owner li.ming --store S03
    """
    from kesu.views import LIST_COLUMNS, list_columns

    arch = open_archive(archive)
    columns = list_columns(arch, states=state, owner=owner, category=category, open_only=open_only,
                           overdue_only=overdue, store=store_of(arch, store), limit=limit)
    ordered = [columns[c] for c in LIST_COLUMNS]
    if fmt is TableFormat.json:
        print_json([dict(zip(LIST_COLUMNS, values)) for values in zip(*ordered)])
    elif fmt is TableFormat.csv:
        print_csv(LIST_COLUMNS, zip(*ordered))
    else:
        from kesu.i18n import _, language
        from kesu.tables import Layout
        from kesu.views import LABELLED, LIST_HEADERS, LIST_LAYOUT
        from kesu.vocab import labels_of

        said: dict = {None: ""}  # a few codes label 100,000 rows: each looked up once
        for i, column in enumerate(LIST_COLUMNS):
            if column in LABELLED:
                for value in set(ordered[i]) - said.keys():
                    said[value] = labels_of(value, language(), arch.policy)
                ordered[i] = list(map(said.__getitem__, ordered[i]))
        print_columns([_(LIST_HEADERS[c]) for c in LIST_COLUMNS], ordered,
                      Layout(**LIST_LAYOUT, wide=wide))
        print_freshness(arch)
    return name_left_out(arch)


def history(
    case_id: CaseArg,
    fmt: Annotated[HistoryFormat, typer.Option("--format", help="text or json.")] = HistoryFormat.text,
    wide: WideOpt = False,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> None:
    """The steps of one complaint as recorded in git: when, who, what, and time in each state.

    Example: kesu history KS-20261123-7F3KQ2
    """
    from kesu.views import history_steps

    arch = open_archive(archive)
    steps = history_steps(arch, case_id_of(arch, case_id))
    if fmt is HistoryFormat.json:
        print_json(steps)
        return
    from kesu.tables import Layout
    from kesu.values import local_minute, parse_time

    def minute(text):
        moment = parse_time(text)
        return local_minute(moment, arch.policy.tz) if moment and moment.tzinfo else (text or "")

    from kesu.i18n import _, language
    from kesu.vocab import label

    def said(code):
        return label(code, language(), arch.policy) if code else "-"

    def span(text):  # "2h 5m" as JSON has it, as people read it
        from kesu.values import say_span, span_seconds

        return say_span(span_seconds(text)) if text else ""

    def change(step):  # an import's one commit for many cases records no states
        if not step["from"] and not step["to"]:
            return _("(not recorded)")
        return f"{said(step['from'])} -> {said(step['to'])}"

    print_table([_("at"), _("actor"), _("action"), _("from -> to"), _("in state"), _("commit")],
                ([minute(s["at"]), s["actor"] or "", said(s["action"]), change(s),
                  span(s["time_in_state"]), s["commit"][:10]] for s in steps),
                Layout(drop=(5, 4), wide=wide))


COMMANDS = {"show": show, "list": list_cases, "history": history}
