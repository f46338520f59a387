"""kesu edit (a hand correction in $EDITOR, checked and committed) and kesu history."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import commit_count, git, kesu, new_case, snapshot
from e2e_support import (assert_ok, assert_refused, case_path, case_rel, isolated, make_archive,
                         read_case, stamp, step, touched, trailer, trailers)

DEMANDS = "demands: 全额退款并补偿同价值商品"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One archive for the edit tests; each test records its own case in it."""
    with isolated(tmp_path_factory):
        return make_archive(tmp_path_factory, "edit")


def _editor(tmp_path: Path, old: str, new: str) -> str:
    """An $EDITOR that replaces ``old`` by ``new`` in the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        f"assert {old!r} in text, text\n"
        f"text = text.replace({old!r}, {new!r})\n"
        "open(path, 'w', encoding='utf-8').write(text)\n", encoding="utf-8")
    return f"{sys.executable} {script}"


def _edit(root: Path, case_id: str, editor: str, when: str = "16:30"):
    return kesu("edit", case_id, "--actor", "li.ming", "--at", f"2026-11-23T{when}", cwd=root,
                env={"EDITOR": editor})


def _recovery(line: str) -> Path:
    match = re.search(r"kept in (\S+\.yaml)", line)
    assert match, line
    return Path(match.group(1))


def test_an_edit_is_one_commit_with_action_edit(desk, tmp_path):
    case_id = new_case(desk)
    original = case_path(desk, case_id).read_text(encoding="utf-8")
    count = commit_count(desk)
    result = _edit(desk, case_id, _editor(tmp_path, DEMANDS, "demands: 全额退款"))
    out = assert_ok(result)
    sha = git(desk, "rev-parse", "HEAD").strip()
    assert out.strip() == f"{case_id}: edit {sha[:10]}"
    assert commit_count(desk) == count + 1
    assert touched(desk) == [case_rel(case_id)]
    assert trailer(desk, "Action") == "edit"
    assert trailers(desk) == {"Case": case_id, "Action": "edit", "From": "received",
                              "To": "received", "Actor": "li.ming", "At": stamp("16:30")}
    assert "changed=complaint" in git(desk, "log", "-1", "--format=%b")
    case = read_case(desk, case_id)
    assert case["complaint"]["demands"] == "全额退款"
    assert case["complaint"]["facts"] == "生鲜区称重台购买的草莓约三分之一霉变"
    assert case["state"] == "received"
    assert case["timeline"][-1] == {"at": stamp("16:30"), "action": "edit", "from": "received",
                                    "to": "received", "by": "li.ming",
                                    "args": {"sections": {"complaint": case["complaint"]}}}
    # everything but the edited line and the new timeline entry is as it was
    text = case_path(desk, case_id).read_text(encoding="utf-8")
    kept = original.replace(DEMANDS, "demands: 全额退款")
    assert text.startswith(kept), text
    added = text[len(kept):]
    assert added.count("\n") == 1 and "action: edit" in added, added
    # times stand unquoted as `key: value`; inside one-line {...} entries they are
    # quoted, because YAML 1.1 readers take a bare ':' there as a separator
    assert not re.search(r"^\s*(- )?\w+: ['\"]\d{4}-\d\d-\d\dT", text, re.M), "times are written unquoted"
    assert git(desk, "status", "--porcelain") == ""


@pytest.mark.parametrize("old,new,fragments", [
    ("state: received", "state: closed", ("state",)),
    ("received_at: 2026-11-23T16:10:00+08:00", "received_at: 2026-11-22T16:10:00+08:00",
     ("received_at",)),
    ("action: intake", "action: ack", ("timeline",)),
    ("emotion: anxious", "emotion: furious", ("invalid", "furious")),
    ("  facts: 生鲜区称重台购买的草莓约三分之一霉变\n", "", ("invalid", "facts")),
    ("channel: counter", "channel: [counter", ("invalid YAML",)),
])
def test_a_refused_edit_is_kept_in_a_recovery_file(desk, tmp_path, old, new, fragments):
    case_id = new_case(desk)
    original = case_path(desk, case_id).read_text(encoding="utf-8")
    before = snapshot(desk)
    result = _edit(desk, case_id, _editor(tmp_path, old, new))
    line = assert_refused(result, *fragments)
    recovery = _recovery(line)
    assert recovery.is_file()
    assert recovery.read_text(encoding="utf-8") == original.replace(old, new)
    assert snapshot(desk) == before


def test_an_invalid_edit_names_the_line(desk, tmp_path):
    case_id = new_case(desk)
    lines = case_path(desk, case_id).read_text(encoding="utf-8").splitlines()
    emotion_line = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("emotion:"))
    line = assert_refused(_edit(desk, case_id, _editor(tmp_path, "emotion: anxious",
                                                          "emotion: furious")))
    assert line.startswith(f"{case_rel(case_id)}:{emotion_line}: ")


def test_an_edit_without_changes_commits_nothing(desk):
    case_id = new_case(desk)
    before = snapshot(desk)
    result = _edit(desk, case_id, "true")
    assert assert_ok(result).strip() == f"{case_id}: no changes"
    assert snapshot(desk) == before


def test_a_failing_editor_changes_nothing(desk):
    case_id = new_case(desk)
    before = snapshot(desk)
    assert_refused(_edit(desk, case_id, "false"), "editor", "status 1")
    assert snapshot(desk) == before


def test_a_missing_editor_is_named(desk):
    case_id = new_case(desk)
    before = snapshot(desk)
    assert_refused(_edit(desk, case_id, "no-such-editor-kesu"), "no-such-editor-kesu")
    assert snapshot(desk) == before


def test_an_edit_over_hand_changes_is_refused(desk, tmp_path):
    case_id = new_case(desk)
    path = case_path(desk, case_id)
    path.write_text(path.read_text(encoding="utf-8") + "# 手工备注\n", encoding="utf-8")
    before = snapshot(desk)
    try:
        assert_refused(_edit(desk, case_id, _editor(tmp_path, DEMANDS, "demands: x")),
                       case_rel(case_id), "uncommitted")
        assert snapshot(desk) == before
    finally:
        git(desk, "checkout", "--", case_rel(case_id))


@pytest.mark.parametrize("when,fragment", [("2026-11-23T15:00", "before"), ("2099-01-01T10:00", "future")])
def test_an_edit_at_an_impossible_time_is_refused(desk, tmp_path, when, fragment):
    case_id = new_case(desk)
    before = snapshot(desk)
    result = kesu("edit", case_id, "--actor", "li.ming", "--at", when, cwd=desk,
                  env={"EDITOR": _editor(tmp_path, DEMANDS, "demands: 全额退款")})
    assert_refused(result, fragment)
    assert snapshot(desk) == before


# ====================================================================== history
HISTORY = [  # (action, args, actor, time, from, to)
    ("ack", ["--method", "phone"], "zhang.san", "16:11", "received", "acknowledged"),
    ("dispatch", ["--category", "product", "--severity", "general", "--risk", "low", "--owner",
                  "li.ming"], "li.ming", "16:40", "acknowledged", "dispatched"),
    ("note", ["顾客来电询问进度"], "zhang.san", "18:45", "dispatched", "dispatched"),
]
IN_STATE = ["1m", "29m", "2h 5m", "13h 15m", None]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """A case with intake, three steps and an edit the next day; history tests only read it."""
    with isolated(tmp_path_factory):
        root = make_archive(tmp_path_factory, "history")
        case_id = new_case(root)
        new_case(root, at="2026-11-23T16:12")  # another case's commits stay out of the history
        for action, args, actor, when, _, _ in HISTORY:
            assert_ok(step(root, action, case_id, *args, actor=actor, when=when))
        editor = _editor(tmp_path_factory.mktemp("editor"), DEMANDS, "demands: 全额退款")
        assert_ok(kesu("edit", case_id, "--actor", "li.ming", "--at", "2026-11-24T08:00", cwd=root,
                       env={"EDITOR": editor}))
    return root, case_id


def test_history_json(story):
    root, case_id = story
    steps = json.loads(assert_ok(kesu("history", case_id, "--format", "json", cwd=root)))
    commits = git(root, "log", "--reverse", "--format=%H", "--", case_rel(case_id)).split()
    expected = [("intake", "zhang.san", "16:10", None, "received")] + \
        [(a, who, t, f, to) for a, _, who, t, f, to in HISTORY] + \
        [("edit", "li.ming", None, "dispatched", "dispatched")]
    assert len(steps) == len(expected) == len(commits)
    for got, (action, actor, when, from_state, to_state), sha, in_state in zip(
            steps, expected, commits, IN_STATE):
        assert got["action"] == action
        assert got["actor"] == actor
        assert got["from"] == from_state
        assert got["to"] == to_state
        assert got["commit"] == sha
        assert got["case"] == case_id
        assert got["at"] == (stamp(when) if when else "2026-11-24T08:00:00+08:00")
        assert got["time_in_state"] == in_state


def test_history_text(story):
    root, case_id = story
    out = assert_ok(kesu("history", case_id, cwd=root))
    lines = out.splitlines()
    for word in ("at", "actor", "action", "in state", "commit"):
        assert word in lines[0]
    body = [line for line in lines if line.startswith("2026-")]
    assert len(body) == 5
    commits = git(root, "log", "--reverse", "--format=%H", "--", case_rel(case_id)).split()
    assert body[0].split()[:5] == ["2026-11-23", "16:10", "zhang.san", "intake", "-"]
    assert "-> received" in body[0] and commits[0][:10] in body[0] and "1 min" in body[0]
    assert body[1].split()[:4] == ["2026-11-23", "16:11", "zhang.san", "ack"]
    assert "received -> acknowledged" in body[1] and "29 min" in body[1]
    assert "2 h 5 min" in body[2] and "13 h 15 min" in body[3]
    assert body[4].split()[:4] == ["2026-11-24", "08:00", "li.ming", "edit"]
    for line, sha in zip(body, commits):
        assert line.rstrip().endswith(sha[:10])


def test_history_of_an_unknown_case(story):
    root, _ = story
    before = snapshot(root)
    assert_refused(kesu("history", "KS-20261123-ZZZZZZ", cwd=root), "unknown case")
    assert_refused(kesu("history", "../kesu", cwd=root), "not a case ID")
    assert snapshot(root) == before
