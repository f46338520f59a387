"""The archive: finding it, its lock, and where each case lives.

All case loading goes through here (``load_case`` / ``scan``), so a cache can
sit behind it without any command knowing.
"""

from __future__ import annotations

import errno
import os
import re
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from kesu.i18n import _, language
from kesu import gitio, ids, yamlio
from kesu.config import CONFIG_NAME, Policy
from kesu.errors import ArchiveError, UsageError
from kesu.values import read_time

CASES_DIR = "cases"


def find_root(explicit: str | None = None) -> Path:
    """``--archive``, then ``KESU_ARCHIVE``, then the nearest folder up with kesu.yaml."""
    given = explicit or os.environ.get("KESU_ARCHIVE")
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise ArchiveError(_("{root} is not a kesu archive (no {config}); run 'kesu init {given}'").format(
                root=root, config=CONFIG_NAME, given=given))
        return root
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ArchiveError(_("no kesu archive here or above {here} (no {config}); "
                         "use --archive PATH, set KESU_ARCHIVE, or run 'kesu init'").format(here=here, config=CONFIG_NAME))


class Archive:
    def __init__(self, root: Path):
        self.root = root
        #: Case files a whole-archive read left out, by path: what kept each one out.
        self.left_out: dict[str, UsageError] = {}
        self._index = None

    @classmethod
    def find(cls, explicit: str | None = None) -> "Archive":
        return cls(find_root(explicit))

    @cached_property
    def policy(self) -> Policy:
        """kesu.yaml, refused (``kesu.yaml:LINE: …``) when its values have the wrong types."""
        from kesu.policycheck import refuse_unsound

        path = self.root / CONFIG_NAME
        policy = Policy.load(path, CONFIG_NAME)
        refuse_unsound(gitio.git_dir(self.root), path.read_bytes(), policy.data)
        return policy

    def policy_if_sound(self) -> Policy | None:
        """The policy, or None when kesu.yaml cannot be used (``kesu validate`` says why)."""
        try:
            return self.policy
        except UsageError:
            return None

    # ------------------------------------------------------------ paths
    def case_relpath(self, case_id: str) -> str:
        """``cases/YYYY/MM/ID.yaml``; the ID is checked before it becomes a path."""
        _, received = ids.parse_id(case_id)
        return f"{CASES_DIR}/{received:%Y}/{received:%m}/{case_id}.yaml"

    def case_path(self, case_id: str) -> Path:
        return self.root / self.case_relpath(case_id)

    def existing_case_path(self, case_id: str) -> Path:
        path = self.case_path(case_id)
        if not path.is_file():
            raise UsageError(_("unknown case {case}: no {path}").format(case=case_id, path=self.case_relpath(case_id)))
        return path

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()  # the common case, no file-system calls
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def case_files(self) -> list[Path]:
        base = self.root / CASES_DIR
        return sorted(base.glob("*/*/*.yaml")) if base.is_dir() else []

    # ------------------------------------------------------------ reading
    def read_text(self, path: Path) -> str:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(_("cannot read: {reason}").format(reason=exc.strerror), self.rel(path)) from None
        if len(data) > yamlio.MAX_BYTES:
            raise UsageError(_("file is larger than {size} KiB; refusing to parse it").format(
                size=yamlio.MAX_BYTES // 1024), self.rel(path))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(_("not UTF-8 text (byte {offset})").format(offset=exc.start), self.rel(path)) from None

    def read_case_text(self, path: Path) -> str:
        """A case file's text; a symbolic link, or a file outside the archive, is refused
        (it would show, or count, a file that is not the archive's)."""
        if path.is_symlink() or not path.resolve().is_relative_to(self.root.resolve()):
            raise UsageError(_("is a symbolic link or lies outside the archive; kesu reads only "
                               "the archive's own case files"), self.rel(path))
        return self.read_text(path)

    def load_case(self, case_id: str) -> dict[str, Any]:
        """One case to act on or show; refused, at its line, when a time in it is
        outside kesu's years (no deadline could be computed from it)."""
        path = self.existing_case_path(case_id)
        case = self.load_path(path)
        from kesu.timecheck import time_findings

        for key, message in time_findings(case):
            rel = self.rel(path)
            line = yamlio.line_of(yamlio.load_with_lines(self.read_text(path), rel), key)
            raise UsageError(_("{problem}; fix the file by hand (kesu validate lists every problem)").format(
                problem=message), rel, line)
        return case

    def load_path(self, path: Path) -> dict[str, Any]:
        text = self.read_case_text(path)
        marker = conflict_marker_line(text)
        if marker:
            raise UsageError(_("holds merge conflict markers (an unfinished merge); finish or abort "
                               "the merge ('git status' says how)"), self.rel(path), marker)
        data = yamlio.load(text, self.rel(path))
        if not isinstance(data, dict):
            raise UsageError(_("a case file must be a mapping"), self.rel(path), 1)
        return data

    @cached_property
    def scan_cache(self):
        from kesu.cache import ScanCache

        return ScanCache(gitio.git_dir(self.root) / "kesu-cache" / "cases.json")

    def scan(self, paths: list[Path] | None = None, sound_only: bool = True
             ) -> Iterator[tuple[Path, dict[str, Any] | None, UsageError | None]]:
        """Every case file (or ``paths``) with its data, or the error that kept it
        from loading. Unchanged files come from the scan cache.

        With ``sound_only`` (what every command but ``validate`` wants) a case
        whose shape kesu cannot rely on (wrong types, missing sections,
        impossible times or amounts) comes with the first such problem instead
        of its data. Each file left out is kept in ``left_out`` so the command
        can name it.
        """
        from kesu.cache import stat_key

        cache = self.scan_cache
        present = set()
        for path in self.case_files() if paths is None else paths:
            rel = self.rel(path)
            present.add(rel)
            key = stat_key(path)
            hit = cache.get(rel, key)
            if hit is not None:
                data = hit["data"]
            else:
                try:
                    data = self.load_path(path)
                except UsageError as exc:
                    self.left_out[rel] = exc
                    yield path, None, exc
                    continue
                cache.put(rel, key, data)
            flaw = self._flaw(path, rel, data, cache) if sound_only else None
            if flaw is not None:
                self.left_out[rel] = flaw
                yield path, None, flaw
                continue
            yield path, data, None
        if paths is None:
            cache.forget_missing(present)
        cache.save()

    def _flaw(self, path: Path, rel: str, data: Any, cache) -> UsageError | None:
        """The first problem that makes a case unsafe to use (remembered in the scan cache)."""
        entry = cache.entries.get(rel)
        flaw = entry.get("flaw") if entry is not None else None
        if entry is not None and "flaw" in entry and (flaw is None or flaw[2:] == [language()]):
            return None if flaw is None else UsageError(flaw[1], rel, flaw[0])
        flaw = self.shape_error(path, data)
        if entry is not None:  # the words are the command's language: kept with it
            entry["flaw"] = None if flaw is None else [flaw.line, flaw.message, language()]
            cache.dirty = True
        return flaw

    def shape_error(self, path: Path, data: Any) -> UsageError | None:
        """``path:line: …`` for the first shape problem of a case, or None when it has none."""
        from kesu.validate import locate, shape_problems

        problems = shape_problems(data)
        if not problems:
            return None
        rel = self.rel(path)
        try:
            first = locate(self.read_text(path), rel, problems[:1])[0]
        except UsageError:
            return UsageError(problems[0][1], rel, 1)
        more = _(" (and {n} more)").format(n=len(problems) - 1) if len(problems) > 1 else ""
        return UsageError(first.message + more, rel, first.line or 1)

    def case_index(self):
        """The case index, brought up to date once per command; the case files it
        could not read (or cannot rely on) are added to ``left_out``."""
        if self._index is None:
            from kesu.index import open_index

            self._index = open_index(self)
            self.left_out.update({error.path: self._worded_now(error) for error in self._index.unreadable()})
        return self._index

    def _worded_now(self, error: UsageError) -> UsageError:
        """Why a file is left out, in this command's language: the index keeps the
        words of the command that built it, so the (few) files left out are read again."""
        path = self.root / error.path
        try:
            return self.shape_error(path, self.load_path(path)) or error
        except UsageError as exc:
            return exc

    def load_sound_case(self, case_id: str) -> dict[str, Any]:
        """One case, refused with its first shape problem when kesu cannot rely on it."""
        case = self.load_case(case_id)
        self.refuse_unsound(case_id, case)
        return case

    def refuse_unsound(self, case_id: str, case: Any) -> None:
        flaw = self.shape_error(self.case_path(case_id), case)
        if flaw is not None:
            raise UsageError(_("{problem}; fix the case with 'kesu edit {case}' ('kesu validate' lists every "
                               "problem)").format(problem=flaw.message, case=case_id), flaw.path, flaw.line)

    # ------------------------------------------------------------ locking
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the archive's lock so two kesu processes never interleave.

        ``flock`` is released by the kernel when the process dies, so a crash
        or Ctrl-C never leaves a stale lock behind.
        """
        import fcntl

        lock_path = gitio.git_dir(self.root) / "kesu.lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(_("cannot change this archive: {reason} ({path}); nothing was changed").format(
                reason=exc.strerror, path=self.rel(lock_path))) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise ArchiveError(_("another kesu command (pid {pid}) is changing this archive; "
                                     "try again when it has finished").format(pid=holder)) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            from kesu import journal

            journal.recover(self.root)  # a step an earlier kesu did not get to finish
            yield
        finally:
            os.close(fd)

    # ------------------------------------------------------------ time
    def now(self) -> datetime:
        return datetime.now(self.policy.tz).replace(microsecond=0)

    def parse_time(self, text: str, flag: str = "--at") -> datetime:
        """An ISO 8601 time; without an offset it is read in the archive's zone."""
        return read_time(text, self.policy.tz, flag)


_CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)(?: |$)|^=======$", re.M)


def conflict_marker_line(text: str) -> int | None:
    """The line of the first merge conflict marker in ``text``, or None."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return None
    found = _CONFLICT_MARKER.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kesu-tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: Path, content: str | bytes) -> None:
    """Create the file ``path`` (refused when it exists) with ``content``, as one of
    many new files written at once (``kesu import``): no fsync and no rename each,
    which would cost more than all the rest. Readers of a half-written import see
    a half-done import either way; the journal removes it if kesu is killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)


def write_output(path: Path, text: str, flag: str = "--output") -> None:
    """Write what the user asked for with ``--output``: only a regular file, and
    only in a folder that exists (kesu makes no folders outside the archive)."""
    if path == Path("."):
        raise UsageError(_("{flag} needs a file name").format(flag=flag))
    if path.is_dir():
        raise UsageError(_("{flag} {path}: is a folder; give the name of a file").format(flag=flag, path=path))
    if path.exists() and not path.is_file():
        raise UsageError(_("{flag} {path}: is not a regular file").format(flag=flag, path=path))
    if not path.parent.is_dir():
        raise UsageError(_("{flag} {path}: there is no folder {folder}; create it first").format(
            flag=flag, path=path, folder=path.parent))
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(_("{flag} {path}: cannot write it: {reason}").format(
            flag=flag, path=path, reason=exc.strerror or exc)) from None
