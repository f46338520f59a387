"""Everything kesu asks of git goes through this module and githistory.

Together they are kesu's git module: every git command and every parsing
of git's output, returning Python values. This half holds the plumbing
(running git, HEAD, the index, committing); githistory reads ``git log``.

It drives the git command line directly. That is what DESIGN asks for
(commits go through the git CLI so the user's hooks and ``commit.gpgsign``
apply), and it keeps a transition fast: importing GitPython alone costs more
than the whole ``git commit`` it would wrap.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from kesu.errors import GitError
from kesu.i18n import _


#: How kesu runs git: never through replace objects (``git replace`` can show any
#: commit with another tree; kesu reads, records and audits what is really stored).
GIT = ("git", "--no-replace-objects")


def _explain(stderr: str, fallback: str) -> str:
    """The most telling line of git's (or a hook's) complaint."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else fallback


def run(root: Path, *args: str, stdin: str | None = None, check: bool = True,
        env: dict | None = None) -> str:
    """Run ``git args…`` in ``root``; return stdout, raise ``GitError`` on failure."""
    try:
        proc = subprocess.Popen(
            [*GIT, *args], cwd=root, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, **env} if env else None,
        )
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH")) from None
    try:
        stdout, stderr = proc.communicate(stdin)
    except BaseException:
        # Ctrl-C (or SIGTERM turned into an exception): let git finish and remove
        # its own index.lock; killing it would leave the lock behind for the user.
        proc.communicate()
        raise
    if check and proc.returncode != 0:
        raise GitError(_("git {command} failed: {reason}").format(
            command=args[0], reason=_explain(stderr, f"exit {proc.returncode}")))
    return stdout


