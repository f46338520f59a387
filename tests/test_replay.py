"""Replay: every timeline entry, applied to the version before it, gives the committed file.

The engine is a pure function, so these tests call it directly: random legal
walks of random steps over the sample cases (and over new intakes), each
version written in kesu's canonical form, then every entry replayed on the
version before it must reproduce the next version byte for byte.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kesu import engine, lifecycle, yamlio
from kesu.casefile import case_text
from kesu.config import Policy
from kesu.engine import Step
from kesu.errors import UsageError

from conftest import SAMPLE_CASES

POLICY = Policy.default()
ROSTER = sorted(POLICY.roster)
SAMPLES = sorted(SAMPLE_CASES.glob("*/*/*.yaml"))
OTHER_CASE = "KS-20261001-AAAAAA"

# Text that tries YAML's corners: words 1.1 reads as booleans, numbers in
# every base, flow and comment indicators, quotes, line breaks, Chinese.
TRICKY = ["yes", "no", "on", "0o12", "012", "1_000", "1:20", ".inf", "~", "null", "- x",
          "a: b", "#x", "'q'", '"q"', "[x]", "{x}", "x\ny", " lead", "trail ", "%x", "@x",
          "草莓霉变", "2026-11-23T16:10:00+08:00", "*x", "&x", "!x", "|", ">"]
text = st.one_of(st.sampled_from(TRICKY),
                 st.text(alphabet="ab 中文:#-'\"\n!&*{}[],?|>%@`0o1_.", min_size=1, max_size=14))
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731
money = st.decimals(min_value=0, max_value=20000, places=2).map(lambda d: f"{d:.2f}")
vocab = lambda name: st.sampled_from(POLICY.vocabulary(name))  # noqa: E731
person = st.sampled_from(ROSTER)


def dispatch_args():
    return st.fixed_dictionaries({
        "category": vocab("categories"), "severity": vocab("severities"), "risk": vocab("risks"),
        "owner": person, "department": maybe(vocab("departments")),
        "force": st.booleans(), "reason": maybe(text)})


ARGS = {
    "ack": st.fixed_dictionaries({"method": maybe(st.sampled_from(lifecycle.TELL_METHODS)),
                                  "message": maybe(text)}),
    "dispatch": dispatch_args(),
    "investigate": st.fixed_dictionaries({
        "findings": st.lists(text, min_size=1, max_size=3),
        "responsibility": maybe(vocab("responsibility")), "root_cause": maybe(text)}),
    "propose": st.fixed_dictionaries({
        "step": st.lists(text, min_size=1, max_size=3), "refund": maybe(money),
        "voucher": maybe(money), "cash": maybe(money),
        "compensation": maybe(st.lists(money.map(lambda m: f"gift={m}"), max_size=2)),
        "legal_basis": maybe(text), "commitment": maybe(text)}),
    "approve": st.just({}),
    "notify": st.fixed_dictionaries({"method": maybe(st.sampled_from(lifecycle.TELL_METHODS)),
                                     "message": maybe(text)}),
    "accept": st.just({}),
    "object": st.fixed_dictionaries({"reason": text}),
    "escalate": st.fixed_dictionaries({"reason": text, "owner": maybe(person)}),
    "act": st.fixed_dictionaries({"text": text, "statutory": maybe(money)}),
    "resolve": st.fixed_dictionaries({"summary": text, "signature_kept": maybe(text)}),
    "follow-up": st.fixed_dictionaries({
        "satisfaction": st.sampled_from(list(lifecycle.SATISFACTION_CLOSES)), "note": maybe(text)}),
    "close": st.fixed_dictionaries({
        "reason": st.sampled_from(list(lifecycle.CLOSE_REASONS)),
        "of": st.just(OTHER_CASE), "note": maybe(text)}),
    "reopen": st.fixed_dictionaries({"reason": text}),
    "extend": st.fixed_dictionaries({
        "by": st.sampled_from(["90m", "2h", "1d", "3wd"]), "reason": text,
        "approver": maybe(person)}),
    "note": st.fixed_dictionaries({"text": text}),
    "assign": st.fixed_dictionaries({"owner": person, "department": maybe(vocab("departments"))}),
    "library": st.fixed_dictionaries({
        "lessons": text, "value": maybe(text), "five_whys": st.lists(text, max_size=2),
        "typical": st.booleans(), "draft": st.booleans()}),
    "attach": st.fixed_dictionaries({
        "path": st.sampled_from(["evidence/KS-20261123-7F3KQ2/草莓.jpg", "evidence/KS-20261123-7F3KQ2/r.pdf"]),
        "sha256": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        "size": st.integers(0, 10**9).map(str),
        "kind": st.sampled_from(["photo", "receipt", "agreement"]), "note": maybe(text)}),
    "claimant-add": st.fixed_dictionaries({"claimants": st.lists(st.fixed_dictionaries({
        "customer": text, "contact": st.integers(10**10, 10**11).map(str),
        "amount": maybe(money)}), min_size=1, max_size=3)}),
    "report-back": st.fixed_dictionaries({"method": st.sampled_from(["platform", "phone"]),
                                          "text": text, "reference": maybe(text)}),
    "refer": st.fixed_dictionaries({"to": st.sampled_from(["police", "market_regulator"]),
                                    "text": text, "reference": maybe(text)}),
    "corrective": st.one_of(
        st.fixed_dictionaries({"text": text, "kind": st.sampled_from(["retraining", "voucher"])}),
        st.fixed_dictionaries({"text": text, "done": st.sampled_from(["1", "2"])})),
    "edit": st.fixed_dictionaries({"sections": st.fixed_dictionaries({
        "complaint": st.fixed_dictionaries({"summary": text, "facts": text,
                                            "emotion": vocab("emotions"),
                                            "subjects": st.just([])})})}),
}


def test_every_action_of_the_table_is_walked():
    assert set(ARGS) | {"intake"} == set(lifecycle.TABLE)


def _args_of(args: dict) -> dict:
    """Flags left out are not passed, as typer would not."""
    if args.get("reason") is None and "force" in args:
        args = {**args, "reason": "高风险需主管处理" if args["force"] else None}
    if args.get("reason") != "duplicate" and args.get("of"):
        args = {k: v for k, v in args.items() if k != "of"}
    return {k: v for k, v in args.items() if v is not None}


def _walk(data, case: dict | None, steps: int) -> list[str]:
    """Versions of a case (canonical text) along a random walk of legal steps."""
    versions = [case_text(case)] if case is not None else []
    last = datetime.fromisoformat(case["timeline"][-1]["at"]) if case else \
        datetime.fromisoformat("2026-11-23T16:10:00+08:00")
    for _ in range(steps):
        state = case["state"] if case else None
        choices = lifecycle.actions_from(state) if case else ["intake"]
        action = data.draw(st.sampled_from(choices))
        last = last + timedelta(minutes=data.draw(st.integers(0, 3000)))
        if action == "intake":
            args = {"id": "KS-20261123-7F3KQ2", "channel": "counter", "customer":
                    {"name": data.draw(text), "contact": "13800138000"},
                    "complaint": {"summary": data.draw(text), "facts": data.draw(text),
                                  "emotion": "anxious", "occurred_at": "2026-11-23T15:15"}}
        else:
            args = _args_of(data.draw(ARGS[action]))
        try:
            applied = engine.apply(case, Step(action, data.draw(person), last.isoformat(), args),
                                   POLICY)
        except UsageError:
            continue  # not allowed here (a limit, a rule): the walk goes on without it
        case = yamlio.load(case_text(applied.case))
        versions.append(case_text(applied.case))
    return versions


def _replays(versions: list[str], first_is_new: bool) -> None:
    previous = None
    if not first_is_new:
        previous, versions = versions[0], versions[1:]
    for text in versions:
        after = yamlio.load(text)
        before = yamlio.load(previous) if previous is not None else None
        replayed = engine.replay(before, after["timeline"][-1], POLICY, case_after=after)
        assert case_text(replayed.case) == text
        previous = text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sample=st.sampled_from(SAMPLES), steps=st.integers(1, 12))
def test_random_walks_over_the_samples_replay_exactly(data, sample, steps):
    case = yamlio.load(sample.read_text(encoding="utf-8"))
    _replays(_walk(data, case, steps), first_is_new=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), steps=st.integers(1, 14))
def test_random_walks_from_intake_replay_exactly(data, steps):
    versions = _walk(data, None, steps)
    if versions:
        _replays(versions, first_is_new=True)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_case_replays_from_nothing(sample: Path):
    text = sample.read_text(encoding="utf-8")
    final = yamlio.load(text)
    case = None
    for entry in final["timeline"]:
        case = engine.replay(case, entry, POLICY, case_after=final).case
    assert case_text(case) == text


def test_a_step_that_writes_a_section_it_does_not_own_is_a_bug(monkeypatch):
    from kesu import rules

    def sloppy_note(doc, ctx, *, text):
        doc["notes"] = [text]
        doc["plan"] = {"steps": ["悄悄改了方案"]}
        return engine.Outcome()

    monkeypatch.setitem(rules.RULES, "note", sloppy_note)
    case = yamlio.load(SAMPLES[-1].read_text(encoding="utf-8"))
    later = datetime.fromisoformat(case["timeline"][-1]["at"]) + timedelta(hours=1)
    with pytest.raises(engine.StepBug, match="note wrote plan"):
        engine.apply(case, Step("note", "li.ming", later.isoformat(), {"text": "x"}), POLICY)
