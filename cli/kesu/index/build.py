"""Keeping the case index in step with the archive, from git's own change tracking.

The index remembers the commit it was built at and the work-tree files it
read that differ from that commit. Bringing it up to date asks git what
changed since (``git diff-tree`` between the indexed commit and HEAD, and
``git status`` for the work tree) and reads only those files whose blob id
differs from the one indexed: an unchanged archive costs two git calls and no
YAML at all. A cold build reads every blob through one ``git cat-file
--batch`` and parses them with libyaml on every core, with a progress line on
a terminal.

The index is a cache: deleting ``.git/kesu-index/`` is always safe, and it is
rebuilt whenever kesu's code or the archive's kesu.yaml changes (``digest``),
since deadlines and lights depend on both.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Callable, Iterable

from kesu import gitio, gittrees, yamlio
from kesu.errors import UsageError
from kesu.index.record import CASE_COLUMNS, case_record, error_record

FORMAT = "3"
FOLDER = "kesu-index"
CASES_DIR = "cases"
#: Below this many files to read, one process parses faster than starting others.
PARALLEL_FROM = 2000
CHUNK = 500


def is_case_path(path: str) -> bool:
    """``cases/YYYY/MM/ID.yaml``: the files a whole-archive command reads."""
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == CASES_DIR and parts[3].endswith(".yaml")


def parse_case(rel: str, data: bytes) -> dict:
    """A case file's bytes as data, refused as ``Archive.load_path`` refuses a file."""
    from kesu.archive import conflict_marker_line

    if len(data) > yamlio.MAX_BYTES:
        raise UsageError(f"file is larger than {yamlio.MAX_BYTES // 1024} KiB; refusing to parse it", rel)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"not UTF-8 text (byte {exc.start})", rel) from None
    marker = conflict_marker_line(text)
    if marker:
        raise UsageError("holds merge conflict markers (an unfinished merge); finish or abort "
                         "the merge ('git status' says how)", rel, marker)
    case = yamlio.load(text, rel)
    if not isinstance(case, dict):
        raise UsageError("a case file must be a mapping", rel, 1)
    return case


_POLICY = None


def _set_policy(policy_data: dict) -> None:
    """The policy each case is indexed under (in each worker process, once)."""
    global _POLICY
    from kesu.config import Policy

    _POLICY = Policy(policy_data)


def shape_error(rel: str, data: bytes, case: dict) -> UsageError | None:
    """The first problem that keeps a case out of every command but validate, as
    ``Archive.shape_error`` words it."""
    from kesu.validate import locate, shape_problems

    problems = shape_problems(case)
    if not problems:
        return None
    try:
        first = locate(data.decode("utf-8"), rel, problems[:1])[0]
    except UsageError:
        return UsageError(problems[0][1], rel, 1)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return UsageError(f"{first.message}{more}", rel, first.line or 1)


LINK_REFUSED = ("is a symbolic link or lies outside the archive; kesu reads only "
                "the archive's own case files")


#: A batch's rows, ready to insert: cases, timers, keys, events, texts.
Rows = tuple[list, list, list, list, list]


def _records(batch: tuple[int, list[tuple[str, str, bytes | UsageError]]]) -> Rows:
    # Parsing makes many small objects and no cycles worth chasing: without the
    # cycle collector a batch parses a fifth faster; it runs again after it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_batch(*batch)
    finally:
        if collecting:
            gc.enable()


def _read_batch(first: int, batch: list[tuple[str, str, bytes | UsageError]]) -> Rows:
    """The rows of a batch of files, numbered from ``first``: built where they are
    parsed (a process per core), so the writer of the index only inserts them."""
    cases, timers, keys, events, texts = rows = ([], [], [], [], [])
    for n, (path, blob, data) in enumerate(batch, first):
        try:
            if isinstance(data, UsageError):
                raise data
            case = parse_case(path, data)
            flaw = shape_error(path, data, case)
            if flaw is not None:
                raise flaw
            record = case_record(path, blob, case, _POLICY)
        except UsageError as exc:
            record = error_record(path, blob, exc.message, exc.line)
        cases.append((n, *record.row))
        timers += [(n, *timer) for timer in record.timers]
        keys += [(n, kind, value) for kind, value in record.keys]
        events += [(n, action, at) for action, at in record.events]
        if record.text:
            texts.append((n, record.text))
    return rows


