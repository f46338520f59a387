"""``kesu audit``: a history made through kesu audits clean; every way an insider
could change it behind the tool's back is caught, named by rule and commit.

Each test builds a real archive with the installed ``kesu``, then tampers with
it using plain git, as someone with write access to the repository would.
Events happen "now" (no ``--at``) unless back-dating is what is tested, so the
default maximum back-dating (24 h) never fires by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import git, kesu
from e2e_support import case_path, case_rel, parse_yaml
from kesu import trailers, yamlio

CUSTOMER = "王女士"
CONTACT = "13800138000"
INTAKE = ["--channel", "counter", "--customer", CUSTOMER, "--contact", CONTACT,
          "--summary", "草莓霉变", "--facts", "生鲜区称重台购买的草莓约三分之一霉变",
          "--demands", "全额退款", "--emotion", "anxious", "--location", "生鲜区称重台",
          "--product", "6901234567890=草莓 500g"]


# ------------------------------------------------------------------ helpers
def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.stdout


def new(root: Path, *extra: str, actor: str = "zhang.san", env: dict | None = None) -> str:
    return ok(kesu("new", *INTAKE, "--actor", actor, *extra, cwd=root, env=env)).strip()


def do(root: Path, action: str, case_id: str, *args: str, actor: str = "li.ming",
       env: dict | None = None) -> str:
    """Run one kesu step now and return the short id of its commit."""
    ok(kesu(action, case_id, *args, "--actor", actor, cwd=root, env=env))
    return head(root)


def head(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", rev).strip()[:10]


def audit(root: Path, *args: str) -> subprocess.CompletedProcess:
    return kesu("audit", *args, cwd=root)


def findings(root: Path, *args: str) -> list[dict]:
    result = audit(root, *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert (result.returncode == 1) == bool(data["findings"])
    return data["findings"]


def rules_of(found: list[dict], commit: str) -> set[str]:
    return {f["rule"] for f in found if f["commit"] == commit}


def commit_as(root: Path, message: str, *args: str) -> str:
    """A plain ``git commit`` of whatever is staged (the insider's way)."""
    subprocess.run(["git", "commit", "-q", "-F", "-", *args], cwd=root, input=message, text=True,
                   check=True)
    return head(root)


def forged_message(case_id: str, action: str, from_state: str, to_state: str, actor: str,
                   at: str) -> str:
    """The message kesu writes for a step, on a commit kesu did not make."""
    return trailers.step_message(case_id, action, from_state, to_state, actor, at)


def change_policy(root: Path, mutate, actor: str = "wang.fang", approver: str | None = None,
                  at: str | None = None) -> str:
    """Change kesu.yaml the recorded way (kesu policy edit) and return the commit."""
    policy = yamlio.load((root / "kesu.yaml").read_text(encoding="utf-8"))
    mutate(policy)
    new_text = root.parent / "new-kesu.yaml"
    new_text.write_text(yamlio.dump(policy), encoding="utf-8")
    extra = ["--approver", approver] if approver else []
    if at:
        extra += ["--at", at[:16]]
    ok(kesu("policy", "edit", "--from-file", str(new_text), "--actor", actor, *extra, cwd=root,
            env={"GIT_COMMITTER_DATE": at} if at else None))
    return head(root)


def start_days_ago(root: Path, days: int) -> str:
    """Date the archive's first commit ``days`` back (as if the desk opened then)."""
    stamp = now_stamp(-timedelta(days=days))
    subprocess.run(["git", "commit", "-q", "--amend", "--no-edit", "--date", stamp], cwd=root,
                   env={**os.environ, "GIT_COMMITTER_DATE": stamp}, check=True)
    return stamp


def now_stamp(delta: timedelta = timedelta()) -> str:
    moment = datetime.now(timezone(timedelta(hours=8))) + delta
    return moment.replace(microsecond=0).isoformat()


def walk_to_plan(root: Path) -> str:
    case_id = new(root)
    do(root, "ack", case_id, "--method", "in_person", actor="zhang.san")
    do(root, "dispatch", case_id, "--category", "product", "--subcategory", "quality_defect",
       "--severity", "general", "--risk", "medium", "--owner", "li.ming",
       "--department", "fresh_food")
    do(root, "investigate", case_id, "--findings", "同批次草莓抽检 10 盒，2 盒霉变",
       "--responsibility", "supplier")
    do(root, "propose", case_id, "--step", "全额退款", "--refund", "39.90")
    return case_id


# ====================================================================== a clean history
@pytest.fixture
def clean(archive, tmp_path) -> tuple[Path, list[str], int]:
    """A history made only through kesu: the full walk plus the side paths."""
    root = archive
    main = new(root)
    do(root, "ack", main, "--method", "in_person", "--message", "已登记", actor="zhang.san")
    do(root, "dispatch", main, "--category", "product", "--subcategory", "quality_defect",
       "--severity", "general", "--risk", "medium", "--owner", "li.ming",
       "--department", "fresh_food")
    do(root, "extend", main, "--by", "2h", "--reason", "等待供应商质检报告", "--approver", "wang.fang")
    do(root, "investigate", main, "--findings", "同批次草莓抽检 10 盒，2 盒霉变",
       "--responsibility", "supplier", "--root-cause", "冷链运输温度超标")
    do(root, "note", main, "顾客来电询问进度", actor="zhang.san")
    do(root, "propose", main, "--step", "全额退款", "--step", "下架检测", "--refund", "39.90",
       "--cash", "1000")
    do(root, "approve", main, actor="wang.fang")
    do(root, "notify", main, "--method", "phone")
    do(root, "object", main, "--reason", "要求三倍赔偿")
    do(root, "escalate", main, "--reason", "客户不接受方案", "--owner", "wang.fang")
    do(root, "assign", main, "--owner", "li.ming")
    do(root, "investigate", main, "--findings", "复核冷链记录")
    do(root, "propose", main, "--step", "全额退款", "--refund", "39.90", "--voucher", "20")
    do(root, "notify", main, "--method", "phone")
    do(root, "accept", main)
    do(root, "act", main, "退款 39.90 元已原路退回", actor="zhang.san")
    do(root, "resolve", main, "--summary", "已退款并赠券")
    do(root, "follow-up", main, "--satisfaction", "satisfied", actor="zhang.san")
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text(encoding='utf-8').replace("
                      "'location: 生鲜区称重台', 'location: 生鲜区称重台东侧'), encoding='utf-8')\n",
                      encoding="utf-8")
    ok(kesu("edit", main, "--actor", "li.ming", cwd=root,
            env={"EDITOR": f"{sys.executable} {editor}"}))
    # The case library is another feature; when this kesu has it, its commits must audit clean too.
    if kesu("library", "--help", cwd=root).returncode == 0:
        kesu("library", "add", main, "--lessons", "冷链温度要每批记录", "--actor", "li.ming",
             cwd=root)
    other = new(root)
    do(root, "close", other, "--reason", "withdrawn", "--note", "顾客撤回")
    # the audit reads every commit of the cases and of the policy (kesu init is one)
    case_commits = int(git(root, "rev-list", "--count", "HEAD", "--", "cases", "kesu.yaml").strip())
    return root, [main, other], case_commits


def test_a_history_made_through_kesu_audits_clean(clean):
    root, _, case_commits = clean
    result = audit(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == f"{case_commits} commits checked, 0 findings"


def test_json_has_the_documented_shape(clean):
    root, _, case_commits = clean
    result = audit(root, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"commits_checked": case_commits, "findings": []}


def test_an_archive_without_cases_audits_clean(archive):
    result = audit(archive, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"commits_checked": 1, "findings": []}  # kesu init


# ====================================================================== tampering
def test_a_hand_edited_state_committed_with_plain_git(archive):
    case_id = new(archive)
    do(archive, "ack", case_id, actor="zhang.san")
    path = case_path(archive, case_id)
    path.write_text(path.read_text(encoding="utf-8").replace("state: acknowledged", "state: closed"),
                    encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, "fix state")
    result = audit(archive)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{sha} {case_id} no-trailers: changes the case without kesu's trailers "
        "(Case, Action, From, To, Actor, At): every change to a case must be a kesu step"]


def test_forged_note_trailers_that_change_the_compensation(archive):
    """A legal-looking step (a note, with a matching timeline entry) that raises the refund."""
    case_id = walk_to_plan(archive)
    path = case_path(archive, case_id)
    case = parse_yaml(path.read_text(encoding="utf-8"))
    at = now_stamp()
    text = path.read_text(encoding="utf-8").replace("amount: 39.9", "amount: 399.9")
    assert text != path.read_text(encoding="utf-8")
    text += f"  - {{at: '{at}', action: note, from: plan_proposed, to: plan_proposed, by: li.ming}}\n"
    path.write_text(text, encoding="utf-8")
    assert len(parse_yaml(text)["timeline"]) == len(case["timeline"]) + 1
    git(archive, "add", "-A")
    sha = commit_as(archive, forged_message(case_id, "note", "plan_proposed", "plan_proposed",
                                            "li.ming", at))
    found = findings(archive)
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [(sha, case_id, "foreign-section")]
    assert "plan" in found[0]["message"] and "notes" in found[0]["message"]


def test_trailers_for_a_step_the_table_does_not_allow(archive):
    case_id = new(archive)
    path = case_path(archive, case_id)
    at = now_stamp()
    text = path.read_text(encoding="utf-8").replace("state: received", "state: resolved")
    text += f"  - {{at: '{at}', action: resolve, from: received, to: resolved, by: li.ming}}\n"
    path.write_text(text, encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, forged_message(case_id, "resolve", "received", "resolved", "li.ming", at))
    found = findings(archive)
    assert rules_of(found, sha) == {"illegal-transition"}
    assert "allowed from received" in found[0]["message"]


def test_a_from_trailer_that_lies_about_the_state(archive):
    case_id = new(archive)
    path = case_path(archive, case_id)
    at = now_stamp()
    text = path.read_text(encoding="utf-8").replace("state: received", "state: dispatched")
    text += f"  - {{at: '{at}', action: dispatch, from: acknowledged, to: dispatched, by: li.ming}}\n"
    path.write_text(text, encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, forged_message(case_id, "dispatch", "acknowledged", "dispatched",
                                            "li.ming", at))
    assert {"from-mismatch", "illegal-transition"} <= rules_of(findings(archive), sha)


def test_a_rewritten_timeline_entry(archive):
    case_id = new(archive)
    do(archive, "ack", case_id, actor="zhang.san")
    sha = do(archive, "note", case_id, "顾客来电")
    path = case_path(archive, case_id)
    # Amend the note commit so that it also rewrites who acknowledged the case.
    text = path.read_text(encoding="utf-8").replace("action: ack, from: received, to: acknowledged, "
                                                    "by: zhang.san", "action: ack, from: received, "
                                                    "to: acknowledged, by: wang.fang")
    path.write_text(text, encoding="utf-8")
    git(archive, "commit", "-q", "-a", "--amend", "--no-edit")
    sha = head(archive)
    found = [f for f in findings(archive) if f["commit"] == sha]
    assert [f["rule"] for f in found] == ["timeline-mismatch"]
    assert "earlier timeline entries were changed" in found[0]["message"]


def test_a_deleted_case(archive):
    case_id = new(archive)
    git(archive, "rm", "-q", case_rel(case_id))
    sha = commit_as(archive, "remove a complaint")
    found = findings(archive)
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [(sha, case_id, "deleted")]


def test_a_renamed_case(archive):
    case_id = new(archive)
    target = "cases/2020/01/" + Path(case_rel(case_id)).name
    (archive / "cases/2020/01").mkdir(parents=True)
    git(archive, "mv", case_rel(case_id), target)
    sha = commit_as(archive, "move")
    assert rules_of(findings(archive), sha) == {"renamed"}


def test_a_reused_id(archive):
    """A case deleted, then added again at the same path by an intake commit."""
    case_id = new(archive)
    intake = git(archive, "rev-parse", "HEAD").strip()
    git(archive, "rm", "-q", case_rel(case_id))
    commit_as(archive, "remove a complaint")
    git(archive, "checkout", intake, "--", case_rel(case_id))
    git(archive, "commit", "-q", "-C", intake)  # the intake's own message and trailers
    sha = head(archive)
    found = findings(archive)
    assert rules_of(found, sha) == {"id-reused"}
    assert f"added in {intake[:10]}" in [f for f in found if f["commit"] == sha][0]["message"]


def test_two_cases_in_one_commit_and_a_smuggled_file(archive):
    first, second = new(archive), new(archive)
    do(archive, "note", first, "顾客来电")
    # Amend the note commit: it now also changes the other case and the policy.
    for rel, old, new_text in ((case_rel(second), "emotion: anxious", "emotion: calm"),
                               ("kesu.yaml", "approval_limit: 100}", "approval_limit: 100000}")):
        path = archive / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new_text), encoding="utf-8")
    git(archive, "commit", "-q", "-a", "--amend", "--no-edit")
    sha = head(archive)
    found = [f for f in findings(archive) if f["commit"] == sha]
    assert {(f["case"], f["rule"]) for f in found} == {
        (first, "multi-case"), (second, "multi-case"), (first, "foreign-file")}
    assert "kesu.yaml" in next(f["message"] for f in found if f["rule"] == "foreign-file")


