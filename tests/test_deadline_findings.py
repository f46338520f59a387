"""What went wrong with deadlines on the seed documents' own scenarios, one test each.

Each test reproduces a problem kesu had: cases without a running timer after
an escalation, a reopening or an unsatisfied return visit; seed 003's
completion limit off by default; the return visit on the wall clock;
business time shown as if a business day had 24 hours; extensions approved by
their requester or of absurd length; escalations to a junior; and times
outside any sane range that broke whole-archive commands.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from conftest import git, kesu, new_case
from e2e_support import assert_refused, case_path, read_case

OFFSET = "+08:00"


def ok(root, *args) -> str:
    result = kesu(*args, cwd=root)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def walk(root, case_id, *steps):
    """Run ``(action, at, *args)`` steps on ``case_id`` as li.ming."""
    for action, when, *args in steps:
        ok(root, action, case_id, *args, "--at", when, "--actor", "li.ming")


def overdue_rows(root, now):
    result = kesu("overdue", "--now", now, "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["cases"]


TO_OBJECTED = [
    ("ack", "2026-11-02T10:05"),
    ("dispatch", "2026-11-02T10:10", "--category", "product", "--severity", "general",
     "--risk", "low", "--owner", "li.ming"),
    ("investigate", "2026-11-02T10:20", "--findings", "属实"),
    ("propose", "2026-11-02T10:30", "--step", "退款"),
    ("notify", "2026-11-02T10:40"),
    ("object", "2026-11-02T10:50", "--reason", "要求三倍赔偿"),
]
TO_RESOLVED = TO_OBJECTED[:5] + [("accept", "2026-11-02T10:50"), ("resolve", "2026-11-02T11:00", "--summary", "已退款")]
SIDE_PATHS = {
    "escalate": TO_OBJECTED + [("escalate", "2026-11-02T11:00", "--reason", "顾客不接受")],
    "reopen": TO_RESOLVED + [("follow-up", "2026-11-02T11:10", "--satisfaction", "satisfied"),
                             ("reopen", "2026-11-02T11:20", "--reason", "顾客再次来电")],
    "unsatisfied": TO_RESOLVED + [("follow-up", "2026-11-02T11:10", "--satisfaction", "unsatisfied")],
}


# ------------------------------------------------------------------ times in range
@pytest.mark.parametrize("args,fragment", [
    (["new", "--at", "9999-12-31T23:59"], "2000"),
    (["new", "--at", "0001-01-01T00:00:00+14:00"], "2000"),
    (["new", "--at", "1999-12-31T23:59"], "2000"),
    (["overdue", "--now", "9999-12-31T23:59:59-12:00"], "2100"),
    (["report", "monthly", "--month", "9999-12"], "2100"),
    (["report", "kpi", "--quarter", "9999-Q4"], "2100"),
    (["report", "kpi", "--month", "1970-01"], "2000"),
    (["report", "monthly", "--now", "0001-01-01T00:00"], "2000"),
])
def test_times_outside_2000_to_2100_are_refused_with_exit_2(archive, args, fragment):
    from conftest import STRAWBERRY

    extra = [*STRAWBERRY, "--actor", "zhang.san"] if args[0] == "new" else []
    assert_refused(kesu(*args, *extra, cwd=archive), fragment)


def test_an_event_more_than_ten_minutes_ahead_is_refused(archive):
    from conftest import STRAWBERRY

    soon = (datetime.now().astimezone() + timedelta(minutes=8)).isoformat(timespec="seconds")
    later = (datetime.now().astimezone() + timedelta(minutes=20)).isoformat(timespec="seconds")
    assert_refused(kesu("new", *STRAWBERRY, "--at", later, "--actor", "zhang.san", cwd=archive),
                   "future", "10m")
    assert kesu("new", *STRAWBERRY, "--at", soon, "--actor", "zhang.san", cwd=archive).returncode == 0


def test_the_future_tolerance_comes_from_the_policy(archive):
    from conftest import STRAWBERRY

    policy = archive / "kesu.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "future_tolerance: 10m" in text
    policy.write_text(text.replace("future_tolerance: 10m", "future_tolerance: 1h"), encoding="utf-8")
    git(archive, "commit", "-qam", "clocks of the stores drift")
    later = (datetime.now().astimezone() + timedelta(minutes=30)).isoformat(timespec="seconds")
    assert kesu("new", *STRAWBERRY, "--at", later, "--actor", "zhang.san", cwd=archive).returncode == 0


def test_an_occurrence_a_month_ahead_is_refused(archive):
    from conftest import STRAWBERRY

    month_ahead = (datetime.now().astimezone() + timedelta(days=30)).isoformat(timespec="minutes")
    args = [a if a != "2026-11-23T15:15" else month_ahead for a in STRAWBERRY]
    assert_refused(kesu("new", *args, "--actor", "zhang.san", cwd=archive), "--occurred-at", "future")
