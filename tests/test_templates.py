"""Replies and the case library: rendering, masking, the sandbox, the commands."""

from __future__ import annotations

import re

import pytest

from conftest import SAMPLE_CASES, commit_count, git, kesu, snapshot
from kesu import yamlio
from kesu.render import duration, format_time, mask_contact, mask_name, money
from kesu.replies import REPLY_KINDS

SAMPLES = {p.stem: yamlio.load(p.read_text(encoding="utf-8")) for p in SAMPLE_CASES.glob("*/*/*.yaml")}
CLOSED = "KS-20261020-GNV8P6"       # double charge, closed satisfied
OPEN_HIGH_RISK = "KS-20261014-QMXCBP"  # prepaid cards, high risk, plan proposed
RECEIVED = "KS-20261123-WFC458"      # strawberries, just received


@pytest.mark.parametrize("value,expected", [("王女士", "王**"), ("Alice Wong", "A**** W***"), ("李", "李*")])
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize("value,expected", [("13800138000", "138****8000"),
                                            ("huang@example.com", "h***@example.com")])
def test_mask_contact(value, expected):
    assert mask_contact(value) == expected


def test_money_time_and_duration_follow_the_locale():
    assert money(39.9) == "¥39.90" and money("1000", "en") == "CNY 1,000.00"
    assert format_time("2026-11-23T16:10:00+08:00") == "2026年11月23日 16:10"
    assert format_time("2026-11-23T16:10:00+08:00", "en") == "23 Nov 2026 16:10"
    assert duration(135) == "2小时15分" and duration(135, "en") == "2 h 15 min"


def test_every_reply_renders_for_every_sample_case_in_both_locales(sample_archive):
    rendered = 0
    for case_id, case in SAMPLES.items():
        for kind in REPLY_KINDS:
            for locale in ("zh-CN", "en"):
                result = kesu("reply", case_id, kind, "--locale", locale, cwd=sample_archive)
                if result.returncode == 2 and result.stdout == "" and case_id in result.stderr:
                    continue  # the case has not reached that step, is past it, or it would promise a past time
                assert result.returncode == 0, (case_id, kind, locale, result.stderr)
                assert case_id in result.stdout or kind == "follow-up"
                assert case["customer"]["name"] in result.stdout  # replies address the customer
                other = {c["customer"]["contact"] for i, c in SAMPLES.items() if i != case_id}
                assert not any(contact in result.stdout for contact in other)
                rendered += 1
    assert rendered >= 12  # two plans await approval, one extended deadline has passed, visits were made


def test_the_plan_reply_lists_steps_compensation_and_commitment(sample_archive):
    out = kesu("reply", "KS-20261118-GNBB6D", "plan", cwd=sample_archive).stdout
    assert "1. 当日重新配送\n2. 赠送 10 元运费券\n" in out
    assert "购物券：¥10.00" in out and "今日 20:00 前送达" in out


def test_a_reply_for_a_step_not_reached_is_refused(sample_archive):
    result = kesu("reply", RECEIVED, "plan", cwd=sample_archive)
    assert result.returncode == 2
    assert "reply 'plan' is for cases that are plan_proposed" in result.stderr and "is received" in result.stderr


def test_an_unknown_reply_kind_names_the_kinds(sample_archive):
    result = kesu("reply", CLOSED, "thanks", cwd=sample_archive)
    assert result.returncode == 2
    assert "ack, plan, objection, resolution, follow-up, delay" in result.stderr


def test_sms_warns_when_one_message_is_not_enough(sample_archive):
    result = kesu("reply", RECEIVED, "ack", "--channel", "sms", cwd=sample_archive)
    assert result.returncode == 0
    assert re.search(r"warning: \d+ characters, more than one SMS \(70\)", result.stderr)


def test_reply_output_file(sample_archive, tmp_path):
    target = tmp_path / "reply.txt"
    result = kesu("reply", CLOSED, "resolution", "--output", str(target), cwd=sample_archive)
    assert result.returncode == 0 and result.stdout == ""
    assert "已退还重复扣款并赠券致歉" in target.read_text(encoding="utf-8")


