"""What the command modules share: option types, the archive, the actor, output."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Iterable, Optional

import typer

from kesu import gitconfig
from kesu.i18n import _
from kesu.archive import Archive

ArchiveOpt = Annotated[Optional[str], typer.Option(
    "--archive", metavar="PATH",
    help="The archive (default: KESU_ARCHIVE, or the nearest folder up with kesu.yaml).")]
ActorOpt = Annotated[Optional[str], typer.Option(
    "--actor", metavar="NAME",
    help="Who does this step (default: KESU_ACTOR, then git's user.name). Must be in the roster.")]
AtOpt = Annotated[Optional[str], typer.Option(
    "--at", metavar="TIME",
    help="When it happened, e.g. 2026-11-23T16:40 (archive's time zone) or with an offset; "
         "at most 10 minutes from now (kesu.yaml future_tolerance). Default: now.")]
StoreOpt = Annotated[Optional[str], typer.Option(
    "--store", metavar="CODE_OR_NAME",
    help="Only this store: its code or name in kesu.yaml stores (e.g. S03 or 3号店).")]


def _no_pager(value: bool) -> None:
    if value:
        os.environ["KESU_PAGER"] = "cat"  # as ``kesu --no-pager``; kesu.cli puts it back after the command


#: ``--no-pager`` after the command too (``kesu list --no-pager``), where people type it.
NoPagerOpt = Annotated[bool, typer.Option("--no-pager", callback=_no_pager, expose_value=False,
                                          help="Never send long output through a pager.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Show every column in full, however wide.")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", metavar="N", min=0, help="Show at most N rows.")]
CaseArg = Annotated[str, typer.Argument(metavar="ID", help="The case ID, e.g. KS-20261123-7F3KQ2, in any case, or its last 4 or more characters (7f3kq2).")]


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def open_archive(path: str | None) -> Archive:
    return Archive.find(path)


def case_id_of(archive: Archive, typed: str) -> str:
    """The full ID a clerk typed: any case, or a unique ending (``7f3kq2``)."""
    from kesu.idresolve import resolve

    return resolve(archive, typed)


def store_of(archive: Archive, given: str | None) -> str | None:
    """The store code ``--store`` names; an unknown store is refused, naming the known ones."""
    from kesu.stores import resolve_store

    return resolve_store(archive.policy, given, named_in_cases=lambda: archive.case_index().stores())


def actor_of(archive: Archive, given: str | None) -> str | None:
    if given:
        return given
    if os.environ.get("KESU_ACTOR"):
        return os.environ["KESU_ACTOR"]
    return gitconfig.config_get(archive.root, "user.name")


def when(archive: Archive, at: str | None) -> datetime:
    return archive.parse_time(at) if at else archive.now()


def step_for(archive: Archive, action: str, actor: str | None, at: str | None, args: dict):
    """The step a command asks for: who, when (default now) and the arguments as given."""
    from kesu.engine import Step
    from kesu.values import isoformat

    return Step(action, actor_of(archive, actor) or "", isoformat(when(archive, at)), args)


def name_left_out(archive: Archive) -> int:
    """Name on stderr each case file a whole-archive command had to leave out,
    as ``path:line: left out: why``; 1 (the exit code) when there was any, else 0."""
    for error in sorted(archive.left_out.values(), key=lambda e: e.path or ""):
        print(_("{path}:{line}: left out: {message}").format(path=error.path, line=error.line or 1,
                                                              message=error.message), file=sys.stderr)
    return 1 if archive.left_out else 0


def github_annotation(level: str, path: str, line: int, message: str, title: str | None = None) -> str:
    """One GitHub workflow command, with what came from files escaped (neither a
    line break nor a ``::`` in a value can start a command of its own)."""
    from kesu.neutral import github_message, github_property

    title_part = f",title={github_property(title)}" if title else ""
    return f"::{level} file={github_property(path)},line={line}{title_part}::{github_message(message)}"


def print_json(data: Any) -> None:
    import json

    if not _flat_rows(data):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    # A list of flat rows (kesu list of a whole archive) written row by row as
    # json.dump(indent=2) lays it out: its indenting writer is pure Python,
    # the encoder of single values is not.
    value = json.JSONEncoder(ensure_ascii=False).encode
    write = sys.stdout.write
    write("[" if data else "[]")
    for n, row in enumerate(data):
        write(",\n  {" if n else "\n  {")
        write(",".join(f"\n    {value(key)}: {value(item)}" for key, item in row.items()))
        write("\n  }" if row else "}")
    write("\n]\n" if data else "\n")


_SCALARS = (str, int, float, bool, type(None))


def _flat_rows(data: Any) -> bool:
    return isinstance(data, list) and all(
        type(row) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in row.items())
        for row in data)


def print_table(headers: list[str], rows: Iterable[list[Any]], layout=None) -> None:
    """A table fitted to the terminal (see kesu.tables), paged when long."""
    from kesu import tables
    from kesu.neutral import has_controls, terminal

    shown = ([terminal(c) if isinstance(c, str) else c for c in row] if has_controls(row) else row
             for row in rows)
    tables.show_lines(tables.render_lines(headers, shown, layout, tables.terminal_width(),
                                          tables.colour_wanted()))


def print_columns(headers: list[str], columns: list[list[Any]], layout=None) -> None:
    """``print_table`` of a table given a column at a time (a long list is made so)."""
    from kesu import tables
    from kesu.neutral import has_controls, terminal

    def controlled(column) -> bool:
        try:
            text = "".join(column)
        except TypeError:  # None or a number among the cells
            text = "".join(map(str, column))
        return not (text.isascii() and text.isprintable()) and has_controls((text,))

    shown = [[terminal(c) if isinstance(c, str) else c for c in column] if controlled(column)
             else column for column in columns]
    tables.show_lines(tables.render_column_lines(headers, shown, layout, tables.terminal_width(),
                                                 tables.colour_wanted()))


def labelled(columns: list[str], codes: dict[str, str], policy):
    """A function turning a row (a dict) into a table's values: the ``codes`` columns
    (name -> the separator between codes, e.g. "/" for ``product/quality_defect``)
    shown by their labels in kesu's language, None as nothing."""
    from operator import itemgetter

    from kesu.i18n import language
    from kesu.vocab import labels_of

    values_of = itemgetter(*columns)
    lang = language()
    # a few codes label 100,000 rows: each looked up once per column
    coded = [(i, codes[column], {None: ""}) for i, column in enumerate(columns) if column in codes]
    comma = _(", ")  # a list of labels is joined the desk's way

    def shown(row):
        values = list(values_of(row))  # None is shown as "" by the table
        for i, sep, said in coded:
            value = values[i]
            if value not in said:
                said[value] = labels_of(value, lang, policy, sep=sep, joiner=comma if sep == ", " else None)
            values[i] = said[value]
        return values
    return shown


def page(text: str) -> None:
    """Long text for people: through the pager on a terminal (see kesu.tables), else as it is."""
    from kesu import tables

    ended = text.endswith("\n")
    tables.show(text[:-1] if ended else text, end="\n" if ended else "")


def page_lines(lines: Iterable[str]) -> None:
    """``page`` for lines made one at a time (into a pipe, each written as it comes)."""
    from kesu import tables

    tables.show_lines(lines)


def print_csv(headers: list[str], rows: Iterable[list[Any]]) -> None:
    import csv

    from kesu.neutral import csv_cell, terminal

    # On a terminal, control characters are shown escaped; into a file or a pipe, kept as data.
    shown = terminal if sys.stdout.isatty() else (lambda text: text)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([shown(c) if isinstance(c, str) else c for c in map(csv_cell, row)] for row in rows)


def print_freshness(archive: Archive) -> None:
    """In a clone, say on stderr when it last synced (the table itself stays on stdout)."""
    from kesu.team.freshness import freshness_line

    line = freshness_line(archive.root, archive.now())
    if line:
        print(line, file=sys.stderr)
