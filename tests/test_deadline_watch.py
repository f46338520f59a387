"""Every open case is watched by a timer, and the new timers turn at instants worked out by hand.

The first test walks the transition table itself through the step engine:
every state a case can reach by the table's steps, by every route of a
bounded length, must have at least one running timer under the default
policy. The others drive kesu and read ``kesu overdue --now``.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime, timedelta

import pytest

from conftest import kesu, new_case
from kesu import engine, lifecycle
from kesu.config import Policy
from kesu.deadlines import Deadlines
from kesu.errors import UsageError

OFFSET = "+08:00"
INTAKE = {"id": "KS-20261116-7F3KQ2", "channel": "hotline",
          "customer": {"name": "王女士", "contact": "13800138000"},
          "complaint": {"summary": "草莓霉变", "facts": "约三分之一霉变", "emotion": "anxious"}}

#: Arguments for each step of the table; a step with choices is tried with each.
STEP_ARGS = {
    "ack": [{}],
    "dispatch": [{"category": "product", "severity": "general", "risk": "low", "owner": "li.ming"}],
    "investigate": [{"findings": ["属实"]}],
    "propose": [{"step": ["退款"]}],
    "approve": [{}],
    "notify": [{}],
    "accept": [{}],
    "object": [{"reason": "不接受"}],
    "escalate": [{"reason": "升级"}],
    "act": [{"text": "已退款"}],
    "resolve": [{"summary": "完成"}],
    "follow-up": [{"satisfaction": s} for s in lifecycle.SATISFACTION_CLOSES],
    "close": [{"reason": r, **({"of": "KS-20261116-AAAAAA"} if r == "duplicate" else {})}
              for r in lifecycle.CLOSE_REASONS],
    "reopen": [{"reason": "顾客再次来电"}],
    "extend": [{"by": "10m", "reason": "等待", "approver": "wang.fang"}],
    "note": [{"text": "来电"}],
    "assign": [{"owner": "wang.fang"}],
    # Obligations keep the state and neither start nor stop a stage timer; walking
    # them would only multiply the routes (test_obligations covers their deadlines).
    "report-back": [], "refer": [], "corrective": [],
}
MAX_STEPS = 16


def test_every_step_of_the_table_has_arguments_here():
    assert set(STEP_ARGS) == set(lifecycle.STEP_COMMANDS)


def test_every_open_state_reachable_by_the_table_has_a_running_timer():
    policy = Policy.default()
    clock = Deadlines(policy.data)
    start = datetime.fromisoformat(f"2026-11-16T10:00:00{OFFSET}")
    first = engine.apply(None, engine.Step("intake", "zhang.san", start.isoformat(), INTAKE), policy).case
    queue = deque([(first, ("intake",))])
    seen: set = set()
    reached: set[str] = set()
    while queue:
        case, route = queue.popleft()
        state = case["state"]
        if state != lifecycle.CLOSED:
            reached.add(state)
            now = datetime.fromisoformat(case["timeline"][-1]["at"]) + timedelta(minutes=1)
            running = [t.name for t in clock.timers(case, now) if t.running]
            assert running, f"{state} after {' -> '.join(route)} has no running timer"
        if len(route) >= MAX_STEPS:
            continue
        when = (start + timedelta(minutes=10 * len(route))).isoformat()
        for action in lifecycle.actions_from(state):
            for args in STEP_ARGS.get(action, []):
                try:
                    after = engine.apply(case, engine.Step(action, "li.ming", when, args), policy).case
                except UsageError:
                    continue  # not allowed on this route (a rule, a missing section)
                key = (after["state"], frozenset(e["action"] for e in after["timeline"]),
                       after["timeline"][-1]["action"])
                if key not in seen:
                    seen.add(key)
                    queue.append((after, route + (action,)))
    assert reached == set(lifecycle.OPEN_STATES)


# ------------------------------------------------------------------ hand-computed instants
def ok(root, *args) -> None:
    result = kesu(*args, cwd=root)
    assert result.returncode == 0, (args, result.stderr)


def walk(root, case_id, *steps):
    for action, when, *args in steps:
        ok(root, action, case_id, *args, "--at", when, "--actor", "li.ming")


def light(root, case_id, timer, now):
    """The timer's light at ``now`` as ``kesu overdue`` shows it (None: green, or not running)."""
    result = kesu("overdue", "--now", now, "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    rows = [r for r in json.loads(result.stdout)["cases"] if r["id"] == case_id and r["timer"] == timer]
    return (rows[0]["light"], rows[0]["deadline"]) if rows else (None, None)


def assert_turns(root, case_id, timer, green, yellow, red):
    """Green one minute before ``yellow``, yellow at it, yellow a minute before ``red``, red at it."""
    assert light(root, case_id, timer, green)[0] is None
    assert light(root, case_id, timer, yellow)[0] == "yellow"
    before_red = (datetime.fromisoformat(red) - timedelta(minutes=1)).isoformat(timespec="minutes")
    assert light(root, case_id, timer, before_red)[0] == "yellow"
    found, deadline = light(root, case_id, timer, red)
    assert found == "red" and deadline == f"{red}:00{OFFSET}"


UP_TO_NOTIFY = [
    ("ack", "2026-11-16T10:05"),
    ("dispatch", "2026-11-16T10:10", "--category", "product", "--severity", "general",
     "--risk", "low", "--owner", "li.ming"),
    ("investigate", "2026-11-16T10:20", "--findings", "属实"),
    ("propose", "2026-11-16T10:30", "--step", "退款"),
    ("notify", "2026-11-16T10:40"),
]
UP_TO_RESOLVE = UP_TO_NOTIFY + [("accept", "2026-11-16T10:50"),
                                ("resolve", "2026-11-16T11:00", "--summary", "已退款")]


def test_an_objection_and_an_escalation_across_nights(archive):
    case_id = new_case(archive, "--channel", "hotline", at="2026-11-16T10:00")
    walk(archive, case_id, *UP_TO_NOTIFY, ("object", "2026-11-16T19:00", "--reason", "要求三倍赔偿"))
    # escalation: 2 business hours from Mon 19:00 = 1 h that evening + 1 h from 10:00 on Tuesday;
    # yellow with 40 % (48 min) left: Tue 10:12
    assert_turns(archive, case_id, "escalation", "2026-11-17T10:11", "2026-11-17T10:12", "2026-11-17T11:00")
    walk(archive, case_id, ("escalate", "2026-11-17T18:30", "--reason", "顾客不接受"))
    # a new plan within 4 business hours of Tue 18:30: 1.5 h that evening + 2.5 h on Wednesday;
    # yellow with 96 min left: Wed 10:54
    assert_turns(archive, case_id, "replan", "2026-11-18T10:53", "2026-11-18T10:54", "2026-11-18T12:30")


def test_a_reopening_on_a_friday_evening(archive):
    case_id = new_case(archive, "--channel", "hotline", at="2026-11-16T10:00")
    walk(archive, case_id, *UP_TO_RESOLVE,
         ("follow-up", "2026-11-16T12:00", "--satisfaction", "satisfied"),
         ("reopen", "2026-11-20T19:00", "--reason", "顾客再次来电"))
    # Fri 19:00 + 4 business hours: 1 h on Friday, 3 h from 10:00 on Saturday (stores open at weekends)
    assert_turns(archive, case_id, "replan", "2026-11-21T11:23", "2026-11-21T11:24", "2026-11-21T13:00")


def test_an_unsatisfied_return_visit_on_the_eve_of_national_day(archive):
    case_id = new_case(archive, "--channel", "hotline", at="2026-09-30T10:00")
    walk(archive, case_id, *[(a, w.replace("2026-11-16", "2026-09-30"), *rest) for a, w, *rest in UP_TO_RESOLVE],
         ("follow-up", "2026-09-30T18:00", "--satisfaction", "unsatisfied"))
    # 24 business hours from Wed 30 Sep 18:00; the stores are open on the holiday:
    # 2 h on the 30th, 10 h on 1 Oct, 10 h on 2 Oct, 2 h on 3 Oct -> 3 Oct 12:00.
    # Yellow with 9.6 h (576 min) left: 2 h on 3 Oct + 7 h 36 min on 2 Oct -> 2 Oct 12:24.
    assert_turns(archive, case_id, "after_visit", "2026-10-02T12:23", "2026-10-02T12:24", "2026-10-03T12:00")


def test_five_working_days_to_complete_across_national_day_and_its_make_up_saturday(archive):
    case_id = new_case(archive, "--channel", "hotline", at="2026-09-29T16:00")
    # Tue 29 Sep 16:00 + 5 working days: Wed 30 (1); 1-7 Oct off; Thu 8 (2), Fri 9 (3),
    # Sat 10 make-up (4), Mon 12 (5) -> 12 Oct 16:00. Its 5 x 24 working hours run only on
    # working days; yellow with 2 working days left: 16 h of Mon 12, all of Sat 10, 8 h of Fri 9.
    assert_turns(archive, case_id, "completion", "2026-10-09T15:59", "2026-10-09T16:00", "2026-10-12T16:00")
    result = kesu("overdue", "--now", "2026-10-05T12:00", "--format", "json", cwd=archive)
    completion = [r for r in json.loads(result.stdout)["cases"] if r["timer"] == "completion"]
    assert completion == []  # the holiday does not use up the working days


def test_the_working_day_remainder_is_shown_in_working_days(archive):
    case_id = new_case(archive, "--channel", "hotline", at="2026-09-29T16:00")
    result = kesu("overdue", "--now", "2026-10-13T18:30", "--format", "json", cwd=archive)
    row = next(r for r in json.loads(result.stdout)["cases"]
               if r["id"] == case_id and r["timer"] == "completion")
    assert row["clock"] == "working_days" and row["left"] == "-1 working day 2 h 30 min"


@pytest.mark.parametrize("timer,start,stops", [
    ("replan", ["escalate", "reopen"], ["propose"]),
    ("after_visit", ["follow-up"], ["escalate", "reopen", "close"]),
    ("completion", ["intake"], ["resolve"]),
    ("follow_up", ["resolve"], ["follow-up", "close"]),
])
def test_the_default_policy_spells_out_the_new_timers(timer, start, stops):
    spec = Policy.default().data["sla"]["timers"][timer]
    assert (spec["start"] if isinstance(spec["start"], list) else [spec["start"]]) == start
    assert spec["stop"] == stops


def test_only_carry_out_runs_on_the_wall_clock_by_default():
    timers = Policy.default().data["sla"]["timers"]
    assert {name for name, spec in timers.items() if spec["clock"] != "business"} == {"execute", "completion"}
    assert timers["completion"]["clock"] == "working_days"


# ------------------------------------------------------------------ policy
def _policy_with(archive, old, new):
    from conftest import git

    path = archive / "kesu.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(archive, "commit", "-qam", "policy change")
    return text[:text.index(old)].count("\n") + 1


@pytest.mark.parametrize("old,new,message", [
    ("replan:      {start: [escalate, reopen]", "replan:      {start: [escalate, teleport]",
     "unknown start event 'teleport'"),
    ("completion:  {start: intake, stop: [resolve], limit: 5wd, clock: working_days}",
     "completion:  {start: intake, stop: [resolve], limit: 5wd, clock: working_days, max_extension: 1y}",
     "max_extension"),
    ("zhang.san: {name: 张三, role: front_desk", "zhang.san: {name: 张三, role: cashier", "no rank"),
    ("future_tolerance: 10m", "future_tolerance: soon", "future_tolerance"),
])
def test_validate_names_a_bad_new_setting_at_its_line(archive, old, new, message):
    line = _policy_with(archive, old, new)
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1
    assert any(l.startswith(f"kesu.yaml:{line}: ") and message in l for l in result.stdout.splitlines()), \
        result.stdout


def test_a_timer_may_set_its_own_extension_cap(archive):
    _policy_with(archive, "dispatch:    {start: intake, stop: [dispatch], limit: 1h, clock: business}",
                 "dispatch:    {start: intake, stop: [dispatch], limit: 1h, clock: business, max_extension: 3h}")
    case_id = new_case(archive, "--channel", "hotline", at="2026-11-16T10:00")
    extend = ["extend", case_id, "--timer", "dispatch", "--reason", "等待", "--approver", "wang.fang",
              "--actor", "li.ming", "--at", "2026-11-16T10:10"]
    assert kesu(*extend, "--by", "2h", cwd=archive).returncode == 0
    refused = kesu(*extend, "--by", "90m", cwd=archive)
    assert refused.returncode == 2
    assert "3 h business (sla.timers.dispatch.max_extension)" in refused.stderr
    assert "1 h business left" in refused.stderr
    assert light(archive, case_id, "dispatch", "2026-11-16T13:00") == ("red", f"2026-11-16T13:00:00{OFFSET}")


def test_without_a_roster_an_extension_still_needs_another_person(archive):
    import re

    from conftest import git

    path = archive / "kesu.yaml"
    path.write_text(re.sub(r"\nroster:\n(  .*\n)+", "\nroster: {}\n", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    git(archive, "commit", "-qam", "no roster yet")
    case_id = new_case(archive, "--channel", "hotline", at="2026-11-16T10:00")
    extend = ["extend", case_id, "--by", "10m", "--reason", "等待", "--actor", "xiao.wang",
              "--at", "2026-11-16T10:10"]
    assert kesu(*extend, cwd=archive).returncode == 2
    assert kesu(*extend, "--approver", "xiao.wang", cwd=archive).returncode == 2
    assert kesu(*extend, "--approver", "lao.zhang", cwd=archive).returncode == 0
