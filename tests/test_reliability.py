"""A step that cannot finish leaves the case file, the index and HEAD exactly as they were.

Hooks, hand edits, a second kesu, Ctrl-C, a full disk, signing: each one is
provoked for real on a temp archive, and the archive is compared before and
after with ``full_state`` (every file, ``git status``, the index entries, HEAD).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import KESU, commit_count, git, new_case
from e2e_support import (assert_ok, assert_refused, at, case_path, case_rel, full_state, held_in_pre_commit,
                         read_case, step, touched, trailers, write_hook)


def _ack(root: Path, case_id: str, **kw):
    return step(root, "ack", case_id, actor="zhang.san", when="16:11", **kw)


@pytest.fixture
def case(archive) -> str:
    return new_case(archive)


def test_a_refusing_pre_commit_hook_is_shown_and_nothing_changes(archive, case):
    write_hook(archive, "pre-commit", "echo 'case files need a supervisor review (blocked by policy)' >&2\nexit 1\n")
    before = full_state(archive)
    assert_refused(_ack(archive, case), "blocked by policy")
    assert full_state(archive) == before
    assert read_case(archive, case)["state"] == "received"


def test_a_refusing_commit_msg_hook_changes_nothing(archive, case):
    write_hook(archive, "commit-msg", "echo 'error: message must name a ticket' >&2\nexit 1\n")
    before = full_state(archive)
    assert_refused(_ack(archive, case), "message must name a ticket")
    assert full_state(archive) == before


def test_a_passing_hook_runs_and_the_step_lands(archive, case):
    ran = archive.parent / "hook-ran"
    write_hook(archive, "pre-commit", f"git diff --cached --name-only > '{ran}'\nexit 0\n")
    assert_ok(_ack(archive, case))
    assert ran.read_text(encoding="utf-8").split() == [case_rel(case)]
    assert read_case(archive, case)["state"] == "acknowledged"


def test_failed_signing_changes_nothing(archive, case):
    git(archive, "config", "commit.gpgsign", "true")
    git(archive, "config", "gpg.program", "false")
    before = full_state(archive)
    assert_refused(_ack(archive, case), "gpg")
    assert full_state(archive) == before


@pytest.mark.parametrize("staged", [False, True], ids=["unstaged", "staged"])
def test_uncommitted_hand_edits_are_not_overwritten(archive, case, staged):
    path = case_path(archive, case)
    edited = path.read_text(encoding="utf-8").replace("全额退款并补偿同价值商品", "全额退款（手工改过）")
    path.write_text(edited, encoding="utf-8")
    if staged:
        git(archive, "add", case_rel(case))
    before = full_state(archive)
    assert_refused(_ack(archive, case), case_rel(case), "uncommitted")
    assert full_state(archive) == before
    assert path.read_text(encoding="utf-8") == edited


def test_a_second_kesu_is_refused_while_the_first_holds_the_lock(archive, case, tmp_path):
    other = new_case(archive, at="2026-11-23T16:20")
    count = commit_count(archive)
    other_text = case_path(archive, other).read_text(encoding="utf-8")
    with held_in_pre_commit(archive, [KESU, "ack", case, "--actor", "zhang.san", "--at", at("16:11")],
                            tmp_path) as first:
        second = step(archive, "ack", other, actor="zhang.san", when="16:21")
        assert_refused(second, "another kesu command")
        assert case_path(archive, other).read_text(encoding="utf-8") == other_text
        assert commit_count(archive) == count
    assert first.returncode == 0, first.err
    assert commit_count(archive) == count + 1
    assert touched(archive) == [case_rel(case)]
    assert trailers(archive)["Case"] == case
    assert read_case(archive, other)["state"] == "received"
    assert git(archive, "status", "--porcelain") == ""
    # the lock is gone with the first process
    assert_ok(step(archive, "ack", other, actor="zhang.san", when="16:21"))


def test_ctrl_c_during_a_step_exits_130_and_changes_nothing(archive, case, tmp_path):
    before = full_state(archive)
    with held_in_pre_commit(archive, [KESU, "ack", case, "--actor", "zhang.san", "--at", at("16:11")],
                            tmp_path) as proc:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    err = proc.err
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err
    assert "interrupted" in err
    assert not (archive / ".git" / "index.lock").exists()
    assert full_state(archive) == before
    # nothing is left behind that blocks the next step
    (archive / ".git" / "hooks" / "pre-commit").unlink()
    assert_ok(_ack(archive, case))


def test_a_full_disk_changes_nothing(archive, case):
    size = case_path(archive, case).stat().st_size
    limit = size // 2

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    before = full_state(archive)
    result = subprocess.run([KESU, "ack", case, "--actor", "zhang.san", "--at", at("16:11")],
                            cwd=archive, capture_output=True, text=True, timeout=60,
                            preexec_fn=full_disk)
    assert_refused(result, "cannot write")
    assert full_state(archive) == before  # no half-written or temporary file either


def test_the_users_staged_files_stay_out_of_kesus_commit(archive, case):
    other = new_case(archive, at="2026-11-23T16:20")
    (archive / "notes.txt").write_text("周会记录\n", encoding="utf-8")
    git(archive, "add", "notes.txt")
    with (archive / "kesu.yaml").open("a", encoding="utf-8") as policy:
        policy.write("# draft: new roster member\n")
    other_path = case_path(archive, other)
    other_path.write_text(other_path.read_text(encoding="utf-8") + "# 待核实\n", encoding="utf-8")

    assert_ok(_ack(archive, case))
    assert touched(archive) == [case_rel(case)]
    assert git(archive, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert sorted(git(archive, "diff", "--name-only").split()) == sorted(["kesu.yaml", case_rel(other)])
    assert "notes.txt" not in git(archive, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert other_path.read_text(encoding="utf-8").endswith("# 待核实\n")
