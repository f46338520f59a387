"""kesu library add / build: the case library for training."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kesu.i18n import _

from kesu.commands.common import (ActorOpt, ArchiveOpt, AtOpt, CaseArg, case_id_of, name_left_out,
                                  open_archive, step_for)

app = typer.Typer(help="The case library: entries for training, in library/.",
                  no_args_is_help=True)


@app.command("add")
def add(
    case_id: CaseArg,
    lessons: Annotated[str, typer.Option("--lessons", help="Lessons learned.")],
    value: Annotated[Optional[str], typer.Option("--value", help="Why this case matters.")] = None,
    caveats: Annotated[Optional[str], typer.Option("--caveats", help="What to watch when spreading it.")] = None,
    five_whys: Annotated[Optional[list[str]], typer.Option("--five-whys", help="One answer of the 5 Whys (repeatable, in order).")] = None,
    typical: Annotated[bool, typer.Option("--typical", help="Mark the case as typical (lets an open case in as a draft).")] = False,
    draft: Annotated[bool, typer.Option("--draft", help="Add an open high-risk or typical case as a draft.")] = False,
    at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None,
) -> None:
    """Add a case to the library: records its lessons and renders library/ID.md
    and the index library/README.md, in one commit. The customer's name and
    contact never appear in library files.

    Example: kesu library add KS-20261123-7F3KQ2 --lessons "生鲜到货须抽检" --value "典型食品安全投诉"
    """
    from kesu import library

    arch = open_archive(archive)
    step = step_for(arch, "library", actor, at, {
        "lessons": lessons, "value": value, "caveats": caveats, "five_whys": five_whys,
        "typical": typical, "draft": draft})
    case_id = case_id_of(arch, case_id)
    done = library.add(arch, case_id, step)
    print(f"{done.case_id}: library ({done.to_state}) {done.commit[:10]} -> {library.entry_path(case_id)}")


@app.command("build")
def build(archive: ArchiveOpt = None) -> int:
    """Render every library entry and the index again (after a template change), in one commit.

    A case file kesu cannot read is named on stderr and left out (exit 1)."""
    from kesu import library

    arch = open_archive(archive)
    count, sha = library.build(arch)
    if sha is None:
        print(_("library: {n} entries, nothing changed").format(n=count))
    else:
        print(_("library: rebuilt {n} entries {commit}").format(n=count, commit=sha[:10]))
    return name_left_out(arch)


COMMANDS = {"library": app}
