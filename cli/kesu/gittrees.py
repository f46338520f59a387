"""What git knows about files under a folder, for the case index: which blob
each path holds in a commit, which paths changed between two commits, and
which differ in the work tree. Part of kesu's git module (see gitio)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kesu.errors import GitError
from kesu.gitio import _explain, run_bytes
from kesu.i18n import _

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


def work_tree_files(root: Path, folder: str) -> list[str]:
    """Files under ``folder`` in the work tree that git tracks or would add (not ignored ones)."""
    out = run_bytes(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", folder)
    return sorted({entry.decode("utf-8", "replace") for entry in out.split(b"\0") if entry})


class BlobReader:
    """Blobs read batch after batch from one ``git cat-file --batch``, for a build
    of the index that reads every case file.

    Case files are stored as deltas of one another, in chains up to fifty long.
    One process for the whole build keeps the bases it inflated for the next
    batch, where a process per batch inflated them again; and a cache of 256 MB
    (git's default is 96 MB) holds what 100,000 cases need: reading them costs
    a tenth of the CPU it did.
    """

    #: Names written at a time: fewer bytes than a pipe holds, so neither side waits on the other.
    AT_ONCE = 200

    def __init__(self, root: Path):
        from kesu.gitio import GIT

        try:
            self.proc = subprocess.Popen([*GIT, "-c", "core.deltaBaseCacheLimit=256m", "cat-file", "--batch"],
                                         cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
        except FileNotFoundError:
            raise GitError(_("git is not installed or not on PATH")) from None

    def read(self, names: list[str]) -> list[bytes | None]:
        """The contents of the objects, in the order asked; None for one that does not exist."""
        if any("\n" in name for name in names):
            raise GitError(_("an object name cannot contain a newline"))
        found: list[bytes | None] = []
        for start in range(0, len(names), self.AT_ONCE):
            part = names[start:start + self.AT_ONCE]
            self.proc.stdin.write("".join(f"{name}\n" for name in part).encode())
            self.proc.stdin.flush()
            for _name in part:
                found.append(self._next())
        return found

    def _next(self) -> bytes | None:
        header = self.proc.stdout.readline()
        if not header:
            raise GitError(_("git {command} failed: {reason}").format(
                command="cat-file", reason=_explain("", f"exit {self.proc.wait()}")))
        parts = header.split()
        if len(parts) != 3 or not parts[2].isdigit():  # "<name> missing", "<name> ambiguous"
            return None
        size = int(parts[2])
        data = self.proc.stdout.read(size + 1)  # the content is followed by a newline
        return data[:size]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.wait()