def test_library_commits_are_not_case_commits_and_policy_commits_are_steps(archive):
    case_id = new(archive)
    (archive / "library").mkdir()
    (archive / "library" / "README.md").write_text("# 案例库\n", encoding="utf-8")
    git(archive, "add", "-A")
    commit_as(archive, "library index")
    change_policy(archive, lambda p: p["vocabularies"]["departments"].append("bakery"))
    assert findings(archive) == []
    policy = archive / "kesu.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, "policy")
    assert [(f["commit"], f["rule"]) for f in findings(archive)] == [(sha, "policy-unrecorded")]
    assert case_id


def test_trailers_that_do_not_parse(archive):
    case_id = new(archive)
    path = case_path(archive, case_id)
    path.write_text(path.read_text(encoding="utf-8") + "notes: []\n", encoding="utf-8")
    git(archive, "add", "-A")
    message = forged_message(case_id, "note", "received", "received", "li.ming", "2026-11-24 10:00")
    sha = commit_as(archive, message + f"Case: {case_id}\n")
    found = findings(archive)
    assert [(f["commit"], f["rule"]) for f in found] == [(sha, "bad-trailers")]
    assert "Case is given 2 times" in found[0]["message"]
    assert "is not a time with an offset" in found[0]["message"]


def test_a_forged_edit_that_changes_what_an_edit_may_not(archive):
    case_id = new(archive)
    path = case_path(archive, case_id)
    at = now_stamp()
    text = path.read_text(encoding="utf-8").replace("timeline:\n", "escalations: []\ntimeline:\n")
    text += f"  - {{at: '{at}', action: edit, from: received, to: received, by: li.ming}}\n"
    path.write_text(text, encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, forged_message(case_id, "edit", "received", "received", "li.ming", at))
    found = findings(archive)
    assert [(f["commit"], f["rule"]) for f in found] == [(sha, "foreign-section")]
    assert "escalations" in found[0]["message"]


