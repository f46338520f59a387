"""A reply says only what happened: each kind fits some case states, and no
commitment, objection or escalation is written that was not recorded."""

from __future__ import annotations

import pytest

from conftest import kesu, new_case
from kesu.render import REPLY_KINDS, REPLY_STATES

OBJECTED = "KS-20261110-SETA6Z"     # objected, not escalated
PROPOSED = "KS-20261102-2VSAVM"     # plan proposed, no commitment recorded
HIGH_RISK = "KS-20261014-QMXCBP"    # plan proposed, commitment recorded
RECEIVED = "KS-20261123-WFC458"


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
    result = kesu("reply", PROPOSED, "plan", "--locale", locale, cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    assert promise not in result.stdout
    recorded = kesu("reply", HIGH_RISK, "plan", cwd=sample_archive)
    assert "十个工作日内完成登记与退款" in recorded.stdout


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
