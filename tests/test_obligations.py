"""What the desk owes others: report-back to 12315 or the consumer association, police
referrals, corrective actions with their own deadlines (seeds 000 and 003)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from kesu import engine, yamlio
from kesu.casefile import case_text
from kesu.config import Policy

from conftest import kesu, snapshot
from e2e_support import assert_ok, case_in, read_case, step


def _resolved_12315_case(root) -> str:
    return case_in(root, "resolved", "--channel", "platform_12315")


def test_a_12315_transfer_cannot_close_until_reported_back(archive):
    case_id = _resolved_12315_case(archive)
    before = snapshot(archive)
    for action, args in [("follow-up", ["--satisfaction", "satisfied"]),
                         ("close", ["--reason", "resolved"]), ("close", ["--reason", "withdrawn"])]:
        refused = step(archive, action, case_id, *args, actor="li.ming", when="17:30")
        assert refused.returncode == 2, (action, refused.stdout)
        assert "12315" in refused.stderr and "kesu report-back" in refused.stderr
    assert snapshot(archive) == before

    done = step(archive, "report-back", case_id, "--method", "platform", "--text", "已全额退款，顾客满意",
                "--reference", "12315-2026-0001", actor="li.ming", when="17:40")
    assert done.stdout.startswith(f"{case_id}: report-back (resolved) "), done.stderr
    case = read_case(archive, case_id)
    assert case["report_back"] == [{"at": case["report_back"][0]["at"], "by": "li.ming",
                                    "body": "platform_12315", "method": "platform",
                                    "text": "已全额退款，顾客满意", "reference": "12315-2026-0001"}]
    assert_ok(step(archive, "follow-up", case_id, "--satisfaction", "satisfied", actor="zhang.san",
                   when="17:50"))
    assert read_case(archive, case_id)["state"] == "closed"
    shown = kesu("show", case_id, cwd=archive).stdout
    assert "reported back" in shown and "12315-2026-0001" in shown


def test_a_consumer_association_transfer_needs_it_too_and_a_counter_one_does_not(archive):
    association = case_in(archive, "resolved", "--channel", "consumer_association")
    refused = step(archive, "close", association, "--reason", "resolved", actor="li.ming", when="17:30")
    assert refused.returncode == 2 and "消费者协会" in refused.stderr
    counter = case_in(archive, "resolved")
    nobody = step(archive, "report-back", counter, "--method", "phone", "--text", "x",
                  actor="li.ming", when="17:30")
    assert nobody.returncode == 2 and "nobody is owed a report-back" in nobody.stderr
    assert_ok(step(archive, "close", counter, "--reason", "resolved", actor="li.ming", when="17:30"))


def test_a_police_referral_is_recorded(archive):
    case_id = case_in(archive, "dispatched")
    assert_ok(step(archive, "refer", case_id, "--to", "police", "--text", "寄存柜物品遗失，已报派出所",
                   "--reference", "110-1123-17", actor="li.ming", when="16:25"))
    assert read_case(archive, case_id)["referrals"][0]["to"] == "police"
    bad = step(archive, "refer", case_id, "--to", "aliens", "--text", "x", actor="li.ming", when="16:26")
    assert bad.returncode == 2


def _recent(minutes_ago: int) -> str:
    return (datetime.now().astimezone() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def test_corrective_actions_have_their_own_deadlines_shown_by_overdue_even_after_closing(archive):
    case_id = kesu("new", "--channel", "counter", "--customer", "王女士", "--contact", "13800138000",
                   "--summary", "收银员态度恶劣", "--facts", "收银员对顾客大声呵斥", "--emotion", "angry",
                   "--at", "2026-11-02T10:00", "--actor", "zhang.san", cwd=archive).stdout.strip()
    assert_ok(kesu("corrective", case_id, "收银组情景模拟培训", "--kind", "retraining",
                   "--at", "2026-11-02T10:30", cwd=archive))
    assert_ok(kesu("corrective", case_id, "补发 20 元券", "--kind", "voucher",
                   "--at", "2026-11-02T10:31", cwd=archive))
    assert_ok(kesu("close", case_id, "--reason", "withdrawn", "--at", "2026-11-02T11:00", cwd=archive))
    case = read_case(archive, case_id)
    assert [(c["kind"], c["limit"]) for c in case["corrective"]] == [("retraining", "3wd"), ("voucher", "1wd")]
    late = json.loads(kesu("overdue", "--format", "json", cwd=archive).stdout)["cases"]
    assert {(row["id"], row["timer"], row["light"]) for row in late} == {
        (case_id, "retraining#1", "red"), (case_id, "voucher#2", "red")}
    assert_ok(kesu("corrective", case_id, "培训完成，考核通过", "--done", "1", "--at", _recent(5),
                   cwd=archive))
    late = json.loads(kesu("overdue", "--format", "json", cwd=archive).stdout)["cases"]
    assert [row["timer"] for row in late] == ["voucher#2"]
    done_twice = kesu("corrective", case_id, "again", "--done", "1", cwd=archive)
    assert done_twice.returncode == 2 and "already done" in done_twice.stderr
    assert "corrective 1" in kesu("show", case_id, cwd=archive).stdout


def test_corrective_kinds_come_from_the_policy(archive):
    case_id = case_in(archive, "acknowledged")
    wrong = kesu("corrective", case_id, "x", "--kind", "party", cwd=archive)
    assert wrong.returncode == 2 and "retraining" in wrong.stderr
    missing = kesu("corrective", case_id, "x", cwd=archive)
    assert missing.returncode == 2 and "--kind" in missing.stderr


def test_obligation_steps_replay_exactly(archive):
    case_id = case_in(archive, "resolved", "--channel", "platform_12315")
    path = next(archive.glob(f"cases/*/*/{case_id}.yaml"))
    for args in (["report-back", case_id, "--method", "letter", "--text", "已函复"],
                 ["refer", case_id, "--to", "market_regulator", "--text", "价格欺诈线索"],
                 ["corrective", case_id, "采购抽检", "--kind", "purchasing_check"],
                 ["corrective", case_id, "已增加抽检频次", "--done", "1"]):
        before = path.read_text(encoding="utf-8")
        assert_ok(kesu(*args, "--at", _recent(0), cwd=archive))
        after = path.read_text(encoding="utf-8")
        doc = yamlio.load(after)
        replayed = engine.replay(yamlio.load(before), doc["timeline"][-1], Policy.default())
        assert case_text(replayed.case) == after
