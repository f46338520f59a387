"""kesu import: a chain's complaint ledgers (投诉登记表) come in as cases, in one commit, or not at all.

The ledger is generated from a seeded random source the way twelve stores
keep theirs: the shipped 投诉登记表 columns, a title row, store and date cells
left empty under merged cells, dates as Excel serials and as text, Chinese
words for channels and outcomes, a category the mapping does not know, one
complaint entered twice; saved as UTF-8 with a BOM, as GBK and as .xlsx.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kesu import engine, yamlio
from kesu.config import Policy
from kesu.importer.mapping import EXCEL_EPOCH

from conftest import commit_count, git, kesu, snapshot

STORES = {f"S{i:02d}": {"name": f"{i}号店", "region": "华东" if i <= 6 else "华南"} for i in range(1, 13)}
HEADER = ["序号", "登记时间", "门店", "投诉渠道", "顾客姓名", "联系电话", "投诉摘要", "投诉内容",
          "顾客诉求", "顾客情绪", "投诉类别", "处理人", "退款金额", "处理结果", "解决时间", "回访结果",
          "结案时间", "状态"]
CHANNELS = ["柜台", "热线", "小程序", "微信", "12315"]
CATEGORIES = ["商品质量", "过期", "服务态度", "卫生", "价格争议", "退换货"]
SUMMARIES = ["草莓霉变", "牛奶过期", "收银员态度差", "找零错误", "地面湿滑", "价签不符", "退货被拒"]


def chain_policy(root: Path) -> str:
    """The archive's kesu.yaml with the chain's twelve stores; 12号店 opens 08:00-22:00."""
    data = yamlio.load((root / "kesu.yaml").read_text(encoding="utf-8"))
    stores = {code: dict(entry) for code, entry in STORES.items()}
    stores["S12"]["business_hours"] = {d: ["08:00-22:00"] for d in
                                       ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    stores["S03"]["roster"] = ["chen.jing"]
    data["stores"] = stores
    data["roster"]["chen.jing"] = {"name": "陈静", "role": "supervisor", "approval_limit": 1000}
    return yamlio.dump(data)


@pytest.fixture
def chain(archive, tmp_path) -> Path:
    new = tmp_path / "kesu.yaml"
    new.write_text(chain_policy(archive), encoding="utf-8")
    result = kesu("policy", "edit", "--from-file", str(new), "--actor", "wang.fang",
                  "--approver", "zhao.lei", cwd=archive)
    assert result.returncode == 0, result.stderr
    return archive


def ledger(rows: int = 520, seed: int = 7) -> list[list]:
    """A year of twelve stores' complaints, oldest first; cells as Excel gives them."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, 0)
    out = [["某某超市连锁 投诉登记表 2026年"] + [""] * (len(HEADER) - 1), HEADER]
    previous_store = None
    for n in range(1, rows + 1):
        received = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 280))
        store = f"S{rng.randint(1, 12):02d}"
        shown_store = rng.choice([store, STORES[store]["name"]])
        if store == previous_store and rng.random() < 0.5:
            shown_store = ""  # left empty under a merged cell
        previous_store = store
        state = rng.choice(["已结案"] * 6 + ["处理中", "待处理"])
        resolved = received + timedelta(hours=rng.randint(2, 60))
        closed = resolved + timedelta(hours=rng.randint(1, 20))
        as_serial = rng.random() < 0.4
        when = (round((received - EXCEL_EPOCH).total_seconds() / 86400, 6) if as_serial
                else received.strftime(rng.choice(["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M"])))
        category = rng.choice(CATEGORIES) if n % 97 else "网购纠纷"  # one the mapping does not know
        finished = state == "已结案"
        out.append([n, when, shown_store, rng.choice(CHANNELS), rng.choice(["王女士", "李先生", "赵阿姨"]),
                    f"13{rng.randint(100000000, 999999999)}", rng.choice(SUMMARIES), "顾客反映问题属实",
                    "退款", rng.choice(["平静", "焦虑", "生气"]), category,
                    rng.choice(["李明", "li.ming", "王芳"]) if state != "待处理" else "",
                    f"{rng.randint(5, 90)}.50" if finished and rng.random() < 0.5 else "",
                    "已退款并致歉" if finished else "", resolved.strftime("%Y-%m-%d %H:%M") if finished else "",
                    rng.choice(["满意", "基本满意", "不满意", ""]) if finished else "",
                    closed.strftime("%Y-%m-%d %H:%M") if finished else "", state])
    out.append([""] * len(HEADER))  # a blank row at the end, as Excel leaves them
    out.insert(40, [""] * len(HEADER))  # and one in the middle
    duplicate = list(out[10])
    duplicate[0] = rows + 1
    if not duplicate[2]:
        duplicate[2] = "S01"
        out[10][2] = "S01"
    out.append(duplicate)  # the same complaint entered twice
    return out


