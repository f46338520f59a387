"""Mass complaints: one case, many claimants (seed 003's prepaid cards after a tenant left).

300 members imported from one CSV in one commit, each refunded or marked, the
case resolved when every claimant has an outcome, and reported as one complaint
with 300 claimants, with nobody's name or phone in any output meant for others.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from kesu import claimants, engine, yamlio
from kesu.casefile import case_text
from kesu.config import Policy

from conftest import SAMPLE_CASES, commit_count, kesu, snapshot
from e2e_support import assert_ok, case_in, read_case

MEMBERS = 300


def _members() -> list[tuple[str, str, str, str]]:
    return [(f"会员{n:03d}", f"139{n:08d}", f"VIP{n:04d}", "400.00") for n in range(1, MEMBERS + 1)]


def _personal(text: str) -> list[str]:
    """Any claimant's name, phone or member number in ``text``."""
    return re.findall(r"会员\d{3}|1390000\d{4}|VIP\d{4}", text)


def _csv(folder, rows, header="customer,contact,member,amount", name="members.csv") -> str:
    path = folder / name
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _run(root, *args, actor="wang.fang", at=None):
    return kesu(*args, "--actor", actor, *(["--at", at] if at else []), cwd=root)


@pytest.fixture
def prepaid(archive, tmp_path):
    """The prepaid-card incident, dispatched to operations, with 300 claimants from a CSV."""
    case_id = kesu("new", "--channel", "counter", "--customer", "刘先生", "--contact", "13900000000",
                   "--summary", "儿童乐园撤场后预付卡无法使用", "--facts", "商户撤场，会员预付卡余额无法使用",
                   "--demands", "退还卡内余额", "--emotion", "angry", "--at", "2026-11-23T10:00",
                   "--actor", "zhang.san", cwd=archive).stdout.strip()
    assert_ok(_run(archive, "ack", case_id, actor="zhang.san", at="2026-11-23T10:05"))
    assert_ok(_run(archive, "dispatch", case_id, "--category", "rules", "--severity", "serious",
                   "--risk", "high", "--owner", "wang.fang", at="2026-11-23T10:30"))
    commits = commit_count(archive)
    added = _run(archive, "claimant", "add", case_id, "--from-file", _csv(tmp_path, _members()),
                 at="2026-11-23T11:00")
    assert added.returncode == 0, added.stderr
    assert re.match(rf"{case_id}: claimant-add \(\w+\) [0-9a-f]{{10}} \+300 claimants$", added.stdout.strip())
    assert commit_count(archive) == commits + 1
    return case_id


