"""Forgeries an insider can make with kesu or plain git, each caught by the audit.

Every test builds its forgery the way an insider would (kesu commands, a text
editor, ``git commit``, ``--amend``, ``rebase``, ``replace``, a changed
kesu.yaml) and asserts the finding's rule code on the forged commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import git, kesu
from e2e_support import case_path
from kesu import trailers, yamlio
from kesu.casefile import case_text
from test_audit import (change_policy, commit_as, do, findings, head, new, now_stamp,
                        rules_of, walk_to_plan)


def read(root: Path, case_id: str) -> dict:
    return yamlio.load(case_path(root, case_id).read_text(encoding="utf-8"))


def write(root: Path, case_id: str, case: dict) -> None:
    case_path(root, case_id).write_text(case_text(case), encoding="utf-8")


def forge_step(root: Path, case_id: str, action: str, change, actor: str, args: dict | None = None) -> str:
    """Change the case by hand, append a timeline entry that looks like ``action``'s,
    and commit it with kesu's trailers — everything a kesu step would leave but the truth."""
    case = read(root, case_id)
    state = case["state"]
    change(case)
    at = now_stamp()
    entry = {"at": at, "action": action, "from": state, "to": state, "by": actor}
    if args:
        entry["args"] = args
    case["timeline"].append(entry)
    write(root, case_id, case)
    git(root, "add", "-A")
    return commit_as(root, trailers.step_message(case_id, action, state, state, actor, at))


def set_refund(amount):
    def change(case):
        case["plan"]["compensation"][0]["amount"] = amount
        case["plan"]["total"] = amount
    return change


# ------------------------------------------------------------------ edit
def test_kesu_edit_may_not_touch_the_plan(archive, tmp_path):
    case_id = walk_to_plan(archive)
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
                      "open(p, 'w', encoding='utf-8').write(t.replace('amount: 39.90', "
                      "'amount: 9000.00').replace('total: 39.90', 'total: 9000.00'))\n",
                      encoding="utf-8")
    before = head(archive)
    result = kesu("edit", case_id, "--actor", "zhang.san", cwd=archive,
                  env={"EDITOR": f"python3 {editor}"})
    assert result.returncode == 2 and "an edit may not change plan" in result.stderr
    assert head(archive) == before


def test_a_forged_edit_that_raises_the_refund_and_writes_an_approval(archive):
    case_id = walk_to_plan(archive)

    def raise_and_approve(case):
        set_refund(9000.0)(case)
        case["plan"]["approval"]["approved_by"] = "wang.fang"
    sha = forge_step(archive, case_id, "edit", raise_and_approve, "zhang.san",
                     {"sections": {"plan": {"total": 9000.0}}})
    assert "foreign-section" in rules_of(findings(archive), sha)


# ------------------------------------------------------------------ replay
def test_an_approve_that_also_raises_the_amount(archive):
    case_id = walk_to_plan(archive)

    def approve_and_raise(case):
        set_refund(8000.0)(case)
        case["plan"]["approval"].update(approved_by="wang.fang", approved_at=now_stamp())
    sha = forge_step(archive, case_id, "approve", approve_and_raise, "wang.fang")
    found = [f for f in findings(archive) if f["commit"] == sha]
    assert [f["rule"] for f in found] == ["replay-mismatch"]
    assert "plan" in found[0]["message"]


def test_an_amended_propose(archive):
    case_id = walk_to_plan(archive)  # the last step proposed a refund of 39.90
    case = read(archive, case_id)
    set_refund(5000.0)(case)
    write(archive, case_id, case)
    git(archive, "commit", "-q", "-a", "--amend", "--no-edit")
    assert rules_of(findings(archive), head(archive)) == {"replay-mismatch"}