def test_an_archive_template_overrides_the_shipped_one(sample_archive):
    override = sample_archive / "templates" / "reply" / "ack.zh-CN.j2"
    override.parent.mkdir(parents=True)
    override.write_text("您好 {{ customer.name | mask_name }}，编号 {{ case.id }}\n", encoding="utf-8")
    assert kesu("reply", RECEIVED, "ack", cwd=sample_archive).stdout == f"您好 王**，编号 {RECEIVED}\n"


@pytest.mark.parametrize("body,message", [
    ("{{ ''.__class__.__mro__ }}", "not allowed"),
    ("{{ cycler.__init__.__globals__ }}", "not allowed"),
    ("{% include '../kesu.yaml' %}", "kesu.yaml"),
    ("{% include '/etc/passwd' %}", "/etc/passwd"),
    ("{% for i in range(100000) %}{% for j in range(100) %}xxxxxxxxxx{% endfor %}{% endfor %}", "exceeds"),
    ("line one\n{{ no_such_name }}\n", "no_such_name"),
    ("{% if %}", ""),
])
def test_a_hostile_or_broken_template_fails_with_a_clear_line_and_writes_nothing(sample_archive, body, message):
    override = sample_archive / "templates" / "reply" / "ack.zh-CN.j2"
    override.parent.mkdir(parents=True)
    override.write_text(body, encoding="utf-8")
    out = sample_archive / "out.txt"
    result = kesu("reply", RECEIVED, "ack", "--output", str(out), cwd=sample_archive)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert not out.exists()
    if "no_such_name" in body:
        assert result.stderr.startswith("templates/reply/ack.zh-CN.j2:2: ")