def test_three_hundred_claimants_from_a_csv_refunded_resolved_and_reported_as_one(archive, tmp_path,
                                                                                prepaid):
    case_id = prepaid
    case = read_case(archive, case_id)
    assert len(case["claimants"]) == MEMBERS
    assert case["claimants"][0] == {"ref": "C001", "name": "会员001", "contact": "13900000001",
                                    "member_id": "VIP0001", "amount": 400.0}
    for action, args, at in [
            ("investigate", ["--findings", "商户撤场，预付卡由商场代为退款"], "2026-11-23T12:00"),
            ("propose", ["--step", "按卡内余额原路退款", "--step", "无法联系的会员公告后再退"], "2026-11-23T13:00"),
            ("approve", ["--actor", "zhao.lei"], "2026-11-23T13:30"),
            ("notify", ["--method", "sms"], "2026-11-23T14:00"),
            ("accept", [], "2026-11-23T15:00")]:
        result = kesu(action, case_id, *args, "--at", at, cwd=archive,
                      env={"KESU_ACTOR": "wang.fang"})
        assert result.returncode == 0, (action, result.stderr)
    # outcomes: most from a CSV, one by ref, one by member number, one by phone
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("claimant,outcome\n" + "".join(
        f"C{n:03d},{'refused' if n <= 5 else 'unreachable' if n <= 10 else 'paid'}\n"
        for n in range(1, MEMBERS - 2)), encoding="utf-8")
    assert_ok(_run(archive, "act", case_id, "预付卡余额已原路退回", "--outcomes-file", str(outcomes),
                   at="2026-11-24T10:00"))
    refused = _run(archive, "resolve", case_id, "--summary", "已退款", at="2026-11-24T11:00")
    assert refused.returncode == 2 and "3 claimant(s) have no outcome yet (C298, C299, C300)" in refused.stderr
    assert_ok(_run(archive, "act", case_id, "退款到账", "--claimant", "C298", "--claimant", "VIP0299",
                   "--claimant", "13900000300", "--outcome", "paid", at="2026-11-24T10:30"))
    again = _run(archive, "act", case_id, "x", "--claimant", "C001", "--outcome", "paid",
                 at="2026-11-24T10:31")
    assert again.returncode == 2 and "already refused" in again.stderr
    assert_ok(_run(archive, "act", case_id, "公告后退款", "--claimant", "C006", "--outcome", "paid",
                   at="2026-11-24T10:40"))
    assert_ok(_run(archive, "resolve", case_id, "--summary", "已按余额退款", at="2026-11-24T11:00"))

    case = read_case(archive, case_id)
    status = [c["outcome"]["status"] for c in case["claimants"]]
    assert status.count("paid") == 291 and status.count("refused") == 5 and status.count("unreachable") == 4

    shown = kesu("show", prepaid[-6:].lower(), cwd=archive).stdout
    assert "claimants (300: paid 291, refused 5, unreachable 4, waiting 0; amount 120000.00):" in shown
    assert "C300  会员300  13900000300  VIP0300  400.00  paid" in shown
    as_json = json.loads(kesu("show", case_id, "--format", "json", cwd=archive).stdout)
    assert len(as_json["claimants"]) == MEMBERS
    # a claimant calling in is found by their phone or card, like the customer
    for flag, value in (("--contact", "139-0000-0150"), ("--member", "vip0150")):
        found = kesu("find", flag, value, "--format", "json", cwd=archive)
        assert [row["id"] for row in json.loads(found.stdout)] == [case_id], found.stderr

    report = json.loads(kesu("report", "monthly", "--month", "2026-11", "--format", "json",
                             "--now", "2026-11-30T12:00", cwd=archive).stdout)
    assert report["received"] == 1 and report["claimants"] == MEMBERS
    assert report["mass_complaints"] == [{"id": case_id, "claimants": 300, "paid": 291, "refused": 5,
                                          "unreachable": 4, "waiting": 0, "amount": "120000.00"}]
    for fmt in ("table", "markdown", "csv", "html", "json"):
        text = kesu("report", "monthly", "--month", "2026-11", "--format", fmt,
                    "--now", "2026-11-30T12:00", cwd=archive).stdout
        assert "会员" not in text and "1390000" not in text and "VIP0" not in text, fmt
    assert "mass complaints (claimants)" in kesu("report", "monthly", "--month", "2026-11",
                                                 "--now", "2026-11-30T12:00", cwd=archive).stdout

    assert_ok(_run(archive, "follow-up", case_id, "--satisfaction", "satisfied", at="2026-11-24T15:00"))
    assert_ok(_run(archive, "library", "add", case_id, "--lessons", "商户撤场前须冻结预付卡并公告",
                   at="2026-11-24T16:00"))
    entry = (archive / "library" / f"{case_id}.md").read_text(encoding="utf-8")
    assert not _personal(entry)
    assert kesu("validate", cwd=archive).returncode == 0


def test_one_claimant_by_flags_and_the_refusals(archive, tmp_path):
    case_id = case_in(archive, "dispatched")
    assert_ok(_run(archive, "claimant", "add", case_id, "--customer", "赵女士", "--contact", "13700000001",
                   "--member", "M1", "--amount", "88.5", at="2026-11-23T16:25"))
    assert read_case(archive, case_id)["claimants"][0]["amount"] == 88.5
    before = snapshot(archive)
    for args, fragment in [
            (["--customer", "钱先生", "--contact", "13700000001", "--member", "M1"], "already a claimant"),
            (["--customer", "孙"], "--contact"),
            (["--customer", "孙", "--contact", "1", "--amount", "12.345"], "--amount"),
            ([], "--from-file"),
            (["--from-file", _csv(tmp_path, [("周", "", "", "")], name="a.csv")], "a.csv:2:"),
            (["--from-file", _csv(tmp_path, [("周", "1", "", "x")], name="b.csv")], "b.csv:2:"),
            (["--from-file", _csv(tmp_path, [("周", "1")], header="customer,age", name="c.csv")],
             "c.csv:1:")]:
        result = _run(archive, "claimant", "add", case_id, *args, at="2026-11-23T16:26")
        assert result.returncode == 2, args
        assert fragment in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert snapshot(archive) == before
    # the refusal names a claimant without their personal data
    duplicate = _run(archive, "claimant", "add", case_id, "--customer", "钱先生", "--contact", "13700000001",
                     "--member", "M1", at="2026-11-23T16:26")
    assert "13700000001" not in duplicate.stderr and "钱先生" not in duplicate.stderr