def test_an_interactive_rebase_that_changes_an_old_propose(archive, tmp_path):
    case_id = walk_to_plan(archive)
    do(archive, "approve", case_id, actor="wang.fang")
    do(archive, "notify", case_id, "--method", "phone")
    propose = git(archive, "log", "--format=%H", "--grep", ": propose (").split()[0]
    # Mark the propose for editing, change its cash, and let the rest be replayed on top.
    seq = tmp_path / "seq.sh"
    seq.write_text(f"#!/bin/sh\nsed -i 's/^pick {propose[:7]}/edit {propose[:7]}/' \"$1\"\n")
    seq.chmod(0o755)
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": str(seq)}
    for section in ("merge.kesu", "merge.kesu-library"):  # kesu's drivers refuse hand edits
        subprocess.run(["git", "config", "--remove-section", section], cwd=archive)
    subprocess.run(["git", "rebase", "-q", "-i", f"{propose}~1"], cwd=archive, env=env, check=True)
    path = case_path(archive, case_id)
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 39.90", "amount: 3900.00")
                    .replace("total: 39.90", "total: 3900.00"), encoding="utf-8")
    git(archive, "commit", "-q", "-a", "--amend", "--no-edit")
    rewritten = head(archive)
    subprocess.run(["git", "rebase", "--continue"], cwd=archive, env=env, check=True,
                   capture_output=True)
    assert rules_of(findings(archive), rewritten) == {"replay-mismatch"}


def test_git_replace_of_head_with_a_forged_tree(archive):
    case_id = walk_to_plan(archive)
    real = git(archive, "rev-parse", "HEAD").strip()
    case = read(archive, case_id)
    set_refund(7000.0)(case)
    write(archive, case_id, case)
    git(archive, "add", "-A")
    tree = git(archive, "write-tree").strip()
    message = git(archive, "log", "-1", "--format=%B")
    parent = git(archive, "rev-parse", "HEAD~1").strip()
    fake = subprocess.run(["git", "commit-tree", tree, "-p", parent], cwd=archive, input=message,
                          capture_output=True, text=True, check=True).stdout.strip()
    git(archive, "replace", real, fake)
    git(archive, "reset", "-q", "--hard")
    assert "7000" in case_path(archive, case_id).read_text(encoding="utf-8")  # git shows the fake
    found = findings(archive)
    assert "replaced" in {f["rule"] for f in found}
    # the stored (real) commit is what was audited: nothing but the replacement is found
    assert rules_of(found, real[:10]) == {"replaced"}


# ------------------------------------------------------------------ time
def test_an_intake_forty_days_back_with_a_forged_commit_date(archive):
    forty_days_ago = now_stamp(-timedelta(days=40))
    case_id = new(archive, "--at", forty_days_ago[:16], env={"GIT_COMMITTER_DATE": forty_days_ago})
    sha = head(archive)
    found = findings(archive)
    assert rules_of(found, sha) == {"time-reversed"}
    assert [f["case"] for f in found if f["commit"] == sha] == [case_id]


# ------------------------------------------------------------------ policy
def test_a_clerk_raises_his_own_limit_in_kesu_yaml(archive):
    policy = archive / "kesu.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        "role: front_desk, approval_limit: 100}", "role: front_desk, approval_limit: 99999}"),
        encoding="utf-8")
    git(archive, "add", "-A")
    typo_fix = commit_as(archive, "typo fix")
    assert rules_of(findings(archive), typo_fix) == {"policy-unrecorded"}


def test_a_clerk_may_not_change_the_policy_and_a_forged_policy_step_is_caught(archive, tmp_path):
    raised = yamlio.load((archive / "kesu.yaml").read_text(encoding="utf-8"))
    raised["roster"]["zhang.san"]["approval_limit"] = 99999
    new_policy = tmp_path / "kesu.yaml"
    new_policy.write_text(yamlio.dump(raised), encoding="utf-8")
    before = head(archive)
    refused = kesu("policy", "edit", "--from-file", str(new_policy), "--actor", "zhang.san",
                   cwd=archive)
    assert refused.returncode == 2 and "policy.roles" in refused.stderr
    assert head(archive) == before
    shutil.copy(new_policy, archive / "kesu.yaml")
    git(archive, "add", "-A")
    forged = commit_as(archive, trailers.policy_message("kesu.yaml: typo", "zhang.san", now_stamp()))
    found = [f for f in findings(archive) if f["commit"] == forged]
    assert {f["rule"] for f in found} == {"policy-refused"}
    assert any("front_desk" in f["message"] for f in found)


