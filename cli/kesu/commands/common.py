"""What the command modules share: option types, the archive, the actor, output."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Iterable, Optional

import typer

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


def actor_of(archive: Archive, given: str | None) -> str | None:
    if given:
        return given
    if os.environ.get("KESU_ACTOR"):
        return os.environ["KESU_ACTOR"]
    from kesu import gitio

    return gitio.config_get(archive.root, "user.name")


def when(archive: Archive, at: str | None) -> datetime:
    return archive.parse_time(at) if at else archive.now()


def step_for(archive: Archive, action: str, actor: str | None, at: str | None, args: dict):
    """The step a command asks for: who, when (default now) and the arguments as given."""
    from kesu.engine import Step
    from kesu.values import isoformat

    return Step(action, actor_of(archive, actor) or "", isoformat(when(archive, at)), args)


def print_json(data: Any) -> None:
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: Iterable[list[Any]]) -> None:
    """A table that lines up Chinese text (tabulate measures width with wcwidth)."""
    import tabulate

    tabulate.WIDE_CHARS_MODE = True
    print(tabulate.tabulate(list(rows), headers=headers, tablefmt="simple",
                            disable_numparse=True))


def print_csv(headers: list[str], rows: Iterable[list[Any]]) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)


def report_unreadable(errors: list) -> int:
    """Name each case file a listing could not read, on stderr; 1 when there is any.

    A listing that leaves a case out must say so: during an unfinished merge
    a case file holds conflict markers, and a silent list would hide it.
    """
    for error in errors:
        print(f"kesu: {error}" if not error.path else str(error), file=sys.stderr)
    if errors:
        print(f"kesu: {len(errors)} case file{'s' if len(errors) > 1 else ''} could not be read "
              "and {} left out".format("are" if len(errors) > 1 else "is"), file=sys.stderr)
    return 1 if errors else 0


def print_freshness(archive: Archive) -> None:
    """In a clone, say on stderr when it last synced (the table itself stays on stdout)."""
    from kesu.team.freshness import freshness_line

    line = freshness_line(archive.root, archive.now())
    if line:
        print(line, file=sys.stderr)
