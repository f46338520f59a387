"""Stage timers and lights end to end: kesu overdue, show, list --overdue, extend, bad policy."""

from __future__ import annotations

import json
import re

import pytest

from conftest import git, kesu, new_case

OFFSET = "+08:00"


def overdue(root, now, *extra):
    result = kesu("overdue", "--now", now, "--format", "json", *extra, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(result.stdout)["cases"]


def timers(rows, case_id):
    return {r["timer"]: r for r in rows if r["id"] == case_id}


def step(root, *args):
    result = kesu(*args, cwd=root)
    assert result.returncode == 0, result.stderr


def test_hotline_acknowledge_light_turns_yellow_then_red_exactly_at_the_deadline(archive):
    case = new_case(archive, "--channel", "hotline", at="2026-11-23T19:50")  # 30 business minutes
    due = f"2026-11-24T10:20:00{OFFSET}"
    _, rows = overdue(archive, "2026-11-24T10:07")   # 13 of 30 min left: 43 % -> not shown (green)
    assert "acknowledge" not in timers(rows, case)
    _, rows = overdue(archive, "2026-11-24T10:08")   # 12 of 30 left = exactly 40 % -> yellow
    assert timers(rows, case)["acknowledge"]["light"] == "yellow"
    assert timers(rows, case)["acknowledge"]["deadline"] == due
    result, rows = overdue(archive, "2026-11-24T10:20")  # exactly at the deadline -> red
    assert timers(rows, case)["acknowledge"]["light"] == "red"
    assert result.returncode == 1


def test_fail_on_sets_the_exit_code(archive):
    new_case(archive, "--channel", "hotline", at="2026-11-23T19:50")
    assert kesu("overdue", "--now", "2026-11-24T10:08", cwd=archive).returncode == 0  # yellow, fail on red
    assert kesu("overdue", "--now", "2026-11-24T10:08", "--fail-on", "yellow", cwd=archive).returncode == 1
    assert kesu("overdue", "--now", "2026-11-24T12:00", "--fail-on", "never", cwd=archive).returncode == 0
    assert kesu("overdue", "--now", "2026-11-24T09:00", "--fail-on", "yellow", cwd=archive).returncode == 0


def test_github_annotations_point_at_the_case_file_and_are_sorted_by_urgency(archive):
    late = new_case(archive, "--channel", "hotline", at="2026-11-23T15:00")
    soon = new_case(archive, "--channel", "hotline", at="2026-11-23T19:50")
    result = kesu("overdue", "--now", "2026-11-24T10:08", "--format", "github", cwd=archive)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::error file=cases/2026/11/{late}.yaml,line=1,")
    assert any(line.startswith(f"::warning file=cases/2026/11/{soon}.yaml,line=1,") for line in lines)
    _, rows = overdue(archive, "2026-11-24T10:08")
    order = [(r["light"], r["deadline"]) for r in rows]
    assert order == sorted(order, key=lambda o: ({"red": 0, "yellow": 1}[o[0]], o[1]))


def test_every_default_timer_on_one_walked_case(archive):
    case = new_case(archive, "--channel", "hotline", at="2026-11-20T10:00")
    step(archive, "ack", case, "--at", "2026-11-20T10:10")
    _, rows = overdue(archive, "2026-11-20T11:00")  # dispatch: 1 h from intake -> due 11:00, red
    assert timers(rows, case)["dispatch"]["deadline"] == f"2026-11-20T11:00:00{OFFSET}"
    step(archive, "dispatch", case, "--category", "product", "--severity", "major", "--risk", "medium",
         "--owner", "li.ming", "--at", "2026-11-20T11:30")
    _, rows = overdue(archive, "2026-11-20T18:00")  # plan: 4 business hours from 11:30 -> 15:30
    assert timers(rows, case)["plan"]["deadline"] == f"2026-11-20T15:30:00{OFFSET}"
    step(archive, "investigate", case, "--findings", "查明", "--at", "2026-11-20T18:00")
    step(archive, "propose", case, "--step", "退款", "--refund", "10", "--at", "2026-11-20T18:30")
    _, rows = overdue(archive, "2026-11-21T14:30")  # notify: 6 business hours: 1.5 h tonight, 4.5 h tomorrow
    assert timers(rows, case)["notify"]["deadline"] == f"2026-11-21T14:30:00{OFFSET}"
    step(archive, "notify", case, "--at", "2026-11-21T10:00")
    step(archive, "object", case, "--reason", "不接受", "--at", "2026-11-21T10:30")
    _, rows = overdue(archive, "2026-11-21T12:30")  # escalation: 2 business hours after the objection
    assert timers(rows, case)["escalation"]["deadline"] == f"2026-11-21T12:30:00{OFFSET}"
    step(archive, "escalate", case, "--reason", "升级", "--at", "2026-11-21T11:00")
    step(archive, "propose", case, "--step", "换货", "--refund", "10", "--at", "2026-11-21T11:30")
    step(archive, "notify", case, "--at", "2026-11-21T12:00")
    step(archive, "accept", case, "--at", "2026-11-21T12:10")
    _, rows = overdue(archive, "2026-11-23T12:10")  # execute: major -> 48 wall hours
    assert timers(rows, case)["execute"]["deadline"] == f"2026-11-23T12:10:00{OFFSET}"
    step(archive, "resolve", case, "--summary", "完成", "--at", "2026-11-22T09:00")
    # follow-up: 24 business hours after a resolve before opening time: 10 h on the 22nd,
    # 10 h on the 23rd, 4 h on the 24th
    _, rows = overdue(archive, "2026-11-24T14:00")
    assert timers(rows, case)["follow_up"]["deadline"] == f"2026-11-24T14:00:00{OFFSET}"
    show = kesu("show", case, cwd=archive).stdout
    assert re.search(r"execute +due 2026-11-23 12:10  met", show), show
    assert re.search(r"dispatch +due 2026-11-20 11:00  missed", show), show
    step(archive, "close", case, "--reason", "resolved", "--at", "2026-11-23T08:00")
    _, rows = overdue(archive, "2026-11-30T00:00")
    assert timers(rows, case) == {}  # closing stops every timer


def test_serious_cases_get_five_working_days_and_counter_one_minute(archive):
    case = new_case(archive, at="2026-11-19T10:00")  # counter
    _, rows = overdue(archive, "2026-11-19T10:01")
    assert timers(rows, case)["acknowledge"]["deadline"] == f"2026-11-19T10:01:00{OFFSET}"
    for args in (["ack", case, "--at", "2026-11-19T10:00"],
                 ["dispatch", case, "--category", "product", "--severity", "serious", "--risk", "high",
                  "--owner", "wang.fang", "--at", "2026-11-19T10:10"],
                 ["investigate", case, "--findings", "x", "--at", "2026-11-19T10:20"],
                 ["propose", case, "--step", "x", "--at", "2026-11-19T10:30", "--actor", "wang.fang"],
                 ["approve", case, "--at", "2026-11-19T10:40", "--actor", "zhao.lei"],
                 ["notify", case, "--at", "2026-11-19T10:50"],
                 ["accept", case, "--at", "2026-11-19T11:00"]):
        step(archive, *args)
    _, rows = overdue(archive, "2026-11-26T11:00")  # Thu + 5 working days = next Thu, same time
    assert timers(rows, case)["execute"]["deadline"] == f"2026-11-26T11:00:00{OFFSET}"


def test_extend_moves_the_running_deadline_and_shows_everywhere(archive):
    case = new_case(archive, "--channel", "hotline", at="2026-11-23T15:00")
    step(archive, "ack", case, "--at", "2026-11-23T15:05")
    step(archive, "extend", case, "--by", "1h", "--reason", "等待质检报告", "--approver", "wang.fang",
         "--at", "2026-11-23T15:10")
    _, rows = overdue(archive, "2026-11-23T16:40")  # dispatch 16:00 + 1 business hour -> 17:00
    row = timers(rows, case)["dispatch"]
    assert row["deadline"] == f"2026-11-23T17:00:00{OFFSET}" and row["extensions"] == ["1h"]
    assert "(extended 1 h business)" in kesu("show", case, cwd=archive).stdout
    listed = kesu("list", "--overdue", "--format", "json", cwd=archive)
    assert [r["id"] for r in json.loads(listed.stdout)] == [case]
    bad = kesu("extend", case, "--by", "soon", "--reason", "x", cwd=archive)
    assert bad.returncode == 2 and "is not a duration" in bad.stderr


@pytest.mark.parametrize("old,new,message", [
    ("dispatch:    {start: intake, stop: [dispatch], limit: 1h, clock: business}",
     "dispatch:    {start: intake, stop: [dispatch], limit: -1h, clock: business}", "limit"),
    ("plan:        {start: dispatch, stop: [propose], limit: 4h, clock: business}",
     "plan:        {start: teleport, stop: [propose], limit: 4h, clock: business}", "unknown start event"),
    ("notify:      {start: propose, stop: [notify], limit: 6h, clock: business}",
     "notify:      {start: propose, stop: [notify], limit: 6h, clock: lunar}", "unknown clock"),
    ('mon: ["10:00-20:00"]', 'mon: ["20:00-10:00"]', "end must come after"),
])
def test_bad_policy_is_refused_by_validate_at_its_line(archive, old, new, message):
    path = archive / "kesu.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(archive, "commit", "-qam", "policy change")
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1
    assert any(l.startswith(f"kesu.yaml:{line}: ") and message in l for l in result.stdout.splitlines()), result.stdout