def test_raising_ones_own_limit_needs_a_second_person(archive):
    def raise_own(policy):
        policy["roster"]["wang.fang"]["approval_limit"] = 99999
    result_before = head(archive)
    with pytest.raises(AssertionError, match="second person"):
        change_policy(archive, raise_own)
    assert head(archive) == result_before
    sha = change_policy(archive, raise_own, approver="zhao.lei")
    assert rules_of(findings(archive), sha) == set()


def test_a_looser_backdating_limit_does_not_erase_an_earlier_finding(archive):
    from test_audit import start_days_ago

    start_days_ago(archive, 5)
    four_days_ago = now_stamp(-timedelta(days=4))
    case_id = new(archive, "--at", four_days_ago[:16], env={"GIT_COMMITTER_DATE": four_days_ago})
    late = do(archive, "ack", case_id, "--at", now_stamp(-timedelta(days=3))[:16], actor="zhang.san")
    assert rules_of(findings(archive), late) == {"backdated"}
    change_policy(archive, lambda p: p["audit"].update(max_backdate="300d"), approver="zhao.lei")
    assert rules_of(findings(archive), late) == {"backdated"}


def test_a_step_is_judged_by_the_policy_of_its_day(archive):
    """A plan over the proposer's limit, committed with its approval 'not required'; a later
    (properly approved) rise of that limit does not make the earlier step right."""
    case_id = walk_to_plan(archive)
    do(archive, "escalate", case_id, "--reason", "重新核算")

    def unapproved_big_refund(case):
        case["state"] = "plan_proposed"
        set_refund(5000.0)(case)
    case = read(archive, case_id)
    unapproved_big_refund(case)
    at = now_stamp()
    case["timeline"].append({"at": at, "action": "propose", "from": "investigating",
                             "to": "plan_proposed", "by": "li.ming",
                             "args": {"step": ["全额退款"], "refund": "5000.00"}})
    write(archive, case_id, case)
    git(archive, "add", "-A")
    sha = commit_as(archive, trailers.step_message(case_id, "propose", "investigating",
                                                   "plan_proposed", "li.ming", at))
    assert rules_of(findings(archive), sha) == {"replay-mismatch"}
    change_policy(archive, lambda p: p["roster"]["li.ming"].update(approval_limit=99999))
    assert rules_of(findings(archive), sha) == {"replay-mismatch"}


# ------------------------------------------------------------------ money
def test_an_amount_floats_cannot_hold_is_refused(archive):
    case_id = walk_to_plan(archive)
    do(archive, "escalate", case_id, "--reason", "重新核算")
    result = kesu("propose", case_id, "--step", "退款", "--refund", "1234567890123456.78",
                  "--actor", "li.ming", cwd=archive)
    assert result.returncode == 2 and "money.max_amount" in result.stderr


def test_statutory_compensation_beyond_the_clerks_limit_is_refused(archive):
    case_id = walk_to_plan(archive)
    do(archive, "notify", case_id)
    do(archive, "accept", case_id)
    before = head(archive)
    result = kesu("act", case_id, "退一赔十", "--statutory", "8.50", "--actor", "zhang.san",
                  cwd=archive)
    assert result.returncode == 2 and "1039.90" in result.stderr, result.stderr
    assert head(archive) == before
    # within operations' limit it goes through
    do(archive, "act", case_id, "退一赔十", "--statutory", "8.50", actor="wang.fang")
    assert findings(archive) == []


# ------------------------------------------------------------------ merges
@pytest.mark.parametrize("keep", ["-s ours", "-X ours", "-X theirs"])
def test_a_merge_that_keeps_one_side_is_caught(archive, keep):
    for section in ("merge.kesu", "merge.kesu-library"):  # plain git, without kesu's drivers
        subprocess.run(["git", "config", "--remove-section", section], cwd=archive)
    case_id = new(archive)
    git(archive, "checkout", "-q", "-b", "other-desk")
    theirs = do(archive, "note", case_id, "另一台电脑上的记录")
    git(archive, "checkout", "-q", "main")
    mine = do(archive, "note", case_id, "本机记录")
    subprocess.run(["git", "merge", "-q", *keep.split(), "other-desk", "-m", "sync"],
                   cwd=archive, check=True, capture_output=True)
    found = findings(archive)
    dropped = {f["commit"] for f in found if f["rule"] == "step-dropped"}
    assert dropped == ({theirs} if keep != "-X theirs" else {mine})
    assert all(f["case"] == case_id for f in found)


