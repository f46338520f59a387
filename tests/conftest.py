"""Shared fixtures: an isolated git identity and real archives in temp folders.

Tests run kesu commands on a repository under pytest's tmp_path, with HOME and
the global git config pointing into the temp folder, so nothing touches the
developer's own git settings or this project's history.

``kesu()`` runs a command inside the test process through ``kesu.cli.run``,
the entry point the installed ``kesu`` calls, and returns what a separate
process would have; ``kesu_process()`` runs the installed ``kesu`` as a
separate process, for the tests where the process itself matters (a lock held
by another process, Ctrl-C, resource limits, a terminal, timeouts).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings

from kesu import cli, trailers

# The suite runs the same examples everywhere (a CI run never fails on a draw a
# developer cannot repeat); KESU_HYPOTHESIS=explore draws fresh ones, to search.
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("KESU_HYPOTHESIS") == "explore" else "suite")

KESU = str(Path(sys.executable).parent / "kesu")
#: seconds a kesu command may take in a test
TIMEOUT = 120
PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_CASES = PROJECT / "cases"

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Desk Tester", "GIT_AUTHOR_EMAIL": "desk@example.com",
    "GIT_COMMITTER_NAME": "Desk Tester", "GIT_COMMITTER_EMAIL": "desk@example.com",
}


def isolate_git(mp: pytest.MonkeyPatch, home: Path) -> None:
    """Point HOME and git's global config into ``home``: fixed identity, no signing."""
    config = home / ".gitconfig"
    config.write_text("[user]\n\tname = Desk Tester\n\temail = desk@example.com\n"
                      "[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
                      "[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_GLOBAL", str(config))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in GIT_IDENTITY.items():
        mp.setenv(key, value)
    mp.setenv("KESU_ACTOR", "li.ming")
    # Tests read kesu's English unless they choose a language (archives default to zh-CN).
    mp.setenv("KESU_LANG", "en")
    # the terminal a test runs under (a width, a pager, no colour) is no part of what it checks
    for key in ("KESU_ARCHIVE", "KESU_DEBUG", "EDITOR", "VISUAL", "COLUMNS", "LINES", "NO_COLOR",
                "KESU_PAGER", "PAGER"):
        mp.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    from kesu import i18n

    home = tmp_path_factory.mktemp("home")
    isolate_git(monkeypatch, home)
    i18n.choose("en")  # a test calling kesu's core directly reads English, whatever ran before it
    return home


def kesu(*args: str, cwd: Path | None = None, input: str | None = None,
         env: dict | None = None) -> subprocess.CompletedProcess:
    """Run one kesu command in this process; return it as a finished process (text mode).

    As a separate process would see it: ``cwd`` and ``env`` apply to this
    command only, stdin holds ``input`` (empty when None) and is no terminal,
    and file descriptors 1 and 2 are redirected too, so what kesu starts
    (an $EDITOR) writes into the same captured output. The output is decoded
    as ``subprocess.run(text=True)`` does. A command still running after
    ``TIMEOUT`` seconds raises ``subprocess.TimeoutExpired``.
    """
    argv = [KESU, *args]
    try:
        with _like_a_process(argv, cwd, input, env) as captured:
            code = cli.run(list(args))
    except _TimedOut:
        raise subprocess.TimeoutExpired(argv, TIMEOUT) from None
    return subprocess.CompletedProcess(argv, code, captured.stdout, captured.stderr)


def kesu_process(*args: str, cwd: Path | None = None, input: str | None = None,
                 env: dict | None = None, timeout: float = TIMEOUT,
                 **popen) -> subprocess.CompletedProcess:
    """Run the installed ``kesu`` as a separate process (text mode)."""
    return subprocess.run([KESU, *args], cwd=cwd, input=input, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, **popen)


class _Captured:
    stdout = stderr = ""


class _TimedOut(BaseException):
    """Raised by the alarm; a BaseException so that kesu's bug report does not catch it."""


@contextmanager
def _like_a_process(argv: list[str], cwd: Path | None, input: str | None,
                    env: dict | None) -> Iterator[_Captured]:
    captured = _Captured()
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_argv = sys.argv
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    interrupted: list[int] = []

    def on_ctrl_c(signum, frame):
        # kesu turns Ctrl-C into exit 130; remember it, so that Ctrl-C during
        # a test still stops pytest, as it does when kesu is a child process.
        interrupted.append(signum)
        raise KeyboardInterrupt

    def on_alarm(signum, frame):
        raise _TimedOut

    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        streams = [io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")]
        saved_fds = os.dup(1), os.dup(2)
        previous_handlers = (signal.signal(signal.SIGINT, on_ctrl_c),
                             signal.signal(signal.SIGALRM, on_alarm))
        try:
            signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
            os.environ.update(env or {})
            if cwd is not None:
                os.chdir(cwd)
            sys.argv = argv
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            streams.append(open(1, "w", encoding="utf-8", closefd=False))
            streams.append(open(2, "w", encoding="utf-8", errors="backslashreplace",
                                buffering=1, closefd=False))
            sys.stdin, sys.stdout, sys.stderr = streams
            yield captured
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            for stream in streams:
                stream.close()
            for fd, saved in zip((1, 2), saved_fds):
                os.dup2(saved, fd)
                os.close(saved)
            signal.signal(signal.SIGINT, previous_handlers[0])
            signal.signal(signal.SIGALRM, previous_handlers[1])
            sys.argv = saved_argv
            os.chdir(saved_cwd)
            _restore_environ(saved_environ)
        captured.stdout, captured.stderr = _text(out), _text(err)
    if interrupted:
        raise KeyboardInterrupt


def _restore_environ(saved: dict[str, str]) -> None:
    for key in os.environ.keys() - saved.keys():
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _text(file) -> str:
    """What ``subprocess.run(text=True)`` makes of the bytes: UTF-8, universal newlines."""
    file.seek(0)
    return file.read().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def snapshot(root: Path) -> tuple[str, dict[str, str]]:
    """HEAD plus a digest of every file outside .git: equal snapshots, unchanged archive."""
    head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root,
                          capture_output=True, text=True).stdout.strip()
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            files[path.relative_to(root).as_posix()] = hashlib.sha1(path.read_bytes()).hexdigest()
    # Looking must not write: without optional locks git status leaves the index
    # alone (on a full disk, refreshing it would fail).
    status = git(root, "--no-optional-locks", "status", "--porcelain")
    return head + "\n" + status, files


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


@pytest.fixture
def archive(tmp_path) -> Path:
    root = tmp_path / "desk"
    result = kesu("init", str(root))
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def sample_archive(archive) -> Path:
    """An archive holding the project's sample cases, committed."""
    shutil.copytree(SAMPLE_CASES, archive / "cases", dirs_exist_ok=True)
    git(archive, "add", "cases")
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    git(archive, "commit", "-q", "-m", trailers.import_message("Import sample cases", "wang.fang", now))
    return archive


STRAWBERRY = ["--channel", "counter", "--customer", "王女士", "--contact", "13800138000",
              "--summary", "草莓霉变", "--facts", "生鲜区称重台购买的草莓约三分之一霉变",
              "--demands", "全额退款并补偿同价值商品", "--emotion", "anxious",
              "--location", "生鲜区称重台", "--occurred-at", "2026-11-23T15:15",
              "--product", "6901234567890=草莓 500g"]


def new_case(root: Path, *extra: str, at: str = "2026-11-23T16:10") -> str:
    result = kesu("new", *STRAWBERRY, "--at", at, "--actor", "zhang.san", *extra, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