def is_repo(path: Path) -> bool:
    proc = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path,
                          capture_output=True, text=True)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def git_dir(root: Path) -> Path:
    """The repository's git directory, without spawning git for the common case."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # a linked worktree or submodule: "gitdir: <path>"
        target = dot_git.read_text(encoding="utf-8").partition("gitdir:")[2].strip()
        return (root / target).resolve()
    return Path(run(root, "rev-parse", "--absolute-git-dir").strip())


def head(root: Path) -> str | None:
    """The commit HEAD points at, or None in a repository without commits.

    Read from the ref files when they are plain (the common case: one
    process less on every step); anything unusual is left to git itself.
    """
    try:
        gdir = git_dir(root)
        ref = (gdir / "HEAD").read_text(encoding="utf-8").strip()
        if not ref.startswith("ref: "):
            return ref or None
        name = ref[5:]
        loose = gdir / name
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
        packed = gdir / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + name):
                    return line.split(" ", 1)[0]
        if not (gdir / "commondir").exists() and not (gdir / "reftable").exists():
            return None  # an unborn branch
    except OSError:
        pass
    proc = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root,
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def dirty_paths(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` whose working copy or index differs from HEAD."""
    out = run(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", *paths)
    return [entry[3:] for entry in out.split("\0") if entry]


def uncommitted_paths(root: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` that differ from HEAD, untracked files included."""
    out = run(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
    return [entry[3:] for entry in out.split("\0") if entry]


def blob_id(content: bytes) -> bytes:
    """The id git gives a file with this content (SHA-1 repositories)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(content) + content).digest()


def index_matches(root: Path, path: str, content: bytes) -> bool:
    """True when git's index holds exactly ``content`` for ``path``.

    A fast, process-free answer for the common case, read straight from the
    index file (format versions 2 and 3). False means "not sure": the caller
    then asks ``git status``, which is always right (it also knows about
    clean/smudge filters, split indexes and index version 4).
    """
    try:
        data = (git_dir(root) / "index").read_bytes()
    except OSError:
        return False
    if data[:4] != b"DIRC" or int.from_bytes(data[4:8], "big") not in (2, 3):
        return False
    name = path.encode("utf-8")
    want = blob_id(content)
    start = data.find(name + b"\0", 12)
    while start != -1:
        # v2 entry: ... sha1(20) flags(2) name; v3 adds 2 bytes after flags
        # when the "extended" bit is set.
        for gap in (0, 2):
            flags = int.from_bytes(data[start - 2 - gap:start - gap], "big")
            if (flags & 0x0FFF) == min(len(name), 0x0FFF) and bool(flags & 0x4000) == bool(gap) \
                    and not flags & 0x3000:
                return data[start - 22 - gap:start - 2 - gap] == want
        start = data.find(name + b"\0", start + 1)
    return False


def staged_paths(root: Path) -> list[str]:
    """Paths whose staged content differs from HEAD."""
    out = run(root, "diff", "--cached", "--name-only", "-z")
    return [p for p in out.split("\0") if p]


def commit(root: Path, paths: list[str], message: str, new: list[str] = (),
           staged: list[str] | None = None, contents: dict[str, bytes] | None = None) -> str:
    """Commit exactly ``paths`` as they are in the work tree; return the commit id.

    Nothing else may ride along: when the user has other changes staged,
    ``--only`` commits our paths alone (and leaves theirs staged; it writes a
    temporary copy of the whole index, so it is the slower way). Otherwise
    ``--include`` stages and commits our paths in one process. ``new`` are
    files git does not track yet; ``staged`` is the user's staged paths when
    the caller already knows them; ``contents``, what the caller has just
    written to ``paths``, lets a long list be staged quicker (gitcommits.stage_many).
    """
    others = set(staged_paths(root) if staged is None else staged) - set(paths)
    if len(paths) > BULK and not others:
        # Many paths (an import): named on the command line, each one is matched
        # against every index entry, and a long enough list does not fit at all.
        # Staging them from stdin and committing the index is the same commit.
        from kesu.gitcommits import stage_many

        stage_many(root, paths, contents)
        run(root, "commit", "-q", "-F", "-", stdin=message)
        return head(root) or ""
    if new:
        add(root, new)
    mode = "--only" if others else "--include"
    run(root, "commit", "-q", mode, "-F", "-", "--", *paths, stdin=message)
    return head(root) or ""


#: Beyond this many paths, git is handed path lists on stdin rather than as arguments.
BULK = 64


def add(root: Path, paths: list[str]) -> None:
    """Stage ``paths`` (files or whole folders) as they are in the work tree."""
    run(root, "add", "--", *paths)


def commit_staged(root: Path, message: str) -> str:
    """Commit whatever is staged, as a person typing ``git commit`` would; return the commit id."""
    run(root, "commit", "-q", "-m", message)
    return head(root) or ""


def unstage(root: Path, paths: list[str]) -> None:
    """Put the index entries of ``paths`` back to HEAD (after a failed commit).

    Never an unmerged path: resetting it would clear git's "unmerged" mark and
    let a following ``git commit -a`` commit the conflict markers.
    """
    unmerged = set(unmerged_paths(root, paths))
    paths = [p for p in paths if p not in unmerged]
    if not paths:
        return
    if len(paths) > BULK:
        from kesu.gitcommits import unstage_many

        unstage_many(root, paths)
    elif head(root):
        run(root, "reset", "-q", "HEAD", "--", *paths, check=False)
    else:
        run(root, "rm", "-q", "--cached", "--ignore-unmatch", "--", *paths, check=False)


def unmerged_paths(root: Path, paths: list[str] | None = None) -> list[str]:
    """Paths with an open conflict in the index (all of them, or those of ``paths``)."""
    many = paths is not None and len(paths) > BULK
    out = run(root, "ls-files", "--unmerged", "-z", "--", *(paths if paths and not many else []))
    found = {entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry}
    return sorted(found & set(paths) if many else found)


def conflict_markers(root: Path, exclude: tuple[str, ...] = ()) -> dict[str, int]:
    """Tracked files of the work tree holding a merge conflict marker: path -> first line
    (folders in ``exclude`` left out)."""
    pathspec = ["--", ".", *(f":(exclude){folder}" for folder in exclude)] if exclude else []
    proc = subprocess.run(["git", "grep", "-n", "-I", "--null", "--no-color", "-E",
                           "^(<<<<<<<|>>>>>>>)( |$)", *pathspec], cwd=root, capture_output=True)
    found: dict[str, int] = {}
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        path, _sep, rest = line.partition("\0")
        number = rest.partition("\0")[0]
        if number.isdigit():
            found.setdefault(path, int(number))
    return found


# ------------------------------------------------------------------ what git is in the middle of
#: Files in the git directory that say an operation is under way, and its name.
_OPERATIONS = (("MERGE_HEAD", "merge"), ("rebase-merge", "rebase"), ("rebase-apply", "rebase"),
               ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert"))


def operation_in_progress(root: Path) -> str | None:
    """"merge", "rebase", "cherry-pick" or "revert" (git's commands) when one is under way, else None."""
    gdir = git_dir(root)
    for name, what in _OPERATIONS:
        if (gdir / name).exists():
            return what
    return None


def current_branch(root: Path) -> str | None:
    """The branch HEAD is on (``main``), or None when HEAD is detached."""
    try:
        ref = (git_dir(root) / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        ref = run(root, "symbolic-ref", "-q", "HEAD", check=False).strip()
        ref = f"ref: {ref}" if ref else ""
    if ref.startswith("ref: refs/heads/"):
        return ref[len("ref: refs/heads/"):]
    return None


def rev_parse(root: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None when it names none."""
    out = run(root, "rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}",
              check=False)
    return out.strip() or None


def merge_base(root: Path, a: str, b: str) -> str | None:
    return run(root, "merge-base", a, b, check=False).strip() or None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """True when ``ancestor`` is ``descendant`` or one of its ancestors."""
    proc = subprocess.run([*GIT, "merge-base", "--is-ancestor", ancestor, descendant], cwd=root,
                          capture_output=True)
    return proc.returncode == 0


def tracked_changes(root: Path) -> list[str]:
    """Tracked files whose work-tree or staged content differs from HEAD."""
    out = run(root, "status", "--porcelain=v1", "-z", "--untracked-files=no")
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


def tree_files(root: Path, commit: str, folder: str) -> list[str]:
    """Paths of the files under ``folder`` in ``commit``."""
    out = run(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", folder)
    return [p for p in out.split("\0") if p]


def move_branch(root: Path, branch: str, commit: str) -> None:
    """Point ``branch`` (checked out, clean) at ``commit`` and update the work tree to it."""
    run(root, "checkout", "-q", "-B", branch, commit)


def fast_forward(root: Path, commit: str) -> None:
    run(root, "merge", "-q", "--ff-only", commit)


def shallow_commits(root: Path) -> set[str]:
    """The commits where a shallow clone's history is cut off (none in a full clone)."""
    try:
        text = (git_dir(root) / "shallow").read_text(encoding="utf-8")
    except OSError:
        return set()
    return {line.strip() for line in text.splitlines() if line.strip()}


def run_bytes(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git args…`` and return its stdout as bytes; raise ``GitError`` on failure.

    For output that is not text kesu may decode strictly: ``-z`` listings
    (paths are bytes in git) and object contents.
    """
    try:
        proc = subprocess.run([*GIT, *args], cwd=root, input=stdin, capture_output=True)
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH")) from None
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        raise GitError(_("git {command} failed: {reason}").format(
            command=args[0], reason=_explain(stderr, f"exit {proc.returncode}")))
    return proc.stdout


#: ``<object id> <type> <size>``, the line before each object ``cat-file --batch`` finds.
_BATCH_HEADER = re.compile(rb"[0-9a-f]{40,64} [a-z]+ (\d+)")


def read_objects(root: Path, names: list[str]) -> list[bytes | None]:
    """The contents of many objects (blob ids, or ``<rev>:<path>``), in the order asked.

    One ``git cat-file --batch`` process serves them all, instead of one
    ``git show`` per object; an object that does not exist comes back as None.
    """
    if not names:
        return []
    if any("\n" in name for name in names):
        raise GitError(_("an object name cannot contain a newline"))
    out = run_bytes(root, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in names).encode())
    contents: list[bytes | None] = []
    pos = 0
    for _name in names:
        end = out.index(b"\n", pos)
        found = _BATCH_HEADER.fullmatch(out, pos, end)
        pos = end + 1
        if found is None:  # "<name> missing" or "<name> ambiguous"
            contents.append(None)
            continue
        size = int(found.group(1))
        contents.append(out[pos:pos + size])
        pos += size + 1  # the content is followed by a newline
    return contents


def object_ids(root: Path, names: list[str]) -> list[str | None]:
    """The object id of each name (``<rev>:<path>``), None where there is none; one process."""
    if not names:
        return []
    if any("\n" in name for name in names):
        raise GitError(_("an object name cannot contain a newline"))
    out = run(root, "cat-file", "--batch-check=%(objectname) %(objecttype)",
              stdin="".join(f"{n}\n" for n in names))
    ids: list[str | None] = []
    for line in out.splitlines():
        oid, _sep, kind = line.partition(" ")
        ids.append(oid if kind in ("blob", "tree", "commit", "tag") else None)
    return ids


def replace_refs(root: Path) -> list[str]:
    """The ``refs/replace/*`` refs: objects someone asked git to show in place of others."""
    return [line for line in run(root, "for-each-ref", "--format=%(refname)",
                                 "refs/replace/").splitlines() if line]


def ref(root: Path, name: str) -> str | None:
    """The commit a ref points at, or None when there is no such ref."""
    value = run(root, "rev-parse", "-q", "--verify", "--end-of-options", f"{name}^{{commit}}",
                check=False).strip()
    return value or None


def set_ref(root: Path, name: str, commit: str, reason: str) -> None:
    run(root, "update-ref", "-m", reason, name, commit)
