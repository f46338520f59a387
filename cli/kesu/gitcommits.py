"""Writing commits off to the side: part of kesu's git module, with gitio.

``kesu sync`` builds the commits it carries onto the remote's tip without
touching the work tree, the index or any branch, so that nothing changes in
the clone until the remote has taken them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kesu.gitio import git_dir, run, run_bytes


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