def digest(root: Path) -> str:
    """What the stored rows depend on besides the files: kesu's code and the policy."""
    from kesu.cache import rules_digest
    from kesu.config import CONFIG_NAME

    try:
        policy = (root / CONFIG_NAME).read_bytes()
    except OSError:
        policy = b""
    return hashlib.sha1(f"{FORMAT}\0{rules_digest()}\0".encode() + policy).hexdigest()


def connect(file: Path) -> sqlite3.Connection:
    file.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(file, timeout=120, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def connect_memory() -> sqlite3.Connection:
    """An index that lives as long as the command, for an archive kesu may not write to."""
    return sqlite3.connect(":memory:", isolation_level=None)


def _create(conn: sqlite3.Connection) -> None:
    from importlib.resources import files

    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'texts_%'")]
    for table in tables:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    script = files("kesu.index").joinpath("schema.sql").read_text(encoding="utf-8")
    # one statement at a time: executescript would end the transaction it runs in
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(conn.execute("SELECT key, value FROM meta"))
    except sqlite3.OperationalError:
        return {}


class Refresh:
    """One bringing-up-to-date of the index of the archive at ``root``."""

    def __init__(self, root: Path, policy_data: dict, conn: sqlite3.Connection,
                 progress: Callable[[int, int], None] | None = None):
        self.root, self.policy_data, self.conn, self.progress = root, policy_data, conn, progress

    def run(self) -> int:
        """Bring the index up to date; return how many files were read."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time; readers carry on
        try:
            meta = _meta(conn)
            want = digest(self.root)
            if meta.get("digest") != want:
                _create(conn)
                meta = {}
            head = gitio.head(self.root) or gittrees.EMPTY_TREE
            targets = self._targets(meta, head)
            full = targets is None
            if full:
                targets = self._head_tree(head)
            dirty = {p for p in gittrees.worktree_changes(self.root, CASES_DIR) if is_case_path(p)}
            cleaned = sorted(set(json.loads(meta.get("dirty", "[]"))) - dirty - set(targets))
            targets.update(zip(cleaned, self._head_blobs(head, cleaned)))
            contents: dict[str, bytes | UsageError] = {}
            for path in dirty:
                targets[path], contents[path] = self._work_file(path)
            if full:
                indexed = dict(conn.execute("SELECT path, blob FROM cases"))
                for path in indexed:
                    targets.setdefault(path, None)
            else:
                indexed = self._indexed(targets)
            changed = {p: b for p, b in targets.items() if b != indexed.get(p)}
            gone = [p for p, b in changed.items() if b is None and p in indexed]
            wanted = [(p, b) for p, b in changed.items() if b is not None]
            self._delete(gone + [p for p, _ in wanted if p in indexed])
            self._add(wanted, contents)
            state = {"digest": want, "commit": head, "dirty": json.dumps(sorted(dirty))}
            if changed or any(meta.get(k) != v for k, v in state.items()):
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(state.items()))
            conn.execute("COMMIT")
            if len(wanted) > CHUNK:
                # a big build leaves a WAL as large as the index: fold it in now
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(wanted)

    # ------------------------------------------------------------ what changed
    def _targets(self, meta: dict, head: str) -> dict[str, str | None] | None:
        """Paths whose blob may have changed since the index was built, with
        their blob in HEAD (None: gone); None when everything must be looked at."""
        if "commit" not in meta:
            return None
        if meta["commit"] == head:
            return {}
        changes = gittrees.changed_blobs(self.root, meta["commit"], head, CASES_DIR)
        return None if changes is None else {p: b for p, b in changes.items() if is_case_path(p)}

    def _indexed(self, paths: Iterable[str]) -> dict[str, str]:
        found = {}
        for path in paths:
            row = self.conn.execute("SELECT blob FROM cases WHERE path = ?", (path,)).fetchone()
            if row:
                found[path] = row[0]
        return found

    def _head_tree(self, head: str) -> dict[str, str | None]:
        if head == gittrees.EMPTY_TREE:
            return {}
        return {p: b for p, b in gittrees.tree_blobs(self.root, head, CASES_DIR).items()
                if is_case_path(p)}

    def _head_blobs(self, head: str, paths: list[str]) -> list[str | None]:
        if head == gittrees.EMPTY_TREE:
            return [None] * len(paths)
        return gitio.object_ids(self.root, [f"{head}:{path}" for path in paths])

    def _work_file(self, path: str) -> tuple[str | None, bytes | UsageError | None]:
        """The work-tree file's blob id and content (None, None: deleted)."""
        full = self.root / path
        if full.is_symlink():
            return f"link:{os.readlink(full)}", UsageError(LINK_REFUSED, path)
        try:
            data = full.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            # never matches a stored blob, so it is read again next time
            return f"unreadable:{exc.errno}", UsageError(f"cannot read: {exc.strerror}", path)
        return gitio.blob_id(data).hex(), data

    # ------------------------------------------------------------ writing
    def _delete(self, paths: list[str]) -> None:
        if not paths:
            return
        rows = [(n,) for path in paths
                for (n,) in self.conn.execute("SELECT n FROM cases WHERE path = ?", (path,))]
        for table in ("timers", "keys", "events"):
            self.conn.executemany(f"DELETE FROM {table} WHERE n = ?", rows)
        self.conn.executemany("DELETE FROM texts WHERE rowid = ?", rows)
        self.conn.executemany("DELETE FROM cases WHERE n = ?", rows)

    def _add(self, wanted: list[tuple[str, str]], contents: dict) -> None:
        total = len(wanted)
        if not total:
            return
        wanted.sort()
        for path, blob in wanted:
            if blob.startswith("link:"):  # a symbolic link committed as a case file
                contents[path] = UsageError(LINK_REFUSED, path)
        from_git = [b for p, b in wanted if p not in contents]
        blobs = iter(gitio.read_objects(self.root, from_git)) if len(from_git) <= CHUNK else None
        readers = []  # one cat-file for a big build, started once the workers are
        first = self.conn.execute("SELECT coalesce(max(n), 0) + 1 FROM cases").fetchone()[0]

        def batches():
            for start in range(0, total, CHUNK):
                chunk = wanted[start:start + CHUNK]
                if blobs is None and not readers:
                    readers.append(gittrees.BlobReader(self.root))
                read = blobs or iter(readers[0].read([b for p, b in chunk if p not in contents]))
                yield first + start, [(p, b, contents[p] if p in contents else next(read) or b"")
                                      for p, b in chunk]

        done = 0
        try:
            for rows in self._parsed(batches(), total):
                self._insert(rows)
                done += len(rows[0])
                if self.progress:
                    self.progress(done, total)
        finally:
            for reader in readers:
                reader.close()

    def _parsed(self, batches, total: int):
        if total < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            _set_policy(self.policy_data)
            yield from map(_records, batches)
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with context.Pool(os.cpu_count(), initializer=_set_policy,
                          initargs=(self.policy_data,)) as pool:
            yield from pool.imap(_records, batches)

    def _insert(self, rows: Rows) -> None:
        cases, timers, keys, events, texts = rows
        conn = self.conn
        conn.executemany(f"INSERT INTO cases (n, {', '.join(CASE_COLUMNS)}) VALUES "
                         f"({', '.join('?' * (len(CASE_COLUMNS) + 1))})", cases)
        conn.executemany("INSERT INTO timers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", timers)
        conn.executemany("INSERT INTO keys VALUES (?, ?, ?)", keys)
        conn.executemany("INSERT INTO events VALUES (?, ?, ?)", events)
        conn.executemany("INSERT INTO texts (rowid, body) VALUES (?, ?)", texts)


def terminal_progress(done: int, total: int) -> None:
    """``kesu: indexing 12,000/100,000 case files`` on one line of a terminal."""
    if total < PARALLEL_FROM or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\rkesu: indexing case files [{'#' * filled}{'.' * (width - filled)}] "
                     f"{done:,}/{total:,}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