def test_a_conflict_between_clones_resolved_by_hand(archive):
    case_id = new(archive)
    git(archive, "checkout", "-q", "-b", "clone")
    do(archive, "note", case_id, "另一台电脑上的记录")
    git(archive, "checkout", "-q", "main")
    do(archive, "note", case_id, "本机记录")
    git(archive, "config", "--remove-section", "merge.kesu")  # a desk without kesu's merge driver
    merge = subprocess.run(["git", "merge", "-q", "clone", "-m", "sync"], cwd=archive,
                           capture_output=True, text=True)
    assert merge.returncode != 0, "both clones appended to the timeline: git must see a conflict"
    path = case_path(archive, case_id)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
             if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    path.write_text("".join(lines), encoding="utf-8")
    git(archive, "commit", "-q", "-am", "sync")
    sha = head(archive)
    found = findings(archive)
    # both sides' sections pasted together: a key twice, which no YAML 1.2 reader accepts
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [
        (sha, case_id, "merge-edit"), (sha, case_id, "unreadable")]


# ====================================================================== time
def test_a_step_backdated_by_three_days(archive):
    """The intake really happened four days ago; the ack is entered now, dated three days back."""
    start_days_ago(archive, 5)
    four_days_ago = now_stamp(-timedelta(days=4))
    case_id = new(archive, "--at", four_days_ago[:16], env={"GIT_COMMITTER_DATE": four_days_ago})
    intake = head(archive)
    sha = do(archive, "ack", case_id, "--at", now_stamp(-timedelta(days=3))[:16], actor="zhang.san")
    found = findings(archive)
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [(sha, case_id, "backdated")]
    assert "3 d" in found[0]["message"]
    assert rules_of(found, intake) == set()
    assert findings(archive, "--max-backdate", "4d") == []


