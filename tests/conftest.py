"""Shared fixtures: an isolated git identity and real archives in temp folders.

Every test runs the installed ``kesu`` command as a separate process, on a
repository under pytest's tmp_path, with HOME and the global git config
pointing into the temp folder, so nothing touches the developer's own git
settings or this project's history.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from kesu import trailers

KESU = str(Path(sys.executable).parent / "kesu")
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
    for key in ("KESU_ARCHIVE", "KESU_DEBUG", "EDITOR", "VISUAL"):
        mp.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    isolate_git(monkeypatch, home)
    return home


def kesu(*args: str, cwd: Path | None = None, input: str | None = None,
         env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``kesu`` and return the finished process (text mode)."""
    return subprocess.run([KESU, *args], cwd=cwd, input=input, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


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
    status = git(root, "status", "--porcelain")
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