def test_chinese_headers_are_understood(archive, tmp_path):
    case_id = case_in(archive, "acknowledged")
    path = _csv(tmp_path, [("吴女士", "13600000001", "C9", "10")], header="姓名,电话,会员号,金额")
    assert_ok(_run(archive, "claimant", "add", case_id, "--from-file", path, at="2026-11-23T16:15"))
    assert read_case(archive, case_id)["claimants"][0]["member_id"] == "C9"


def test_outcomes_need_claimants(archive):
    case_id = case_in(archive, "executing")
    result = _run(archive, "act", case_id, "x", "--claimant", "C001", "--outcome", "paid",
                  at="2026-11-23T17:05")
    assert result.returncode == 2 and "no claimants" in result.stderr
    lonely = _run(archive, "act", case_id, "x", "--claimant", "C001", at="2026-11-23T17:05")
    assert lonely.returncode == 2 and "--claimant and --outcome go together" in lonely.stderr


POLICY = Policy.default()
EXECUTING = SAMPLE_CASES / "2026" / "11" / "KS-20261118-GNBB6D.yaml"
person = st.text(alphabet="王李张赵ab 1", min_size=1, max_size=6).map(str.strip).filter(bool)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(person, st.integers(10**10, 10**11 - 1), st.sampled_from(claimants.OUTCOMES)),
                min_size=1, max_size=8, unique_by=lambda t: t[1]))
def test_claimant_steps_and_outcomes_replay_exactly(people):
    case = yamlio.load(EXECUTING.read_text(encoding="utf-8"))
    assert case["state"] == "executing"
    at = case["timeline"][-1]["at"]
    steps = [engine.Step("claimant-add", "wang.fang", at, {"claimants": [
                 {"customer": name, "contact": str(phone), "amount": "12.30"} for name, phone, _ in people]}),
             engine.Step("act", "wang.fang", at, {"text": "退款", "outcomes": [
                 f"{phone}={outcome}" for _, phone, outcome in people]})]
    texts = [case_text(case)]
    for step in steps:
        texts.append(case_text(engine.apply(yamlio.load(texts[-1]), step, POLICY).case))
    for before, after in zip(texts, texts[1:]):
        doc = yamlio.load(after)
        replayed = engine.replay(yamlio.load(before), doc["timeline"][-1], POLICY, case_after=doc)
        assert case_text(replayed.case) == after
    final = yamlio.load(texts[-1])["claimants"]
    assert [c["ref"] for c in final] == [claimants.ref_of(n) for n in range(1, len(people) + 1)]
    assert [c["outcome"]["status"] for c in final] == [outcome for _, _, outcome in people]


def test_claimants_are_searchable_by_contact_and_member():
    from kesu.index.record import find_keys

    case = {"customer": {"name": "刘先生", "contact": "13900000000", "member_id": "VIP0000"},
            "claimants": [{"ref": "C001", "name": "会员001", "contact": "13900000001", "member_id": "VIP0001"},
                          {"ref": "C002", "name": "会员002", "contact": "13900000000"}]}
    assert find_keys(case) == [("contact", "13900000000"), ("contact", "13900000001"),
                               ("member", "vip0000"), ("member", "vip0001")]
    assert find_keys({"customer": "garbled"}) == []


def test_claimants_are_masked_like_the_customer_in_text_for_others():
    from kesu.masking import customer_masks, masked, redacted

    case = {"customer": {"name": "刘先生", "contact": "13900000000"},
            "claimants": [{"ref": "C001", "name": "欧阳娜娜", "contact": "13900000001", "member_id": "VIP-0001"}],
            "complaint": {"summary": "欧阳女士来电，卡号 vip0001，电话 139 0000 0001"},
            "timeline": [{"action": "claimant-add", "args": {"claimants": [{"customer": "欧阳娜娜"}]}}]}
    text = masked(case["complaint"]["summary"], customer_masks(case))
    assert "欧阳女士" not in text and "vip0001" not in text and "139 0000 0001" not in text
    public = redacted(case)
    assert "claimants" not in public and "customer" not in public
    assert "欧阳娜娜" not in str(public)
