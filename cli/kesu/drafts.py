"""The draft of an interrupted interactive intake, kept so no typed word is lost.

One draft per archive, under .git/ (never committed, never pushed: it holds
what a customer said before it became a case). ``kesu new --resume`` starts
from it and deletes it once the complaint is recorded.
"""

from __future__ import annotations

from pathlib import Path

from kesu import gitio, yamlio
from kesu.i18n import _
from kesu.archive import write_atomic
from kesu.errors import UsageError

DRAFT_NAME = "kesu-draft-new.yaml"


def draft_path(root: Path) -> Path:
    return gitio.git_dir(root) / DRAFT_NAME


def save(root: Path, data: dict) -> Path:
    path = draft_path(root)
    write_atomic(path, yamlio.dump(data))
    return path


def load(root: Path) -> dict:
    path = draft_path(root)
    if not path.is_file():
        raise UsageError(_("there is no interrupted 'kesu new' to resume"))
    data = yamlio.load(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, dict):
        raise UsageError(_("the draft is not readable; delete it"), str(path), 1)
    return data


def discard(root: Path) -> None:
    draft_path(root).unlink(missing_ok=True)