def test_an_event_dated_after_its_commit(archive):
    case_id = new(archive)
    yesterday = now_stamp(-timedelta(days=1))
    sha = do(archive, "note", case_id, "顾客来电", env={"GIT_COMMITTER_DATE": yesterday})
    # dated before its parent too: a forged committer date
    assert rules_of(findings(archive), sha) == {"future-event", "time-reversed"}


def test_max_backdate_comes_from_the_policy(archive):
    start_days_ago(archive, 1)
    assert "max_backdate: 24h" in (archive / "kesu.yaml").read_text(encoding="utf-8")
    stricter = now_stamp(-timedelta(hours=3))
    change_policy(archive, lambda p: p["audit"].update(max_backdate="30m"), approver="zhao.lei",
                  at=stricter)
    two_hours_ago = now_stamp(-timedelta(hours=2))
    case_id = new(archive, "--at", two_hours_ago[:16], env={"GIT_COMMITTER_DATE": two_hours_ago})
    sha = do(archive, "ack", case_id, "--at", now_stamp(-timedelta(hours=1))[:16])
    assert [(f["commit"], f["rule"]) for f in findings(archive)] == [(sha, "backdated")]
    assert findings(archive, "--max-backdate", "90m") == []


def test_validate_and_audit_agree_on_the_policy_back_dating_limit(archive):
    policy = archive / "kesu.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("max_backdate: 24h",
                                                                 "max_backdate: 3wd"),
                      encoding="utf-8")
    line = next(n for n, text in enumerate(policy.read_text(encoding="utf-8").splitlines(), 1)
                if "max_backdate" in text)
    checked = kesu("validate", cwd=archive)
    assert checked.returncode == 1 and f"kesu.yaml:{line}:" in checked.stdout + checked.stderr
    result = audit(archive)
    assert result.returncode == 2
    assert "kesu.yaml" in result.stderr and "'3wd'" in result.stderr


