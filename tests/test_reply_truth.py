"""A reply says only what happened: each kind fits some case states, and no
commitment, objection or escalation is written that was not recorded."""

from __future__ import annotations

import pytest

from conftest import kesu, new_case
from kesu.replies import REPLY_KINDS, REPLY_STATES

OBJECTED = "KS-20261110-SETA6Z"     # objected, not escalated
PROPOSED = "KS-20261102-2VSAVM"     # plan proposed, no commitment recorded
RECEIVED = "KS-20261123-WFC458"
EXECUTING = "KS-20261118-GNBB6D"    # executing; its execute timer ends 2026-11-19 14:45
CLOSED = "KS-20261020-GNV8P6"       # closed after a satisfied return visit


def test_every_reply_kind_names_the_states_it_fits():
    assert set(REPLY_STATES) == set(REPLY_KINDS)
    assert all(REPLY_STATES[kind] for kind in REPLY_KINDS)


@pytest.mark.parametrize("case_id,kind", [(RECEIVED, "plan"), (RECEIVED, "objection"),
                                          (RECEIVED, "resolution"), (RECEIVED, "follow-up"),
                                          (RECEIVED, "delay"), ("KS-20261020-GNV8P6", "ack")])
def test_a_reply_that_does_not_fit_the_case_is_refused_clearly(sample_archive, case_id, kind):
    result = kesu("reply", case_id, kind, cwd=sample_archive)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and case_id in result.stderr
    assert "is for cases that are" in result.stderr or "has no" in result.stderr


