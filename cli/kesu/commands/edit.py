"""kesu edit."""

from __future__ import annotations

from kesu.i18n import _
from kesu.commands.common import (ActorOpt, ArchiveOpt, AtOpt, CaseArg, actor_of, case_id_of, open_archive,
                                  when)



def edit(case_id: CaseArg, at: AtOpt = None, actor: ActorOpt = None, archive: ArchiveOpt = None) -> None:
    """Correct what the customer said (customer and complaint sections) in $EDITOR;
    checked, then committed as an 'edit' step.

    Money, approvals, owners and outcomes change only through their own steps,
    and state and timeline never by hand. An edit that is refused is kept in a
    recovery file whose path is printed.
    Example: EDITOR=nano kesu edit KS-20261123-7F3KQ2
    """
    from kesu.editing import edit_case
    from kesu.values import isoformat

    arch = open_archive(archive)
    case_id = case_id_of(arch, case_id)
    done = edit_case(arch, case_id, actor_of(arch, actor), isoformat(when(arch, at)), run_editor)
    if done is None:
        print(_("{case}: no changes").format(case=case_id))
    else:
        print(f"{done.case_id}: edit {done.commit[:10]}")


def run_editor(text: str) -> str:
    import os
    import shlex
    import subprocess
    import tempfile

    from kesu.errors import UsageError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="kesu-edit-") as folder:
        path = os.path.join(folder, "case.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            result = subprocess.run([*shlex.split(editor), path])
        except FileNotFoundError:
            raise UsageError(_("editor {editor!r} not found; set EDITOR").format(editor=editor)) from None
        if result.returncode != 0:
            raise UsageError(_("the editor exited with status {status}; nothing was changed").format(
                status=result.returncode))
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            raise UsageError(_("the editor removed the file it was editing; nothing was changed")) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(_("cannot read what the editor saved ({reason}); nothing was changed").format(
                reason=exc)) from None


COMMANDS = {"edit": edit}