@pytest.mark.parametrize("bad", ["soon", "24", "-1h", "3x", "3wd", "0h"])
def test_a_bad_duration_is_a_usage_error(archive, bad):
    result = audit(archive, "--max-backdate", bad)
    assert result.returncode == 2
    assert "--max-backdate" in result.stderr and "Traceback" not in result.stderr


# ====================================================================== signatures
@pytest.fixture
def signing(archive, tmp_path):
    """Two SSH keys: A for desk@example.com, B for other@example.com; signing on."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen (openssh-client) is not installed: cannot make SSH signatures")
    keys = {}
    for name in ("a", "b"):
        key = tmp_path / f"key-{name}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                       check=True)
        keys[name] = key
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(
        f'desk@example.com namespaces="git" {keys["a"].with_suffix(".pub").read_text()}'
        f'other@example.com namespaces="git" {keys["b"].with_suffix(".pub").read_text()}')
    for key, value in (("gpg.format", "ssh"), ("user.signingkey", str(keys["a"])),
                       ("gpg.ssh.allowedSignersFile", str(allowed)), ("commit.gpgsign", "true")):
        git(archive, "config", key, value)
    key_a = keys["a"].with_suffix(".pub").read_text().strip()

    def pin(policy):
        policy["roster"]["li.ming"]["email"] = "desk@example.com"
        policy["roster"]["zhang.san"]["signing_key"] = key_a
        policy["roster"]["wang.fang"]["signing_key"] = key_a  # signs this very change

    change_policy(archive, pin, approver="zhao.lei")  # her own key: a second person approves
    return keys


def _with(key: str, value: str) -> dict:
    """One git setting for one kesu process only."""
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": key, "GIT_CONFIG_VALUE_0": value}


def test_signed_steps_by_their_actors_pass(archive, signing):
    case_id = new(archive, actor="li.ming")
    do(archive, "ack", case_id, actor="zhang.san")
    assert git(archive, "log", "-1", "--format=%G?").strip() == "G"
    assert findings(archive, "--require-signed") == []


def test_an_unsigned_step_when_signing_is_required(archive, signing):
    case_id = new(archive, actor="li.ming")
    sha = do(archive, "note", case_id, "顾客来电", env=_with("commit.gpgsign", "false"))
    assert findings(archive) == []
    found = findings(archive, "--require-signed")
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [(sha, case_id, "unsigned")]
    # Without an allowed-signers file git cannot check SSH signatures and says "N" for all.
    git(archive, "config", "--unset", "gpg.ssh.allowedSignersFile")
    found = findings(archive, "--require-signed")
    assert {f["rule"] for f in found} == {"unsigned"} and len(found) == 3  # policy, intake, note
    assert all("gpg.ssh.allowedSignersFile is not set" in f["message"] for f in found)


def test_a_step_signed_by_someone_else(archive, signing):
    case_id = new(archive, actor="li.ming")
    other_key = _with("user.signingkey", str(signing["b"]))
    by_email = do(archive, "note", case_id, "顾客来电", actor="li.ming", env=other_key)
    by_key = do(archive, "note", case_id, "顾客再次来电", actor="zhang.san", env=other_key)
    found = findings(archive, "--require-signed")
    assert [(f["commit"], f["rule"]) for f in found] == [(by_email, "signer-mismatch"),
                                                        (by_key, "signer-mismatch")]
    assert "other@example.com" in found[0]["message"] and "desk@example.com" in found[0]["message"]


# ====================================================================== scope
def test_since_and_case_narrow_the_audit(archive):
    tampered, untouched = new(archive), new(archive)
    before = git(archive, "rev-parse", "HEAD").strip()
    path = case_path(archive, tampered)
    path.write_text(path.read_text(encoding="utf-8").replace("emotion: anxious", "emotion: calm"),
                    encoding="utf-8")
    sha = commit_as(archive, "calm down", "-a")
    after = git(archive, "rev-parse", "HEAD").strip()
    do(archive, "note", untouched, "顾客来电")

    assert [f["rule"] for f in findings(archive, "--since", before)] == ["no-trailers"]
    assert findings(archive, "--since", after) == []
    assert [(f["commit"], f["case"]) for f in findings(archive, "--case", tampered)] == [(sha, tampered)]
    result = audit(archive, "--case", untouched, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"commits_checked": 2, "findings": []}


def test_since_still_sees_an_id_used_before_it(archive):
    case_id = new(archive)
    intake = git(archive, "rev-parse", "HEAD").strip()
    git(archive, "rm", "-q", case_rel(case_id))
    commit_as(archive, "remove")
    since = git(archive, "rev-parse", "HEAD").strip()
    git(archive, "checkout", intake, "--", case_rel(case_id))
    git(archive, "commit", "-q", "-C", intake)
    assert [f["rule"] for f in findings(archive, "--since", since)] == ["id-reused"]


@pytest.mark.parametrize("args, fragment", [
    (["--since", "no-such-commit"], "--since"),
    (["--case", "not-an-id"], "is not a case ID"),
    (["--month", "2026-11"], "--month goes with --report"),
    (["--format", "markdown"], "--format markdown goes with --report"),
])
def test_usage_errors_exit_2(archive, args, fragment):
    result = audit(archive, *args)
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr


# ====================================================================== imports
def _imported_case(case_id: str, at: str, timeline: list[str], state: str) -> str:
    day = case_id.split("-")[1]
    received = f"{day[:4]}-{day[4:6]}-{day[6:]}T10:00:00+08:00"
    lines = "".join(f"  - {entry}\n" for entry in timeline)
    return (f"id: {case_id}\nschema_version: 1\nstate: {state}\nreceived_at: {received}\n"
            f"channel: hotline\ncustomer:\n  name: 李先生\n  contact: '13900139000'\n"
            f"complaint:\n  summary: 旧系统迁移\n  facts: 旧系统记录\n  emotion: calm\n  subjects: []\n"
            f"timeline:\n{lines}")


def test_an_import_commit_may_add_many_cases_with_legal_timelines(archive):
    good = ["KS-20250301-0A1B2C", "KS-20250302-0A1B2D"]
    bad = "KS-20250303-0A1B2E"
    for case_id in good:
        rel = case_rel(case_id)
        (archive / rel).parent.mkdir(parents=True, exist_ok=True)
        (archive / rel).write_text(_imported_case(case_id, "", [
            "{at: '2025-03-01T10:00:00+08:00', action: intake, to: received, by: zhang.san}",
            "{at: '2025-03-01T10:05:00+08:00', action: ack, from: received, to: acknowledged, by: zhang.san}",
        ], "acknowledged"), encoding="utf-8")
    (archive / case_rel(bad)).write_text(_imported_case(bad, "", [
        "{at: '2025-03-03T10:00:00+08:00', action: intake, to: received, by: zhang.san}",
        "{at: '2025-03-03T10:05:00+08:00', action: resolve, from: received, to: resolved, by: li.ming}",
    ], "resolved"), encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, trailers.import_message("import from the old system", "li.ming",
                                                     now_stamp()))
    found = findings(archive)
    assert [(f["commit"], f["case"], f["rule"]) for f in found] == [(sha, bad, "bad-import")]
    assert "resolve" in found[0]["message"]


def test_a_bulk_add_without_trailers_is_a_finding_per_case(archive):
    ids = ["KS-20250301-0A1B2C", "KS-20250302-0A1B2D"]
    for case_id in ids:
        (archive / case_rel(case_id)).parent.mkdir(parents=True, exist_ok=True)
        (archive / case_rel(case_id)).write_text(_imported_case(case_id, "", [
            "{at: '2025-03-01T10:00:00+08:00', action: intake, to: received, by: zhang.san}"],
            "received"), encoding="utf-8")
    git(archive, "add", "-A")
    sha = commit_as(archive, "bulk import")
    assert sorted((f["commit"], f["case"], f["rule"]) for f in findings(archive)) == [
        (sha, case_id, "no-trailers") for case_id in ids]


# ====================================================================== the report
def test_the_report_lists_every_step_and_the_totals_without_the_customer(clean):
    root, (main, other), case_commits = clean
    result = kesu("audit", "--report", cwd=root)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert CUSTOMER not in report and CONTACT not in report
    data = json.loads(ok(kesu("audit", "--report", "--format", "json", cwd=root)))
    blob = json.dumps(data, ensure_ascii=False)
    assert CUSTOMER not in blob and CONTACT not in blob
    totals = data["totals"]
    assert totals["cases"] == 2 and totals["findings"] == 0
    steps = sum(len(parse_yaml(case_path(root, c).read_text(encoding="utf-8"))["timeline"])
                for c in (main, other))
    assert totals["steps"] == steps
    assert sum(a["steps"] for a in totals["steps_by_actor"]) == steps
    assert "| cases | steps | findings | commits checked |" in report
    assert f"| 2 | {steps} | 0 | {case_commits} |" in report
    log = git(root, "log", "--reverse", "--format=%H %(trailers:key=Action,valueonly,separator=)",
              "--", "cases").splitlines()
    assert len(log) == case_commits - 1  # all but kesu init, which is no step of a case
    for line in log:
        sha, _, action = line.partition(" ")
        assert action and f"| {action} |" in report
        assert f"| {sha[:10]} |" in report, f"step {action} ({sha[:10]}) missing from the report"
    assert f"## {main} — closed" in report
    main_case = next(c for c in data["cases"] if c["id"] == main)
    assert [e["approved_by"] for e in main_case["extensions"]] == ["wang.fang"]
    assert [(e["from_owner"], e["to_owner"], e["level"]) for e in main_case["escalations"]] == [
        ("li.ming", "wang.fang", 2)]
    assert all(s["commit"] for s in main_case["steps"])
    assert {t["state"] for t in main_case["time_in_state"]} >= {"received", "executing", "resolved"}


def test_two_steps_with_the_same_time_action_and_actor_keep_their_own_commits(archive):
    case_id = new(archive, "--at", now_stamp(timedelta(minutes=-2)))
    at = now_stamp(timedelta(minutes=-1))
    first = do(archive, "note", case_id, "顾客来电询问进度", "--at", at)
    second = do(archive, "note", case_id, "顾客再次来电", "--at", at)
    data = json.loads(ok(kesu("audit", "--report", "--format", "json", cwd=archive)))
    notes = [s for s in data["cases"][0]["steps"] if s["action"] == "note"]
    assert [s["commit"] for s in notes] == [first, second]


def test_the_report_masks_the_customer_in_free_text(archive):
    case_id = new(archive)
    do(archive, "ack", case_id, actor="zhang.san")
    do(archive, "dispatch", case_id, "--category", "product", "--severity", "general", "--risk",
       "medium", "--owner", "li.ming")
    do(archive, "escalate", case_id, "--reason", f"{CUSTOMER}（{CONTACT}）要求店长处理")
    for fmt in ("markdown", "json"):
        out = ok(kesu("audit", "--report", "--format", fmt, cwd=archive))
        assert CUSTOMER not in out and CONTACT not in out
        assert "王**" in out and "138****8000" in out


def test_the_report_for_a_month(archive):
    case_id = new(archive)
    month = f"{case_id.split('-')[1][:4]}-{case_id.split('-')[1][4:6]}"
    data = json.loads(ok(kesu("audit", "--report", "--month", month, "--format", "json", cwd=archive)))
    assert data["month"] == month and [c["id"] for c in data["cases"]] == [case_id]
    data = json.loads(ok(kesu("audit", "--report", "--month", "1999-01", "--format", "json",
                              cwd=archive)))
    assert data["cases"] == [] and data["totals"]["cases"] == 0
    result = kesu("audit", "--report", "--month", "2026-13", cwd=archive)
    assert result.returncode == 2 and "--month" in result.stderr


def test_the_report_counts_findings(archive):
    case_id = new(archive)
    git(archive, "rm", "-q", case_rel(case_id))
    commit_as(archive, "remove")
    data = json.loads(ok(kesu("audit", "--report", "--format", "json", cwd=archive)))
    assert data["totals"]["findings"] == 1
    assert [f["rule"] for f in data["findings"]] == ["deleted"]
    assert "deleted" in ok(kesu("audit", "--report", cwd=archive))
