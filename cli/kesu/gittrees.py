"""What git knows about files under a folder, for the case index: which blob
each path holds in a commit, which paths changed between two commits, and
which differ in the work tree. Part of kesu's git module (see gitio)."""

from __future__ import annotations

from pathlib import Path

from kesu.errors import GitError
from kesu.gitio import run_bytes

#: The tree of a repository without commits.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # not a name kesu ever writes


def _blob(mode: bytes, blob: bytes) -> str:
    """A blob id; a symbolic link's marked ``link:`` (it is not a case file's content)."""
    return ("link:" if mode == b"120000" else "") + blob.decode()


def tree_blobs(root: Path, commit: str, folder: str) -> dict[str, str]:
    """``{path: blob id}`` of every file under ``folder`` in ``commit``."""
    out = run_bytes(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
    found = {}
    for entry in out.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        fields = meta.split()
        path = _text(raw)
        if len(fields) == 3 and fields[1] == b"blob" and path:
            found[path] = _blob(fields[0], fields[2])
    return found


def changed_blobs(root: Path, old: str, new: str, folder: str) -> dict[str, str | None] | None:
    """``{path: new blob id, or None when deleted}`` between two commits; None when
    ``old`` is no longer in the repository (history rewritten, or collected)."""
    try:
        out = run_bytes(root, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id",
                        old, new, "--", folder)
    except GitError:
        return None
    parts = out.split(b"\0")
    found: dict[str, str | None] = {}
    for meta, raw in zip(parts[0::2], parts[1::2]):
        fields = meta.split()  # :old_mode new_mode old_blob new_blob status
        path = _text(raw)
        if len(fields) != 5 or not path:
            continue
        found[path] = None if fields[4].startswith(b"D") or set(fields[3]) == {ord("0")} \
            else _blob(fields[1], fields[3])
    return found


def worktree_changes(root: Path, folder: str) -> set[str]:
    """Paths under ``folder`` whose work-tree file differs from HEAD: modified,
    staged, deleted or not tracked yet. Takes no lock, so it never stands in the
    way of a commit running beside it."""
    out = run_bytes(root, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--no-renames",
                    "--untracked-files=all", "--ignore-submodules", "--", folder)
    return {path for entry in out.split(b"\0") if len(entry) > 3 and (path := _text(entry[3:]))}
