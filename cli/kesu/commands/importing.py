"""kesu import: bring a store's complaint ledger (投诉登记表) into the archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ActorOpt, ArchiveOpt, actor_of, open_archive


def import_ledger(
    file: Annotated[Optional[Path], typer.Argument(metavar="FILE", help="The ledger: .csv (UTF-8 or GBK) or .xlsx.", show_default=False)] = None,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", metavar="FILE", help="How the ledger's columns and cells read (default: kesu's field names and the shipped 投诉登记表 layout).")] = None,
    template: Annotated[bool, typer.Option("--template", help="Print the shipped mapping, to copy and adapt, and stop.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and say what would be imported; write nothing.")] = False,
    owner: Annotated[Optional[str], typer.Option("--owner", metavar="NAME", help="Owner of the cases whose row names none (default: the actor).")] = None,
    actor: ActorOpt = None,
    archive: ArchiveOpt = None,
) -> int:
    """Import a complaint ledger: every row becomes a case, in one commit, or nothing.

    Historical cases keep their dates and states: a closed row arrives closed,
    its timeline rebuilt from the ledger's dates. Rows that repeat a case
    (same contact, time received and summary) are reported and left out.
    Problems are listed as FILE:ROW: message; with any, nothing is imported
    (exit 2; with --dry-run, exit 1).

    Example: kesu import 3号店投诉登记表.xlsx --dry-run
    """
    from kesu.errors import UsageError
    from kesu.importer import mapping as mappings
    from kesu.importer import run

    if template:
        print(mappings.shipped_text(), end="")
        return 0
    if file is None:
        raise UsageError(_("name the ledger to import: kesu import FILE (or --template)"))
    arch = open_archive(archive)
    label = str(file)
    chosen = mappings.load(mapping, str(mapping)) if mapping else mappings.shipped()
    who = actor_of(arch, actor)
    if not dry_run or who:
        from kesu.record import check_actor

        who = check_actor(arch, who)
    if owner:
        arch.policy.member(owner)
    result = run.plan(arch, file, label, chosen, who or "", owner or who or "",
                      _progress if sys.stderr.isatty() else None)
    for item in sorted(result.problems + result.notes + result.duplicates, key=lambda p: p.row):
        print(f"{label}:{item.row}: {_('note: ') if item.note else ''}{item.message}", file=sys.stderr)
    summary = _("{rows} rows: {files} to import, {duplicates} duplicate(s), {problems} with problems").format(
        rows=result.rows, files=len(result.files), duplicates=len(result.duplicates),
        problems=len({p.row for p in result.problems}))
    if dry_run:
        print(_("{summary}; nothing was written (dry run)").format(summary=summary))
        return 1 if result.problems else 0
    if result.problems:
        raise UsageError(_("{summary}; nothing was imported").format(summary=summary))
    if not result.files:
        print(_("{summary}; nothing to import").format(summary=summary))
        return 0
    from kesu.values import isoformat

    sha = run.commit(arch, result, who, isoformat(arch.now()), file.name)
    print(_("imported {n} complaints in commit {commit} ({summary})").format(
        n=len(result.files), commit=sha[:10], summary=summary))
    return 0


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    bar = "#" * filled + "." * (width - filled)
    sys.stderr.write("\r" + _("reading {done}/{total} rows [{bar}]").format(done=done, total=total, bar=bar) + end)
    sys.stderr.flush()


COMMANDS = {"import": import_ledger}
