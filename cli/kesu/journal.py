"""A step is all or nothing, even when kesu is killed or the disk is full.

Before a step writes into the work tree it records, under ``.git/kesu-journal/``,
the HEAD it starts from and a hard link to each file it will replace (a link
takes no room on the disk, and the new content is written to a new file and
renamed over the old one, so the link keeps the old content). Then:

- the commit lands: the journal is removed;
- the step fails (a hook, signing, a full disk, Ctrl-C): each file is put back
  by renaming its link over it — a rename needs no room on a full disk — and
  the journal is removed;
- kesu is killed half-way: the journal stays, and the next kesu command that
  changes the archive finishes the step (HEAD moved: the commit landed) or
  undoes it (HEAD did not), under the archive's lock, and says which.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kesu import gitio
from kesu.i18n import _

FOLDER = "kesu-journal"
#: What recovery did in this process, for the command line to tell the user.
NOTES: list[str] = []


def _folder(root: Path) -> Path:
    return gitio.git_dir(root) / FOLDER


def _kept(folder: Path, rel: str) -> Path:
    return folder / rel.replace("/", "%")


def begin(root: Path, rels: list[str], head: str | None) -> None:
    """Record the step about to write ``rels`` on top of ``head``."""
    folder = _folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    new = []
    for rel in rels:
        kept = _kept(folder, rel)
        kept.unlink(missing_ok=True)
        if (root / rel).is_file():
            os.link(root / rel, kept)
        else:
            new.append(rel)
    step = folder / "step.json"
    with open(step, "w", encoding="utf-8") as handle:
        json.dump({"head": head, "files": rels, "new": new}, handle)
        handle.flush()
        os.fsync(handle.fileno())


def end(root: Path) -> None:
    """The step is over (committed or undone): forget it."""
    folder = _folder(root)
    if not folder.is_dir():
        return
    (folder / "step.json").unlink(missing_ok=True)  # first: without it the rest means nothing
    for leftover in folder.iterdir():
        leftover.unlink(missing_ok=True)
    folder.rmdir()


def undo(root: Path, rels: list[str]) -> None:
    """Put ``rels`` back as they were when the step began, and their index entries.

    Safe to run again when it was itself cut off: a file put back already has
    no kept copy left, and only a file the step created is removed."""
    folder = _folder(root)
    step = pending(root) or {}
    created = set(step["new"]) if isinstance(step.get("new"), list) else None
    for rel in rels:
        kept, target = _kept(folder, rel), root / rel
        if kept.exists():
            os.replace(kept, target)
        elif created is None or rel in created:
            target.unlink(missing_ok=True)  # the step created it
        stray = target.with_name(f".{target.name}.kesu-tmp")
        stray.unlink(missing_ok=True)
    gitio.unstage(root, rels)
    end(root)


def pending(root: Path) -> dict | None:
    """The step an interrupted kesu left behind, or None."""
    try:
        return json.loads((_folder(root) / "step.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def interrupted(root: Path) -> dict | None:
    """The pending step, when no kesu is running it any more (a kesu step holds the
    archive's lock; its own hooks, e.g. ``kesu validate``, see the journal too)."""
    step = pending(root)
    if step is None:
        return None
    import fcntl

    try:
        fd = os.open(gitio.git_dir(root) / "kesu.lock", os.O_RDONLY)
    except OSError:
        return step
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return None  # the step is still running
    finally:
        os.close(fd)
    return step


def recover(root: Path) -> None:
    """Finish or undo an interrupted step; called with the archive's lock held."""
    step = pending(root)
    if step is None:
        if _folder(root).is_dir():
            end(root)  # killed before the journal was complete: nothing was written yet
        return
    files = [rel for rel in step.get("files", []) if isinstance(rel, str)]
    _remove_stale_git_locks(root)
    if gitio.head(root) != step.get("head"):
        gitio.unstage(root, files)  # git may have died before writing its index
        end(root)
        NOTES.append(_("kesu: an interrupted step had been committed; finished it ({files})").format(files=", ".join(files)))
        return
    undo(root, files)
    NOTES.append(_("kesu: undid a step that was interrupted before its commit ({files})").format(files=", ".join(files)))


def _remove_stale_git_locks(root: Path) -> None:
    """git's lock files (the index, HEAD, the branch), when the git that the
    interrupted step ran made them (they are newer than the journal) and died with
    them; we hold kesu's lock, so no kesu runs, and a commit of the user's own
    would be older than the journal or still running under our feet."""
    git_dir = gitio.git_dir(root)
    branch = gitio.current_branch(root)
    locks = ["index.lock", "HEAD.lock"] + ([f"refs/heads/{branch}.lock"] if branch else [])
    try:
        started = (_folder(root) / "step.json").stat().st_mtime
    except OSError:
        return
    for name in locks:
        lock = git_dir / name
        try:
            if lock.stat().st_mtime >= started:
                lock.unlink()
                NOTES.append(_("kesu: removed .git/{name} left by git when the step was interrupted").format(name=name))
        except OSError:
            pass


def take_notes() -> list[str]:
    notes = NOTES[:]
    NOTES.clear()
    return notes
