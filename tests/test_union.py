"""The union of two versions of a case (kesu.team.union), without git: the engine's
own steps on two branches of one case, merged both ways round."""

from __future__ import annotations

import pytest

from kesu import engine
from kesu.casefile import case_text
from kesu.config import Policy, default_policy_text
from kesu.team.union import BOTH, OURS, THEIRS, Clash, Side, combine, identities, merge_case
from kesu import yamlio

POLICY = Policy(yamlio.load(default_policy_text()))
DAY = "2026-11-23T"


def at(hhmm: str) -> str:
    return f"{DAY}{hhmm}:00+08:00"


def apply(case, action, hhmm, actor="li.ming", **args):
    return engine.apply(case, engine.Step(action, actor, at(hhmm), args), POLICY).case


def intake(hhmm="10:00", customer="王女士", case_id="KS-20261123-AAAAAA"):
    return apply(None, "intake", hhmm, actor="zhang.san", id=case_id, channel="counter",
                 customer={"name": customer, "contact": "13800138000"},
                 complaint={"summary": "草莓霉变", "facts": "三分之一霉变", "emotion": "calm"})


@pytest.fixture(scope="module")
def dispatched():
    case = apply(intake(), "ack", "10:01", actor="zhang.san")
    return apply(case, "dispatch", "10:02", category="product", severity="general", risk="low",
                 owner="li.ming")


def timeline(case):
    return [(e["action"], e["by"], e["at"][11:16]) for e in case["timeline"]]


def test_both_orders_give_the_same_case_and_every_step_once(dispatched):
    ours = apply(apply(dispatched, "note", "10:10", text="一"), "assign", "10:30", owner="wang.fang")
    theirs = apply(apply(dispatched, "investigate", "10:20", actor="wang.fang", findings=["抽检"]),
                   "extend", "10:40", actor="wang.fang", by="2h", reason="等报告",
                   approver="zhao.lei")
    one = merge_case(dispatched, ours, theirs, POLICY)
    other = merge_case(dispatched, theirs, ours, POLICY)
    assert case_text(one.case) == case_text(other.case)
    assert [a for a, _, _ in timeline(one.case)][-4:] == ["note", "investigate", "assign", "extend"]
    assert one.case["assignment"]["owner"] == "wang.fang" and one.case["state"] == "investigating"
    assert one.origin[identities(ours["timeline"])[-1]] == OURS
    assert one.origin[identities(theirs["timeline"])[-1]] == THEIRS
    assert one.origin[identities(dispatched["timeline"])[0]] == BOTH


def test_only_the_other_sides_steps_are_applied_again(dispatched):
    ours = apply(dispatched, "note", "10:10", text="一")
    theirs = apply(dispatched, "note", "10:20", text="二")
    merged = merge_case(dispatched, ours, theirs, POLICY)
    assert [i[1] for i in merged.applied] == ["note"]


def test_identical_steps_on_one_side_are_both_kept(dispatched):
    twice = apply(apply(dispatched, "note", "10:10", text="同"), "note", "10:10", text="同")
    merged = merge_case(dispatched, twice, apply(dispatched, "note", "10:20", text="别"), POLICY)
    assert [n["text"] for n in merged.case["notes"]] == ["同", "同", "别"]


def test_a_step_that_cannot_stand_names_both_steps(dispatched):
    ours = apply(dispatched, "close", "10:10", actor="zhang.san", reason="withdrawn")
    theirs = apply(dispatched, "note", "10:20", text="顾客来电")
    with pytest.raises(Clash) as raised:
        merge_case(dispatched, ours, theirs, POLICY)
    clash = raised.value
    assert clash.kind == Clash.STEPS
    assert (str(clash.other), clash.other.side) == (f"zhang.san's close at {at('10:10')}", OURS)
    assert (str(clash.step), clash.step.side) == (f"li.ming's note at {at('10:20')}", THEIRS)
    assert "cannot note a case that is closed" in clash.reason


def test_the_same_id_for_two_complaints(dispatched):
    with pytest.raises(Clash) as raised:
        merge_case(None, intake("10:00"), intake("10:05", customer="李先生"), POLICY)
    assert raised.value.kind == Clash.SAME_ID
    same = merge_case(None, intake(), apply(intake(), "ack", "10:01"), POLICY)
    assert same.case["state"] == "acknowledged", "one intake on both sides is one complaint"


def test_a_hand_edit_is_never_dropped_silently(dispatched):
    edited = apply(dispatched, "note", "10:10", text="一")
    edited["complaint"]["summary"] = "改过的摘要"
    with pytest.raises(Clash) as raised:
        merge_case(dispatched, apply(dispatched, "note", "10:05", text="二"), edited, POLICY)
    assert raised.value.kind == Clash.NOT_STEPS and "not kesu steps" in raised.value.reason


def test_a_step_carried_into_the_middle_of_the_other_sides_steps(dispatched):
    remote = apply(apply(dispatched, "note", "11:00", text="后"), "investigate", "12:00",
                   findings=["抽检"])
    offline = apply(dispatched, "note", "10:30", actor="wang.fang", text="离线记录")
    step = offline["timeline"][-1]
    merged = combine(Side.of(remote, dispatched), Side(None, [step], holder=offline), POLICY,
                     dispatched)
    assert timeline(merged.case)[-3:] == [("note", "wang.fang", "10:30"), ("note", "li.ming", "11:00"),
                                          ("investigate", "li.ming", "12:00")]
    assert case_text(merged.case) == case_text(merge_case(dispatched, remote, offline, POLICY).case)