@pytest.mark.parametrize("locale,promise", [("zh-CN", "三日内"), ("en", "three days")])
def test_no_commitment_is_promised_unless_recorded(sample_archive, locale, promise):
    # the plan needs approval before any letter
    assert kesu("approve", PROPOSED, "--actor", "wang.fang", cwd=sample_archive).returncode == 0
    result = kesu("reply", PROPOSED, "plan", "--locale", locale, cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    assert promise not in result.stdout
    recorded = kesu("reply", EXECUTING, "plan", cwd=sample_archive)
    assert "今日 20:00 前送达" in recorded.stdout


@pytest.mark.parametrize("locale,claim", [("zh-CN", "升级"), ("en", "escalated")])
def test_an_objection_not_escalated_is_not_called_escalated(sample_archive, locale, claim):
    result = kesu("reply", OBJECTED, "objection", "--locale", locale, cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    assert claim not in result.stdout and "要求另赔偿三倍货款" in result.stdout
    escalated = kesu("escalate", OBJECTED, "--reason", "顾客不接受方案",
                     cwd=sample_archive)
    assert escalated.returncode == 0, escalated.stderr
    result = kesu("reply", OBJECTED, "objection", "--locale", locale, cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    assert claim in result.stdout


def test_an_objection_reply_without_an_objection_is_refused_not_empty(archive):
    case_id = new_case(archive)
    result = kesu("reply", case_id, "objection", cwd=archive)
    assert result.returncode == 2 and "：\n" not in result.stdout and result.stdout == ""


def test_a_plan_letter_waits_for_the_plans_approval(sample_archive):
    refused = kesu("reply", PROPOSED, "plan", cwd=sample_archive)
    assert refused.returncode == 2 and refused.stdout == "" and "¥" not in refused.stderr
    assert PROPOSED in refused.stderr and "kesu approve" in refused.stderr
    assert kesu("notify", PROPOSED, cwd=sample_archive).returncode == 2  # as notify refuses
    assert kesu("approve", PROPOSED, "--actor", "wang.fang", cwd=sample_archive).returncode == 0
    letter = kesu("reply", PROPOSED, "plan", cwd=sample_archive)
    assert letter.returncode == 0 and "¥3,299.00" in letter.stdout


@pytest.mark.parametrize("locale,words", [("zh-CN", "延长 1 天"), ("en", "needs 1 day more")])
def test_a_delay_notice_says_the_extension_in_words_and_never_a_time_past(sample_archive, locale, words):
    assert kesu("extend", EXECUTING, "--by", "1d", "--reason", "等待", "--approver", "wang.fang",
                cwd=sample_archive).returncode == 0
    before = kesu("reply", EXECUTING, "delay", "--locale", locale, "--now", "2026-11-19T10:00", cwd=sample_archive)
    assert before.returncode == 0, before.stderr
    assert words in before.stdout and "1d" not in before.stdout
    after = kesu("reply", EXECUTING, "delay", "--locale", locale, "--now", "2026-11-21T10:00", cwd=sample_archive)
    assert after.returncode == 2 and after.stdout == "" and EXECUTING in after.stderr
    assert "2026-11-20 14:45" in after.stderr
    assert kesu("resolve", EXECUTING, "--summary", "已重新配送", cwd=sample_archive).returncode == 0
    done = kesu("reply", EXECUTING, "delay", "--locale", locale, "--now", "2026-11-19T10:00", cwd=sample_archive)
    assert done.returncode == 2 and done.stdout == "" and "is for cases" in done.stderr


@pytest.mark.parametrize("locale,time,vague", [("zh-CN", "2026年11月23日 17:10", "尽快"),
                                               ("en", "23 Nov 2026 17:10", "shortly")])
def test_an_acknowledgement_promises_no_time_already_past(sample_archive, locale, time, vague):
    early = kesu("reply", RECEIVED, "ack", "--locale", locale, "--now", "2026-11-23T16:20", cwd=sample_archive)
    assert early.returncode == 0 and time in early.stdout
    late = kesu("reply", RECEIVED, "ack", "--locale", locale, "--now", "2026-11-25T10:00", cwd=sample_archive)
    assert late.returncode == 0 and time not in late.stdout and vague in late.stdout


@pytest.mark.parametrize("locale,visit", [("zh-CN", "回访"), ("en", "We will call you")])
def test_a_resolution_letter_announces_only_a_return_visit_still_to_come(sample_archive, locale, visit):
    closed = kesu("reply", CLOSED, "resolution", "--locale", locale, cwd=sample_archive)
    assert closed.returncode == 0 and visit not in closed.stdout and "24" not in closed.stdout
    assert kesu("resolve", EXECUTING, "--summary", "已重新配送", cwd=sample_archive).returncode == 0
    resolved = kesu("reply", EXECUTING, "resolution", "--locale", locale, cwd=sample_archive)
    assert resolved.returncode == 0 and visit in resolved.stdout
    assert kesu("follow-up", EXECUTING, "--satisfaction", "unsatisfied", cwd=sample_archive).returncode == 0
    unsatisfied = kesu("reply", EXECUTING, "resolution", "--locale", locale, cwd=sample_archive)
    assert unsatisfied.returncode == 2 and unsatisfied.stdout == "" and EXECUTING in unsatisfied.stderr


def test_the_follow_up_script_is_for_a_call_not_yet_made(sample_archive):
    """A return visit recorded (satisfied, or not) needs no script for it; an unreachable one does."""
    from kesu import yamlio
    from kesu.errors import UsageError
    from kesu.replies import reply_fits

    visited = kesu("reply", "KS-20261008-JQ5FFJ", "follow-up", cwd=sample_archive)
    assert visited.returncode == 2 and visited.stdout == "" and "resolved" in visited.stderr
    case = yamlio.load(next(sample_archive.glob("cases/*/*/KS-20261008-JQ5FFJ.yaml")).read_text(encoding="utf-8"))
    case["state"] = "resolved"
    for satisfaction in ("satisfied", "unsatisfied"):
        case["follow_up"]["satisfaction"] = satisfaction
        with pytest.raises(UsageError, match="return visit was made already"):
            reply_fits(case, "follow-up")
    case["follow_up"]["satisfaction"] = "unreachable"
    reply_fits(case, "follow-up")  # not reached: call again