# ------------------------------------------------------------------ identity
def _gpg_key(home: Path, uid: str) -> str:
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519",
                    "sign", "never"], env={**os.environ, "GNUPGHOME": str(home)}, check=True,
                   capture_output=True)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", uid],
                             env={**os.environ, "GNUPGHOME": str(home)}, check=True,
                             capture_output=True, text=True).stdout
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))


@pytest.mark.skipif(shutil.which("gpg") is None, reason="GnuPG is not installed")
def test_a_self_made_gnupg_key_with_the_actors_name_is_not_the_actor(archive, tmp_path,
                                                                    monkeypatch):
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    real = _gpg_key(home, "李明 <desk@example.com>")
    impostor = _gpg_key(home, "李明 (desk) <desk@example.com>")

    def pin(policy):
        policy["roster"]["li.ming"]["signing_key"] = real
        policy["roster"]["li.ming"]["email"] = "desk@example.com"
    change_policy(archive, pin)
    case_id = new(archive, actor="li.ming")
    env = {"GNUPGHOME": str(home), "GIT_CONFIG_COUNT": "3",
           "GIT_CONFIG_KEY_0": "commit.gpgsign", "GIT_CONFIG_VALUE_0": "true",
           "GIT_CONFIG_KEY_1": "gpg.format", "GIT_CONFIG_VALUE_1": "openpgp",
           "GIT_CONFIG_KEY_2": "user.signingkey", "GIT_CONFIG_VALUE_2": impostor}
    forged = do(archive, "note", case_id, "顾客来电", actor="li.ming", env=env)
    env["GIT_CONFIG_VALUE_2"] = real
    honest = do(archive, "note", case_id, "顾客再次来电", actor="li.ming", env=env)
    monkeypatch.setenv("GNUPGHOME", str(home))  # the auditor's keyring holds both keys
    found = findings(archive, "--require-signed", "--case", case_id)
    assert rules_of(found, forged) == {"signer-mismatch"}
    assert rules_of(found, honest) == set()


# ------------------------------------------------------------------ anchor
def test_history_rewritten_after_an_anchored_audit(archive):
    case_id = walk_to_plan(archive)
    assert kesu("audit", "--anchor", cwd=archive).returncode == 0
    anchored = git(archive, "rev-parse", "refs/kesu/audited").strip()
    assert anchored == git(archive, "rev-parse", "HEAD").strip()
    do(archive, "note", case_id, "顾客来电")
    quick = kesu("audit", "--since-anchor", cwd=archive)
    assert quick.returncode == 0 and quick.stderr.strip() == "1 commits checked, 0 findings"
    # rewrite the audited history: drop the propose and record it again, differently
    git(archive, "reset", "-q", "--hard", "HEAD~2")
    do(archive, "propose", case_id, "--step", "全额退款", "--refund", "30.00")
    found = findings(archive)
    assert [(f["commit"], f["rule"]) for f in found] == [(anchored[:10], "rewritten")]


def test_validate_reports_amounts_beyond_the_policy_or_the_cent(archive):
    case_id = walk_to_plan(archive)
    path = case_path(archive, case_id)
    text = path.read_text(encoding="utf-8")
    for bad, message in (("2000000.00", "money.max_amount"), ("39.905", "two decimals"),
                         (".inf", "two decimals")):
        path.write_text(text.replace("amount: 39.90", f"amount: {bad}"), encoding="utf-8")
        result = kesu("validate", "--no-cache", cwd=archive)
        assert result.returncode == 1, result.stdout + result.stderr
        assert message in result.stdout + result.stderr, (bad, result.stdout)
