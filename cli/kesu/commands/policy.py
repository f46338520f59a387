"""kesu policy edit: change kesu.yaml as a recorded, checked step."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ActorOpt, ArchiveOpt, AtOpt, actor_of, open_archive, when

app = typer.Typer(help="The archive's policy (kesu.yaml): roster, limits, deadlines, vocabularies.",
                  no_args_is_help=True)


@app.command("edit")
def edit(
    approver: Annotated[Optional[str], typer.Option(
        "--approver", metavar="NAME",
        help="A second person who may change the policy, when the change touches your own "
             "limit or role, the audit or approval settings, or who may change the policy.")] = None,
    from_file: Annotated[Optional[str], typer.Option(
        "--from-file", metavar="FILE", help="Take the new kesu.yaml from FILE instead of an editor.")] = None,
    at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None,
) -> None:
    """Change kesu.yaml in $EDITOR; checked, then committed as a policy step.

    Only people whose role is in policy.roles (default operations, legal) may
    change it, and the audit flags a kesu.yaml changed any other way.
    Example: kesu policy edit --actor wang.fang
    """
    from kesu.record import record_policy
    from kesu.values import isoformat

    arch = open_archive(archive)
    sha = record_policy(arch, _new_text(from_file), actor_of(arch, actor) or "",
                        isoformat(when(arch, at)), approver)
    print(_("kesu.yaml: no changes") if sha is None else _("kesu.yaml: policy {commit}").format(commit=sha[:10]))


def _new_text(from_file: str | None):
    if from_file is None:
        from kesu.commands.edit import run_editor

        return run_editor

    def read(_current: str) -> str:
        from pathlib import Path

        from kesu.errors import UsageError

        try:
            return Path(from_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(_("{flag} {path}: cannot read it ({reason})").format(
                flag="--from-file", path=from_file, reason=exc)) from None

    return read


COMMANDS = {"policy": app}
