"""A chain's stores: store codes checked, --store on every reading command, each store's calendar and people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kesu import yamlio
from kesu.config import Policy
from kesu.errors import UsageError
from kesu.stores import deadlines_for, policy_for_store, resolve_store

from conftest import STRAWBERRY, kesu, snapshot


def with_stores(root: Path, tmp_path: Path) -> Path:
    data = yamlio.load((root / "kesu.yaml").read_text(encoding="utf-8"))
    data["stores"] = {
        "S01": {"name": "旗舰店", "region": "华东"},
        "S03": {"name": "3号店", "region": "华东", "roster": ["chen.jing"]},
        "S12": {"name": "12号店", "region": "华南",
                "business_hours": {d: ["08:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
    }
    data["roster"]["chen.jing"] = {"name": "陈静", "role": "supervisor", "approval_limit": 1000}
    data["roster"]["sun.li"] = {"name": "孙丽", "role": "front_desk", "approval_limit": 100, "stores": ["S12"]}
    new = tmp_path / "kesu.yaml"
    new.write_text(yamlio.dump(data), encoding="utf-8")
    result = kesu("policy", "edit", "--from-file", str(new), "--actor", "wang.fang", "--approver",
                  "zhao.lei", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def chain(archive, tmp_path) -> Path:
    return with_stores(archive, tmp_path)


def new(root: Path, store: str, at: str = "2026-11-23T16:10", actor: str = "zhang.san") -> str:
    result = kesu("new", *STRAWBERRY, "--store", store, "--at", at, "--actor", actor, cwd=root)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_new_takes_a_store_by_code_or_name_and_records_the_code(chain):
    case_id = new(chain, "3号店")
    assert json.loads(kesu("show", case_id, "--format", "json", cwd=chain).stdout)["store"] == "S03"
    assert json.loads(kesu("show", new(chain, "s01"), "--format", "json", cwd=chain).stdout)["store"] == "S01"


@pytest.mark.parametrize("command", [
    ["new", *STRAWBERRY, "--actor", "zhang.san"], ["list"], ["overdue"], ["report", "monthly"],
    ["report", "kpi"]])
def test_an_unknown_store_is_refused_naming_the_known_ones(chain, command):
    before = snapshot(chain)
    result = kesu(*command, "--store", "不存在的店", cwd=chain)
    assert result.returncode == 2, result.stdout
    assert "'不存在的店' is not a store of kesu.yaml (stores: S01 旗舰店, S03 3号店, S12 12号店)" in result.stderr
    assert snapshot(chain) == before


def test_list_and_overdue_keep_to_the_store_and_owner(chain):
    ours, theirs = new(chain, "S03"), new(chain, "S01")
    listed = json.loads(kesu("list", "--store", "3号店", "--format", "json", cwd=chain).stdout)
    assert [row["id"] for row in listed] == [ours]
    rows = json.loads(kesu("overdue", "--store", "S01", "--format", "json", "--now", "2026-11-25T10:00",
                           cwd=chain).stdout)["cases"]
    assert {row["id"] for row in rows} == {theirs}
    for case_id, owner in ((ours, "chen.jing"), (theirs, "li.ming")):
        assert kesu("ack", case_id, "--actor", "zhang.san", "--at", "2026-11-23T16:11", cwd=chain).returncode == 0
        assert kesu("dispatch", case_id, "--category", "product", "--severity", "general", "--risk", "low",
                    "--owner", owner, "--actor", "li.ming", "--at", "2026-11-23T16:20", cwd=chain).returncode == 0
    mine = json.loads(kesu("overdue", "--owner", "chen.jing", "--format", "json", "--now",
                           "2026-11-25T10:00", cwd=chain).stdout)["cases"]
    assert {row["id"] for row in mine} == {ours}
    assert kesu("overdue", "--owner", "nobody", cwd=chain).returncode == 2


def test_a_store_person_works_only_for_their_stores(chain):
    case_id = new(chain, "S01")
    kesu("ack", case_id, "--actor", "zhang.san", "--at", "2026-11-23T16:11", cwd=chain)
    result = kesu("dispatch", case_id, "--category", "product", "--severity", "general", "--risk", "low",
                  "--owner", "chen.jing", "--actor", "li.ming", "--at", "2026-11-23T16:20", cwd=chain)
    assert result.returncode == 2
    assert "'chen.jing' does not work for store S01" in result.stderr
    assert kesu("new", *STRAWBERRY, "--store", "S03", "--actor", "sun.li", cwd=chain).returncode == 2


def test_deadlines_run_on_the_cases_stores_hours(chain):
    policy = Policy.load(chain / "kesu.yaml")
    late = {"store": "S12", "channel": "hotline", "timeline": [
        {"at": "2026-11-23T21:00:00+08:00", "action": "intake", "to": "received", "by": "zhang.san"}]}
    chain_case = {**late, "store": "S01"}
    from datetime import datetime

    now = datetime.fromisoformat("2026-11-23T21:00:00+08:00")
    s12 = {t.name: t.deadline for t in deadlines_for(policy, late).timers(late, now)}
    s01 = {t.name: t.deadline for t in deadlines_for(policy, chain_case).timers(chain_case, now)}
    assert s12["acknowledge"].isoformat() == "2026-11-23T21:30:00+08:00"  # open until 22:00
    assert s01["acknowledge"].isoformat() == "2026-11-24T10:30:00+08:00"  # closed at 20:00
    assert policy_for_store(policy, None) is policy and policy_for_store(policy, "S12") is policy_for_store(policy, "S12")


def test_without_stores_a_store_stays_free_text(archive):
    policy = Policy.load(archive / "kesu.yaml")
    assert resolve_store(policy, "旗舰店") == "旗舰店"
    case_id = new(archive, "旗舰店")
    assert json.loads(kesu("list", "--store", "旗舰店", "--format", "json", cwd=archive).stdout)[0]["id"] == case_id
    with pytest.raises(UsageError):
        resolve_store(Policy({"stores": {"S01": {"name": "旗舰店"}}}), "2号店")


def test_reports_break_the_chain_down_by_store_and_score_each(chain):
    for store in ("S01", "S03", "S03"):
        new(chain, store)
    monthly = json.loads(kesu("report", "monthly", "--month", "2026-11", "--format", "json", cwd=chain).stdout)
    by_store = {row["store"]: row for row in monthly["stores"]}
    assert by_store["S03"]["received"] == 2 and by_store["S01"]["received"] == 1
    assert by_store["S12"]["received"] == 0 and by_store["S12"]["rank"] == 1
    assert sorted(row["rank"] for row in monthly["stores"]) == [1, 2, 3]
    text = kesu("report", "monthly", "--month", "2026-11", cwd=chain).stdout
    assert "By store (ranked)" in text and "3号店" in text
    one = json.loads(kesu("report", "monthly", "--month", "2026-11", "--store", "3号店", "--format", "json",
                          cwd=chain).stdout)
    assert one["store"] == "S03" and one["received"] == 2 and "stores" not in one
    kpi = json.loads(kesu("report", "kpi", "--month", "2026-11", "--format", "json", cwd=chain).stdout)
    assert {row["store"] for row in kpi["stores"]} == {"S01", "S03", "S12"}
    store_kpi = json.loads(kesu("report", "kpi", "--month", "2026-11", "--store", "S03", "--format", "json",
                                cwd=chain).stdout)
    assert store_kpi["store"] == "S03" and store_kpi["score"] == next(
        row["score"] for row in kpi["stores"] if row["store"] == "S03")
    for fmt in ("markdown", "html"):
        assert "By store (ranked)" in kesu("report", "kpi", "--month", "2026-11", "--format", fmt, cwd=chain).stdout


def test_validate_names_a_case_of_an_unknown_store(chain):
    case_id = new(chain, "S01")
    path = next((chain / "cases").rglob(f"{case_id}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("store: S01", "store: S99"), encoding="utf-8")
    result = kesu("validate", cwd=chain)
    assert result.returncode == 1 and "store 'S99' is not a store of kesu.yaml" in result.stdout


def test_kesu_yaml_stores_are_checked(tmp_path):
    from kesu.policycheck import policy_problems

    from kesu.config import default_policy_text

    data = yamlio.load(default_policy_text())
    data["stores"] = {"S01": {"name": "旗舰店", "roster": ["nobody"], "business_hours": {"mon": ["25:00-26:00"]}}}
    data["roster"]["li.ming"]["store"] = "S77"
    messages = [m for _, m in policy_problems(data)]
    assert any("'nobody' of store S01 is not in the roster" in m for m in messages)
    assert any("li.ming's store 'S77'" in m for m in messages)
    assert any(m.startswith("store S01:") or "25:00" in m for m in messages)


@pytest.mark.parametrize("command", [["list"], ["overdue"], ["report", "monthly"], ["report", "kpi"], ["find"]])
def test_without_stores_a_store_no_case_names_is_refused_not_scored(archive, command):
    """Issue: ``report kpi --store 不存在的店`` scored 98 over no cases in an archive without stores:."""
    new(archive, "旗舰店")
    before = snapshot(archive)
    result = kesu(*command, "--store", "不存在的店", cwd=archive)
    assert result.returncode == 2, result.stdout
    assert "'不存在的店': no case names this store (stores named in cases: 旗舰店)" in result.stderr
    assert result.stdout == "" and snapshot(archive) == before
    assert kesu(*command, "--store", "旗舰店", cwd=archive).returncode in (0, 1)