def test_library_add_is_one_commit_of_the_case_the_entry_and_the_index(sample_archive):
    before = commit_count(sample_archive)
    result = kesu("library", "add", CLOSED, "--lessons", "系统升级须避开营业时间", "--value", "典型",
                  "--five-whys", "为何重复扣款？", "--five-whys", "为何缺少校验？", cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    assert commit_count(sample_archive) == before + 1
    files = git(sample_archive, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == sorted([f"cases/2026/10/{CLOSED}.yaml", f"library/{CLOSED}.md", "library/README.md"])
    assert "Action: library" in git(sample_archive, "log", "-1", "--format=%B")
    entry = (sample_archive / "library" / f"{CLOSED}.md").read_text(encoding="utf-8")
    for part in ("一、问题描述", "二、解决过程", "三、处理结果", "四、案例价值", "五、推广要点与注意事项"):
        assert part in entry
    assert "1. 为何重复扣款？\n2. 为何缺少校验？" in entry
    assert f"[支付系统升级期间重复扣款]({CLOSED}.md)" in (sample_archive / "library" / "README.md").read_text(encoding="utf-8")
    case = yamlio.load((sample_archive / "cases" / "2026" / "10" / f"{CLOSED}.yaml").read_text(encoding="utf-8"))
    assert case["library"]["lessons"] == "系统升级须避开营业时间" and case["library"]["draft"] is False
    # nothing changed since: build says so and commits nothing
    result = kesu("library", "build", cwd=sample_archive)
    assert result.returncode == 0 and "nothing changed" in result.stdout
    assert commit_count(sample_archive) == before + 1


def test_an_open_case_goes_in_only_as_a_draft_of_a_high_risk_or_typical_case(sample_archive):
    before = snapshot(sample_archive)
    refused = kesu("library", "add", RECEIVED, "--lessons", "x", "--draft", cwd=sample_archive)
    assert refused.returncode == 2 and "high-risk" in refused.stderr
    refused = kesu("library", "add", OPEN_HIGH_RISK, "--lessons", "x", cwd=sample_archive)
    assert refused.returncode == 2 and "--draft" in refused.stderr
    assert snapshot(sample_archive) == before
    assert kesu("library", "add", OPEN_HIGH_RISK, "--lessons", "x", "--draft", cwd=sample_archive).returncode == 0
    assert kesu("library", "add", RECEIVED, "--lessons", "y", "--draft", "--typical", cwd=sample_archive).returncode == 0


def test_no_library_file_ever_holds_a_customers_name_contact_or_member_number(sample_archive):
    for case_id, case in SAMPLES.items():
        args = ["library", "add", case_id, "--lessons", f"教训：{case['customer']['name']}的投诉"]
        if case["state"] != "closed":
            args += ["--draft", "--typical"]
        assert kesu(*args, cwd=sample_archive).returncode == 0
    assert kesu("library", "build", cwd=sample_archive).returncode == 0
    texts = [p.read_text(encoding="utf-8") for p in (sample_archive / "library").glob("*.md")]
    assert len(texts) == len(SAMPLES) + 1
    for case in SAMPLES.values():
        for raw in (case["customer"].get(k) for k in ("name", "contact", "member_id")):
            if raw:
                assert not any(raw in text for text in texts), raw


def test_a_template_change_is_rebuilt_in_one_commit(sample_archive):
    assert kesu("library", "add", CLOSED, "--lessons", "x", cwd=sample_archive).returncode == 0
    override = sample_archive / "templates" / "library" / "entry.zh-CN.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text("# {{ case.id }}\n{{ library.lessons }}\n", encoding="utf-8")
    git(sample_archive, "add", "templates")
    git(sample_archive, "commit", "-q", "-m", "Shorter library entries")
    before = commit_count(sample_archive)
    result = kesu("library", "build", cwd=sample_archive)
    assert result.returncode == 0 and "rebuilt 1 entries" in result.stdout
    assert commit_count(sample_archive) == before + 1
    assert (sample_archive / "library" / f"{CLOSED}.md").read_text(encoding="utf-8") == f"# {CLOSED}\nx\n"


def test_library_files_show_labels_not_codes_in_the_archives_language(sample_archive):
    """A zh-CN library reads 商品类 / 质量瑕疵, 服务台, 已结案, 受理, 满意; English its readable labels."""
    kesu_yaml = sample_archive / "kesu.yaml"
    kesu_yaml.write_text(kesu_yaml.read_text(encoding="utf-8") + "labels:\n  zh-CN: {hotline: 客服热线}\n",
                         encoding="utf-8")
    git(sample_archive, "commit", "-qam", "Desk labels")
    assert kesu("library", "add", CLOSED, "--lessons", "x", cwd=sample_archive).returncode == 0
    entry = (sample_archive / "library" / f"{CLOSED}.md").read_text(encoding="utf-8")
    case = SAMPLES[CLOSED]
    assert "- 类别：服务类 / 操作失误" in entry and "- 风险 / 严重程度：中 / 一般" in entry
    assert "- 渠道：客服热线" in entry and "- 状态：已结案" in entry
    assert "受理（" in entry and "回访结果：满意" in entry
    index = (sample_archive / "library" / "README.md").read_text(encoding="utf-8")
    assert "### 服务类" in index and "（服务类）" in index
    codes = {case["classification"]["category"], case["classification"]["subcategory"], case["channel"],
             case["state"], case["follow_up"]["satisfaction"], "intake", "ack"}
    words = set(re.findall(r"[a-z_]+", entry + index))
    assert not codes & words, codes & words
    kesu_yaml.write_text(kesu_yaml.read_text(encoding="utf-8").replace("locale: zh-CN", "locale: en"),
                         encoding="utf-8")
    git(sample_archive, "commit", "-qam", "English desk")
    assert kesu("library", "build", cwd=sample_archive).returncode == 0
    entry = (sample_archive / "library" / f"{CLOSED}.md").read_text(encoding="utf-8")
    assert "- Category: Service / Operational error" in entry and "- Channel: Hotline" in entry
    assert "### Service" in (sample_archive / "library" / "README.md").read_text(encoding="utf-8")
