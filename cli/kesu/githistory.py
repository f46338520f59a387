"""Reading git history: part of kesu's git module, with gitio.

gitio runs git and answers about the work tree, the index and HEAD; this
module asks ``git log`` about the past and parses what it prints into
Python values, so no other module reads git's output. ``kesu history``, the
audit and the demo read history through it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kesu import gitio
from kesu.trailers import KEYS, Trailers, read as read_trailers

#: kesu shows a commit by this many hex digits of its id (history, audit).
SHORT = 10


# ------------------------------------------------------------------ steps of one case
@dataclass(frozen=True)
class LoggedStep:
    """One commit of a case's history, as ``kesu history`` shows it."""

    commit: str
    committed: datetime
    #: What its kesu trailers say; None for a commit without any.
    trailers: Trailers | None


def step_log(root: Path, paths: list[str]) -> list[LoggedStep]:
    """Every commit touching ``paths``, oldest first, with its kesu trailers."""
    keys = ",".join(f"key={key}" for key in KEYS)
    fmt = f"%H%x1f%cI%x1f%(trailers:{keys},separator=%x1f)%x1e"
    out = gitio.run(root, "log", "--reverse", f"--format={fmt}", "--", *paths)
    steps = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, committed, *found = record.split("\x1f")
        steps.append(LoggedStep(sha, datetime.fromisoformat(committed),
                                read_trailers("\n".join(found))))
    return steps


def oneline_log(root: Path, count: int) -> list[str]:
    """The last ``count`` commits as ``git log --oneline`` prints them, newest first."""
    return gitio.run(root, "log", "--oneline", f"-{count}").splitlines()


# ------------------------------------------------------------------ the audit's history
@dataclass
class Change:
    """One file a commit changed, from ``git log --raw``."""

    status: str            # A M D T R (rename), or "merge" for a merge's combined entry
    path: str
    old: str | None        # blob id before the commit (None: the file did not exist)
    new: str | None        # blob id after it (None: deleted)
    new_path: str | None = None   # where a renamed file went


@dataclass
class Commit:
    """A commit with every file it changed and, when asked for, its signature."""

    sha: str
    parents: list[str]
    committed: datetime
    #: The trailer paragraph as git reads it (``%(trailers:only,unfold)``).
    trailers: str
    changes: list[Change]
    signature: str = ""    # %G?: G good, N none, B bad, ...
    signer: str = ""       # %GS
    key: str = ""          # %GK
    fingerprint: str = ""  # %GF

    @property
    def short(self) -> str:
        return self.sha[:SHORT]


def read_history(root: Path, paths: list[str], since: str | None = None,
                 signatures: bool = False) -> list[Commit]:
    """Every commit touching ``paths``, oldest first, parents before children.

    One ``git log`` process. ``--full-diff`` lists every file of those
    commits, not only the ones under ``path``, so a step that smuggles in
    another file shows; ``--cc`` lists what a merge changed beyond its
    parents. Records are delimited by a random token, so no commit message
    can forge one.
    """
    token = secrets.token_hex(8)
    sep = f"%x1f{token}"
    fields = ["%H", "%P", "%ct"] + (["%G?", "%GK", "%GF", "%GS"] if signatures else [])
    fields.append("%(trailers:only,unfold)")
    fmt = f"%x1e{token}" + sep.join(fields) + f"%x1d{token}"
    revs = [f"{since}..HEAD"] if since else ["HEAD"]
    # --full-history: a merge that kept one side's file (``-s ours``, "keep mine")
    # must not hide the other side's commits, as git's simplification would.
    args = ["log", "--reverse", "--topo-order", "--full-history", "--raw", "--no-abbrev", "-z", "--full-diff",
            "--find-renames", "--root", "--cc", "--no-color", "--no-show-signature",
            "--no-textconv", "--no-relative", f"--format={fmt}", "--end-of-options", *revs,
            "--", *paths]
    out = gitio.run_bytes(root, *args).decode("utf-8", "surrogateescape")
    commits = []
    for record in out.split(f"\x1e{token}")[1:]:
        header, _, raw = record.partition(f"\x1d{token}")
        values = header.split(f"\x1f{token}")
        sha, parents, committed = values[0], values[1].split(), values[2]
        commit = Commit(sha, parents, datetime.fromtimestamp(int(committed), timezone.utc),
                        trailers=values[-1], changes=_raw_changes(raw))
        if signatures:
            commit.signature, commit.key, commit.fingerprint, commit.signer = values[3:7]
        commits.append(commit)
    return commits


