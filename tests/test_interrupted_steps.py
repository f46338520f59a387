"""A step is all or nothing: killed with the whole process group at any moment,
interrupted while git runs a slow hook, or out of disk space, the archive ends
consistent, and the next kesu command says what it put right."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import KESU, git, kesu, new_case
from e2e_support import assert_ok, assert_refused, full_state, held_in_pre_commit

KILLS = 50


def _consistent(root: Path) -> None:
    """Nothing half-done: the work tree is HEAD, git holds no lock, no kesu leftovers."""
    assert git(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all") == ""
    assert not [lock for lock in ("index.lock", "HEAD.lock", "refs/heads/main.lock")
                if (root / ".git" / lock).exists()]
    assert not (root / ".git" / "kesu-journal").exists()
    assert not list(root.rglob("*.kesu-tmp"))


def test_kill_minus_9_of_the_process_group_at_random_moments(archive):
    case_id = new_case(archive)
    rng = random.Random(20261123)
    for turn in range(KILLS):
        proc = subprocess.Popen([KESU, "note", case_id, f"第 {turn} 次记录", "--actor", "zhang.san"],
                                cwd=archive, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.0, 0.3))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished
        proc.wait()
        checked = kesu("validate", cwd=archive)
        assert checked.returncode in (0, 1), checked.stderr
        if checked.returncode == 1:  # only an interrupted step may show
            assert all("a kesu step was interrupted" in line for line in checked.stdout.splitlines()), \
                checked.stdout
        # The next step puts right whatever the killed one left, then does its own.
        assert_ok(kesu("note", case_id, f"核对 {turn}", "--actor", "zhang.san", cwd=archive))
        _consistent(archive)
    assert kesu("validate", cwd=archive).returncode == 0


def test_the_next_step_undoes_an_interrupted_one_and_says_so(archive):
    from kesu import journal
    from kesu.archive import write_atomic

    case_id = new_case(archive)
    rel = next(archive.glob("cases/*/*/*.yaml")).relative_to(archive).as_posix()
    head = git(archive, "rev-parse", "HEAD").strip()
    journal.begin(archive, [rel], head)
    # as kesu writes: a new file renamed over the old one
    write_atomic(archive / rel, (archive / rel).read_text(encoding="utf-8") + "# 写了一半\n")
    for lock in ("index.lock", "HEAD.lock", "refs/heads/main.lock"):  # git killed mid-commit
        (archive / ".git" / lock).write_text("")
    checked = kesu("validate", cwd=archive)
    assert checked.returncode == 1 and f"{rel}:1: a kesu step was interrupted" in checked.stdout
    audited = kesu("audit", "--max-backdate", "30d", cwd=archive)
    assert audited.returncode == 1 and f"- {case_id} interrupted: {rel}:" in audited.stdout, audited.stdout
    result = kesu("ack", case_id, "--method", "phone", "--actor", "zhang.san", cwd=archive)
    assert result.returncode == 0, result.stderr
    assert "undid a step that was interrupted before its commit" in result.stderr
    assert "removed .git/index.lock" in result.stderr
    assert "removed .git/HEAD.lock" in result.stderr and "removed .git/refs/heads/main.lock" in result.stderr
    _consistent(archive)
    assert "写了一半" not in (archive / rel).read_text(encoding="utf-8")
    audited = kesu("audit", "--max-backdate", "30d", cwd=archive)
    assert audited.returncode == 0, audited.stdout


def test_an_undo_cut_off_half_way_is_finished_without_losing_the_case(archive):
    """kill -9 of the command that was undoing an interrupted step, after it had put a
    case file back: the next command undoes again and must not take that file for one
    the step created (it deleted it)."""
    from kesu import journal
    from kesu.archive import write_atomic

    case_id = new_case(archive)
    rel = next(archive.glob("cases/*/*/*.yaml")).relative_to(archive).as_posix()
    created = f"cases/2026/11/{case_id[:-1]}Z.yaml"
    before = (archive / rel).read_text(encoding="utf-8")
    journal.begin(archive, [rel, created], git(archive, "rev-parse", "HEAD").strip())
    write_atomic(archive / rel, before + "# 写了一半\n")
    write_atomic(archive / created, "id: 写了一半\n")
    # the first undo got as far as putting the case file back, then was killed
    kept = next((archive / ".git" / "kesu-journal").glob("*%*.yaml"))
    kept.replace(archive / rel)
    result = kesu("note", case_id, "看看", "--actor", "zhang.san", cwd=archive)
    assert result.returncode == 0, result.stderr
    assert "undid a step that was interrupted" in result.stderr
    assert not (archive / created).exists()
    after = (archive / rel).read_text(encoding="utf-8")
    assert "写了一半" not in after and "看看" in after and after.startswith(f"id: {case_id}\n")
    _consistent(archive)


def test_ctrl_c_to_kesu_alone_during_a_slow_hook_leaves_no_index_lock(archive, tmp_path):
    case_id = new_case(archive)
    with held_in_pre_commit(archive, [KESU, "ack", case_id, "--method", "phone", "--actor", "zhang.san"],
                            tmp_path) as proc:
        os.kill(proc.pid, signal.SIGINT)  # kesu alone: git and its hook go on
        time.sleep(0.3)
    err = proc.err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    _consistent(archive)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 4 MiB tmpfs (root only); skipped where it cannot be mounted."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                                           capture_output=True).returncode:
        pytest.skip("needs root to mount a tmpfs (the injected full disk is in test_reliability)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_leaves_the_case_as_it_was(tiny_disk):
    root = tiny_disk / "desk"
    assert kesu("init", str(root)).returncode == 0
    case_id = new_case(root)
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass  # the disk is full
    os.truncate(filler, max(filler.stat().st_size - 4096, 0))  # one page left: the journal fits, the case not
    before = full_state(root)
    result = kesu("ack", case_id, "--method", "phone", "--actor", "zhang.san", cwd=root)
    assert_refused(result, "nothing was changed")
    assert full_state(root) == before
    _consistent(root)
    filler.unlink()
    assert_ok(kesu("ack", case_id, "--method", "phone", "--actor", "zhang.san", cwd=root))
    _consistent(root)
