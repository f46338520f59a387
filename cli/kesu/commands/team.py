"""kesu clone, kesu setup, kesu sync — and the merge driver git runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _

from kesu.commands.common import ArchiveOpt, open_archive


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def clone(
    url: Annotated[str, typer.Argument(metavar="URL", help="The team's archive: a path, ssh://, https:// or git:// URL.")],
    directory: Annotated[Optional[Path], typer.Argument(metavar="[DIR]", help="Folder of the clone (default: named after the URL).")] = None,
) -> None:
    """Clone the team's archive and set the clone up for working together
    (merge driver for case files, library rendering, pull settings).

    Example: kesu clone git@git.example.com:store/complaints.git complaints
    """
    from kesu import i18n
    from kesu.team import setup

    root, done = setup.clone(url, directory, _on_terminal())
    i18n.choose(i18n.detect(str(root)))  # the clone's language, which no folder had before it existed
    print(_("Cloned {url} into {folder} and set it up:").format(url=url, folder=root))
    _print_done(done)
    print(_("Next: cd into it, record steps, and run 'kesu sync' when you start and before you leave."))


def setup(archive: ArchiveOpt = None) -> None:
    """Set up a clone made with plain 'git clone' for working together: registers
    kesu's merge drivers and settings in .git/config.

    Example: git clone git@git.example.com:store/complaints.git && cd complaints && kesu setup
    """
    from kesu.team.setup import set_up_existing

    arch = open_archive(archive)
    done = set_up_existing(arch.root)
    print(_("Set up {folder} for working together:").format(folder=arch.root))
    _print_done(done)


def _print_done(done: list[tuple[str, dict]]) -> None:
    for message, values in done:
        print("  " + _(message).format(**values))


def sync(
    remote: Annotated[Optional[str], typer.Argument(metavar="[REMOTE]", help="The remote (default: the branch's upstream, else origin).")] = None,
    as_note: Annotated[Optional[list[str]], typer.Option("--as-note", metavar="COMMIT", help="After a clash: keep the other desk's step and record this desk's step COMMIT as a note.")] = None,
    drop: Annotated[Optional[list[str]], typer.Option("--drop", metavar="COMMIT", help="After a clash: leave this desk's commit COMMIT out.")] = None,
    renumber: Annotated[Optional[list[str]], typer.Option("--renumber", metavar="ID", help="After a clash: give this desk's complaint ID a new ID.")] = None,
    archive: ArchiveOpt = None,
) -> int:
    """Fetch, replay this desk's unpushed steps on the remote's latest version
    (each step applied to the remote's version of its case), and push; tries again
    when someone pushed meanwhile. Steps that cannot both stand stop it before
    anything is pushed, naming both and the one command that resolves it.

    Example: kesu sync
    """
    from kesu.team.carry import Resolution
    from kesu.team.sync import sync as run_sync

    arch = open_archive(archive)
    resolution = Resolution(frozenset(as_note or ()), frozenset(drop or ()),
                            frozenset(renumber or ()))
    result = run_sync(arch, remote, _on_terminal(), resolution)
    for old, new, what in result.commits:
        print(f"  {old} -> {new or '-':<10} {what}")
    for old, new in result.renumbered.items():
        print("  " + _("{old} is now {new} on this desk").format(old=old, new=new))
    where = f"{result.remote}/{result.branch}"
    if result.outcome == "up to date":
        print(_("sync: up to date with {where} ({commit})").format(where=where, commit=result.head[:10]))
    elif result.outcome == "fast-forward":
        print(_("sync: got {n} commits from {where} ({commit})").format(
            n=result.received, where=where, commit=result.head[:10]))
    else:
        words = (_("sync: got {got} commits, pushed {n} to {where} ({commit})") if result.received else
                 _("sync: pushed {n} to {where} ({commit})"))
        print(words.format(got=result.received, n=result.pushed, where=where, commit=result.head[:10])
              + (_(" (after {n} tries: others pushed meanwhile)").format(n=result.attempts)
                 if result.attempts > 1 else ""))
    return 0


def merge_driver(
    base: Annotated[str, typer.Argument(metavar="BASE")],
    ours: Annotated[str, typer.Argument(metavar="OURS")],
    theirs: Annotated[str, typer.Argument(metavar="THEIRS")],
    name: Annotated[str, typer.Argument(metavar="PATH")],
    library: Annotated[bool, typer.Option("--library", help="A rendered library file.")] = False,
) -> int:
    """Run by git (see .gitattributes): merge a case file step by step, or render a
    library file again. Leaves the result in OURS; exit 1 leaves a conflict."""
    from kesu import gitio
    from kesu.team import mergedriver

    root = Path.cwd()
    if not (root / ".git").exists():
        root = Path(gitio.run(root, "rev-parse", "--show-toplevel").strip())
    merge = mergedriver.merge_library_file if library else mergedriver.merge_case_file
    return merge(root, base, ours, theirs, name)


COMMANDS = {"clone": clone, "setup": setup, "sync": sync, "merge-driver": merge_driver}