def write_csv(path: Path, rows: list[list], encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    sheet.merge_cells("A1:R1")  # the title
    book.save(path)
    return path


def run_import(root: Path, path: Path, *extra: str):
    return kesu("import", str(path), "--actor", "wang.fang", "--owner", "li.ming", *extra, cwd=root)


@pytest.mark.parametrize("kind", ["utf-8-sig", "gbk", "xlsx"])
def test_a_years_ledger_of_twelve_stores_imports_in_one_commit_that_validates_and_audits_clean(chain, tmp_path, kind):
    rows = ledger()
    path = (write_xlsx(tmp_path / "投诉登记表.xlsx", rows) if kind == "xlsx"
            else write_csv(tmp_path / "投诉登记表.csv", rows, kind))
    before = commit_count(chain)
    result = run_import(chain, path)
    assert result.returncode == 0, result.stderr
    assert "520 to import, 1 duplicate(s), 0 with problems" in result.stdout
    assert f"{path}:{len(rows)}: note: duplicate of row 11" in result.stderr
    assert "note: category '网购纠纷' is not in the mapping; imported as other" in result.stderr
    assert commit_count(chain) == before + 1
    message = git(chain, "log", "-1", "--format=%B")
    assert "Action: import\nActor: wang.fang\nAt: " in message
    files = git(chain, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert len([f for f in files if f.startswith("A\tcases/")]) == 520
    assert kesu("validate", cwd=chain).returncode == 0
    audit = kesu("audit", "--format", "json", cwd=chain)
    assert audit.returncode == 0 and json.loads(audit.stdout)["findings"] == []

    cases = json.loads(kesu("list", "--format", "json", cwd=chain).stdout)
    assert len(cases) == 520
    closed = [c for c in cases if c["state"] == "closed"]
    assert closed and all(c["light"] is None for c in closed)  # no deadline lights up for the past
    s03 = json.loads(kesu("list", "--store", "3号店", "--format", "json", cwd=chain).stdout)
    assert s03 and {c["id"] for c in s03} < {c["id"] for c in cases}
    monthly = json.loads(kesu("report", "monthly", "--month", "2026-03", "--format", "json", cwd=chain).stdout)
    assert sorted(r["rank"] for r in monthly["stores"]) == list(range(1, 13))
    assert sum(r["received"] for r in monthly["stores"]) == monthly["received"] > 0


def test_imported_cases_replay_step_by_step_and_keep_the_ledgers_dates(chain, tmp_path):
    rows = ledger(60, seed=3)
    assert run_import(chain, write_csv(tmp_path / "l.csv", rows, "utf-8")).returncode == 0
    policy = Policy.load(chain / "kesu.yaml")
    by_summary = 0
    for path in sorted((chain / "cases").rglob("*.yaml")):
        case = yamlio.load(path.read_text(encoding="utf-8"))
        previous = None
        for entry in case["timeline"]:
            previous = engine.replay(previous, entry, policy, case).case
        # every entry applied on the version before it gives the file back
        assert yamlio.load(_canonical(previous)) == case
        if case["state"] == "closed" and case.get("follow_up"):
            by_summary += 1
            assert case["timeline"][-1]["at"] <= datetime.now().isoformat()
    assert by_summary


def _canonical(case: dict) -> str:
    from kesu.casefile import case_text

    return case_text(case)


def test_a_closed_row_arrives_closed_with_its_dates(chain, tmp_path):
    path = write_csv(tmp_path / "one.csv", [
        ["at", "store", "channel", "customer", "contact", "summary", "facts", "emotion", "category",
         "owner", "refund", "resolution", "resolved-at", "satisfaction", "closed-at", "state"],
        ["2026-03-02 14:05", "S03", "hotline", "王女士", "13800138000", "草莓霉变", "草莓霉变三分之一",
         "anxious", "product/quality_defect", "chen.jing", "39.90", "全额退款", "2026-03-03 10:00",
         "satisfied", "2026-03-04 11:00", "closed"]], "utf-8")
    assert run_import(chain, path).returncode == 0
    case = yamlio.load(next((chain / "cases").rglob("*.yaml")).read_text(encoding="utf-8"))
    assert case["state"] == "closed" and case["store"] == "S03"
    assert case["received_at"] == "2026-03-02T14:05:00+08:00"
    assert [e["action"] for e in case["timeline"]] == [
        "intake", "ack", "dispatch", "investigate", "propose", "notify", "accept", "resolve", "follow-up"]
    assert case["resolution"]["at"] == "2026-03-03T10:00:00+08:00"
    assert case["follow_up"] == {"at": "2026-03-04T11:00:00+08:00", "by": "chen.jing", "satisfaction": "satisfied"}
    assert case["plan"]["compensation"] == [{"kind": "refund", "amount": 39.90}] or case["plan"]["total"]


def test_a_header_of_intake_flag_names_needs_no_mapping(archive, tmp_path):
    path = write_csv(tmp_path / "flags.csv", [
        ["channel", "customer", "contact", "member", "store", "summary", "facts", "demands", "emotion",
         "location", "occurred-at", "product", "at"],
        ["counter", "王女士", "13800138000", "M001", "旗舰店", "草莓霉变", "三分之一霉变", "退款", "anxious",
         "生鲜区", "2026-11-23T15:20", "6901234567890=草莓 500g", "2026-11-23T16:10"]], "utf-8")
    result = kesu("import", str(path), "--actor", "zhang.san", cwd=archive)
    assert result.returncode == 0, result.stderr
    case = yamlio.load(next((archive / "cases").rglob("*.yaml")).read_text(encoding="utf-8"))
    assert case["state"] == "received" and case["store"] == "旗舰店"  # no stores: free text
    assert case["customer"] == {"name": "王女士", "contact": "13800138000", "member_id": "M001"}
    assert case["complaint"]["subjects"] == [{"kind": "product", "ref": "6901234567890", "name": "草莓 500g"}]
    assert case["complaint"]["occurred_at"] == "2026-11-23T15:20:00+08:00"


BAD_ROWS = [
    (["2026-03-02 14:05", "不存在的店", "hotline"], "store '不存在的店' is not a store of kesu.yaml"),
    (["2026-13-45", "S01", "hotline"], "at '2026-13-45' is not a date or time"),
    (["2026-03-02 14:05", "S01", "飞鸽传书"], "channel '飞鸽传书' is neither a kesu code nor in the mapping"),
    (["2099-03-02 14:05", "S01", "hotline"], "at 2099-03-02 14:05 is in the future"),
]


def test_every_bad_row_is_named_and_a_run_with_one_changes_nothing(chain, tmp_path):
    header = ["at", "store", "channel", "customer", "contact", "summary", "facts", "emotion"]
    good = ["2026-03-01 10:00", "S01", "hotline", "李先生", "13900139000", "找零错误", "少找十元", "calm"]
    rows = [header, good] + [cells + good[3:] for cells, _ in BAD_ROWS]
    rows.append(["2026-03-03 10:00", "S02", "hotline", "", "13900139001", "缺姓名", "无", "calm"])
    path = write_csv(tmp_path / "bad.csv", rows, "utf-8")
    before = snapshot(chain)
    dry = run_import(chain, path, "--dry-run")
    assert dry.returncode == 1
    for number, (_, message) in enumerate(BAD_ROWS, 3):
        assert f"{path}:{number}: {message}" in dry.stderr, dry.stderr
    assert f"{path}:{len(rows)}: missing intake fields: --customer" in dry.stderr
    assert "nothing was written" in dry.stdout
    assert snapshot(chain) == before
    real = run_import(chain, path)
    assert real.returncode == 2 and "nothing was imported" in real.stderr
    assert "Traceback" not in real.stderr
    assert snapshot(chain) == before


def test_a_ledger_imported_twice_brings_nothing_new(chain, tmp_path):
    path = write_csv(tmp_path / "l.csv", ledger(30, seed=5), "utf-8")
    assert run_import(chain, path).returncode == 0
    before = snapshot(chain)
    again = run_import(chain, path)
    assert again.returncode == 0 and "0 to import, 31 duplicate(s)" in again.stdout
    assert snapshot(chain) == before


def test_the_template_is_the_shipped_mapping_and_reads_as_one(tmp_path, archive):
    text = kesu("import", "--template").stdout
    assert "登记时间: at" in text and "fill_down" in text
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text.replace("登记时间: at", "日期: at"), encoding="utf-8")
    path = write_csv(tmp_path / "l.csv", [["日期", "投诉渠道", "顾客姓名", "联系电话", "投诉摘要", "投诉内容"],
                                          ["2026/03/01", "热线", "王女士", "13800138000", "霉变", "霉变"]],
                     "gb18030")
    result = kesu("import", str(path), "--mapping", str(mapping), "--actor", "zhang.san", cwd=archive)
    assert result.returncode == 0, result.stderr
