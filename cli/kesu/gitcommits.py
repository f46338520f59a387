"""Writing commits and blobs off to the side: part of kesu's git module, with gitio.

``kesu sync`` builds the commits it carries onto the remote's tip without
touching the work tree, the index or any branch, so that nothing changes in
the clone until the remote has taken them. ``kesu import`` stores the blobs of
its thousands of files in one pack before it stages them (``store_blobs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kesu.errors import GitError
from kesu.gitio import git_dir, head, run, run_bytes


@dataclass(frozen=True)
class NewCommit:
    """A commit to write on top of the previous one: its message, its author
    (GIT_AUTHOR_NAME/EMAIL/DATE, the date as ``<seconds> <offset>``), and the
    files it sets (text) or removes (None)."""

    message: str
    author: dict[str, str]
    files: dict[str, str | None]


def write_commits(root: Path, parent: str, commits: list[NewCommit]) -> list[str]:
    """Write ``commits`` as a chain on ``parent``, without touching the work tree, the
    index or any branch; return their ids.

    One ``git fast-import`` writes them all. A desk that signs its commits
    (``commit.gpgsign``) gets them from ``git commit-tree -S`` (fast-import
    cannot sign; commit-tree signs only when asked), one tree and commit at a
    time on a private index.
    """
    if not commits:
        return []
    signing = run(root, "config", "--bool", "--get", "commit.gpgsign", check=False).strip() == "true"
    return (_commit_tree_chain if signing else _fast_import_chain)(root, parent, commits)


def _fast_import_chain(root: Path, parent: str, commits: list[NewCommit]) -> list[str]:
    import tempfile

    committer = run(root, "var", "GIT_COMMITTER_IDENT").strip()
    ref = "refs/kesu/outgoing"
    run(root, "update-ref", "-d", ref, check=False)
    stream = bytearray()

    def data(text: str) -> None:
        raw = text.encode("utf-8")
        stream.extend(b"data %d\n" % len(raw) + raw + b"\n")

    for mark, commit in enumerate(commits, 1):
        author = commit.author
        stream.extend(f"commit {ref}\nmark :{mark}\n".encode())
        stream.extend(f"author {author['GIT_AUTHOR_NAME']} <{author['GIT_AUTHOR_EMAIL']}> "
                      f"{author['GIT_AUTHOR_DATE']}\ncommitter {committer}\n".encode("utf-8"))
        data(commit.message)
        if mark == 1:
            stream.extend(f"from {parent}\n".encode())
        for path, text in commit.files.items():
            if text is None:
                stream.extend(f"D {path}\n".encode("utf-8"))
            else:
                stream.extend(f"M 100644 inline {path}\n".encode("utf-8"))
                data(text)
    with tempfile.TemporaryDirectory(prefix="kesu-marks-") as folder:
        marks = Path(folder) / "marks"
        try:
            run_bytes(root, "fast-import", "--quiet", "--date-format=raw",
                      f"--export-marks={marks}", stdin=bytes(stream))
        finally:
            run(root, "update-ref", "-d", ref, check=False)
        ids = dict(line.split() for line in marks.read_text(encoding="utf-8").splitlines())
    return [ids[f":{mark}"] for mark in range(1, len(commits) + 1)]


def _commit_tree_chain(root: Path, parent: str, commits: list[NewCommit]) -> list[str]:
    import tempfile

    written = []
    with tempfile.TemporaryDirectory(prefix="kesu-index-", dir=git_dir(root)) as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        run(root, "read-tree", parent, env=env)
        for commit in commits:
            paths = [p for p, text in commit.files.items() if text is not None]
            blobs = dict(zip(paths, _write_blobs(root, [commit.files[p] for p in paths])))
            lines = "".join(f"0 {'0' * 40}\t{p}\n" if p not in blobs else f"100644 {blobs[p]}\t{p}\n"
                            for p in commit.files)
            run(root, "update-index", "--index-info", stdin=lines, env=env)
            tree = run(root, "write-tree", env=env).strip()
            parent = run(root, "commit-tree", "-S", tree, "-p", parent, "-F", "-",
                         stdin=commit.message, env=commit.author).strip()
            written.append(parent)
    return written


def _write_blobs(root: Path, texts: list[str]) -> list[str]:
    """Store ``texts`` as blobs with one git process; their ids in order."""
    import tempfile

    if not texts:
        return []
    with tempfile.TemporaryDirectory(prefix="kesu-blobs-") as folder:
        names = []
        for i, text in enumerate(texts):
            name = Path(folder) / str(i)
            name.write_bytes(text.encode("utf-8"))
            names.append(str(name))
        out = run(root, "hash-object", "-w", "--no-filters", "--stdin-paths",
                  stdin="".join(f"{n}\n" for n in names))
    return out.split()


def store_blobs(root: Path, contents: list[bytes]) -> list[str]:
    """Store ``contents`` as blobs in one pack, written by one ``git fast-import``;
    their ids in order. Nothing refers to them until a commit does (``git gc``
    drops them otherwise); one pack costs far less than a loose object each."""
    import tempfile

    if not contents:
        return []
    stream = bytearray()
    for mark, raw in enumerate(contents, 1):
        stream.extend(b"blob\nmark :%d\ndata %d\n" % (mark, len(raw)))
        stream.extend(raw)
        stream.extend(b"\n")
    with tempfile.TemporaryDirectory(prefix="kesu-marks-") as folder:
        marks = Path(folder) / "marks"
        run_bytes(root, "fast-import", "--quiet", f"--export-marks={marks}", stdin=bytes(stream))
        ids = dict(line.split() for line in marks.read_text(encoding="utf-8").splitlines())
    return [ids[f":{mark}"] for mark in range(1, len(contents) + 1)]


# ------------------------------------------------------- many paths at once
def _nul_list(paths: list[str]) -> bytes:
    return b"".join(p.encode("utf-8") + b"\0" for p in paths)


def stage_many(root: Path, paths: list[str], contents: dict[str, bytes] | None) -> None:
    """Stage ``paths`` as they are in the work tree.

    With their ``contents`` at hand, the blobs go into one pack (git would
    write a loose object for each file) and the index takes their ids (the
    commit that follows refreshes it: git notes the files' stat data). Not when git would change the bytes on the way in (a clean filter, ``ident``,
    a working-tree encoding): then git stages the files itself.
    """
    if contents is None or _converted_on_add(root, paths):
        run_bytes(root, "update-index", "--add", "-z", "--stdin", stdin=_nul_list(paths))
        return
    ids = store_blobs(root, [contents[p] for p in paths])
    entries = "".join(f"100644 {oid}\t{p}\0" for oid, p in zip(ids, paths))
    run_bytes(root, "update-index", "-z", "--index-info", stdin=entries.encode("utf-8"))


#: Attributes under which ``git add`` stores other bytes than the file's
#: (line endings aside: kesu writes "\n" alone).
_CONVERTING = ("filter", "ident", "working-tree-encoding")


def _converted_on_add(root: Path, paths: list[str]) -> bool:
    out = run_bytes(root, "check-attr", "-z", "--stdin", *_CONVERTING, stdin=_nul_list(paths))
    fields = out.split(b"\0")
    return any(value not in (b"unspecified", b"unset") for value in fields[2::3])


def unstage_many(root: Path, paths: list[str]) -> None:
    """gitio.unstage for a long list, in one ``update-index --index-info``: each path
    gets HEAD's entry back, or none when HEAD does not have it."""
    known = {}
    if head(root):
        listing = run_bytes(root, "ls-tree", "-r", "-z", "--full-tree", "HEAD")
        for entry in listing.split(b"\0"):
            info, _, path = entry.partition(b"\t")
            if path:
                known[path.decode("utf-8", "surrogateescape")] = info.decode()
    zero = "0" * len(head(root) or "0" * 40)  # SHA-1 or SHA-256
    lines = "".join(f"{known[p]}\t{p}\0" if p in known
                    else f"0 {zero}\t{p}\0" for p in paths)
    try:
        run_bytes(root, "update-index", "-z", "--index-info", stdin=lines.encode("utf-8"))
    except GitError:
        pass  # as ``git reset`` with check=False: leave what could not be undone