def _raw_changes(raw: str) -> list[Change]:
    """Parse ``--raw -z`` entries: ``:modes… shas… STATUS\\0path\\0[new path\\0]``.

    A merge's combined entry starts with one colon per parent.
    """
    tokens = raw.split("\0")
    changes = []
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip("\n")
        i += 1
        if not meta.startswith(":"):
            continue
        colons = len(meta) - len(meta.lstrip(":"))
        parts = meta[colons:].split(" ")
        shas = parts[colons + 1:2 * colons + 2]
        status = parts[-1]
        path = tokens[i]
        i += 1
        new_path = None
        if status[:1] in ("R", "C"):
            new_path = tokens[i]
            i += 1
        old, new = shas[0], shas[-1]
        changes.append(Change("merge" if colons > 1 else status[:1], path,
                              _blob_or_none(old), _blob_or_none(new), new_path))
    return changes


def _blob_or_none(oid: str) -> str | None:
    """git writes an all-zero id for the side of a change where the file is absent."""
    return oid if oid.strip("0") else None


def paths_added(root: Path, until: str, path: str) -> dict[str, str]:
    """Files under ``path`` added at or before commit ``until``, each with the latest
    commit that added it."""
    out = gitio.run_bytes(root, "log", "--format=%x1e%H", "--name-only", "-z", "--no-renames",
                          "--diff-filter=A", "--end-of-options", until, "--",
                          path).decode("utf-8", "surrogateescape")
    seen: dict[str, str] = {}
    for record in out.split("\x1e")[1:]:
        sha, _, names = record.partition("\n")
        for name in names.split("\0"):
            name = name.strip("\n")
            if name:
                seen.setdefault(name, sha.strip())
    return seen


def first_parent_times(root: Path, since: str | None = None) -> list[tuple[str, str | None, int]]:
    """``(commit, first parent, committer time)`` along HEAD's first-parent line, newest first."""
    revs = [f"{since}..HEAD"] if since else ["HEAD"]
    out = gitio.run(root, "log", "--first-parent", "--format=%H %P %ct", "--end-of-options", *revs)
    line_of = []
    for line in out.splitlines():
        sha, *parents, committed = line.split()
        line_of.append((sha, parents[0] if parents else None, int(committed)))
    return line_of


def tree_blobs(root: Path, rev: str, folder: str) -> dict[str, str]:
    """Every file under ``folder`` at ``rev``, with its blob id."""
    out = gitio.run_bytes(root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev,
                          "--", folder).decode("utf-8", "surrogateescape")
    blobs = {}
    for entry in out.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob":
            blobs[path] = parts[2]
    return blobs


# ------------------------------------------------------------------ commits sync carries over
@dataclass(frozen=True)
class LocalCommit:
    """A commit of this clone that its remote does not have yet."""

    sha: str
    parent: str
    author_name: str
    author_email: str
    #: ``<seconds> <offset>``, as GIT_AUTHOR_DATE takes it back.
    author_date: str
    #: When it was committed here, ISO 8601 with the committer's offset.
    committed: str
    message: str
    #: (status, path) of every file it changed against its parent: A, M, D.
    changes: tuple[tuple[str, str], ...]

    @property
    def short(self) -> str:
        return self.sha[:SHORT]


def unpushed_commits(root: Path, upstream: str, head: str = "HEAD") -> list[LocalCommit]:
    """The commits of ``head`` that ``upstream`` lacks, oldest first, merges left out
    (what a merge joined comes again from its two sides)."""
    token = secrets.token_hex(8)
    fields = ["%H", "%P", "%an", "%ae", "%ad", "%cI", "%B"]
    fmt = f"%x1e{token}" + f"%x1f{token}".join(fields) + f"%x1d{token}"
    out = gitio.run_bytes(root, "log", "--reverse", "--topo-order", "--no-merges", "--no-renames",
                          "--name-status", "-z", "--date=raw", "--no-color", f"--format={fmt}",
                          "--end-of-options", f"{upstream}..{head}", "--")
    commits = []
    for record in out.decode("utf-8", "surrogateescape").split(f"\x1e{token}")[1:]:
        header, _, raw = record.partition(f"\x1d{token}")
        sha, parents, name, email, date, committed, message = header.split(f"\x1f{token}")
        tokens = [t.strip("\n") for t in raw.split("\0")]
        changes = []
        i = 0
        while i + 1 < len(tokens):
            if tokens[i]:
                changes.append((tokens[i][:1], tokens[i + 1]))
                i += 2
            else:
                i += 1
        commits.append(LocalCommit(sha, (parents.split() or [""])[0], name, email, date, committed,
                                   message, tuple(changes)))
    return commits
