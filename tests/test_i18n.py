"""kesu in Chinese and English: every string translated, no English left in a zh-CN desk,
no Chinese of kesu's own in an English one."""

from __future__ import annotations

import gettext
import re
import sys

import pytest

from conftest import PROJECT, kesu, new_case
from kesu import i18n
from kesu.vocab import LABELS, label

sys.path.insert(0, str(PROJECT / "scripts"))
import catalog  # noqa: E402


def test_every_user_facing_string_has_a_zh_cn_translation():
    """Extracted from the source as it is now, so a string added anywhere later is caught;
    read from the compiled catalog, so a .po change not compiled is caught too."""
    compiled = gettext.GNUTranslations(open(i18n.LOCALEDIR / "zh_CN" / "LC_MESSAGES" / "kesu.mo", "rb"))
    missing = []
    for msgid, (plural, places) in catalog.extract().items():
        shown = compiled.ngettext(msgid, plural, 2) if plural else compiled.gettext(msgid)
        if shown == msgid and re.search("[A-Za-z]{3}", msgid):
            missing.append(f"{sorted(places)[0]}: {msgid[:60]!r}")
    assert not missing, "untranslated (run make catalog, translate, run it again):\n" + "\n".join(missing)


def test_placeholders_survive_translation():
    compiled = gettext.GNUTranslations(open(i18n.LOCALEDIR / "zh_CN" / "LC_MESSAGES" / "kesu.mo", "rb"))
    for msgid, (plural, _places) in catalog.extract().items():
        shown = compiled.ngettext(msgid, plural, 2) if plural else compiled.gettext(msgid)
        assert set(re.findall(r"\{\w*\}", shown)) == set(re.findall(r"\{\w*\}", plural or msgid)), msgid


def test_every_shipped_code_has_a_label_in_both_languages():
    import yaml

    policy = yaml.safe_load((PROJECT / "cli" / "kesu" / "default_policy.yaml").read_text(encoding="utf-8"))
    vocab = policy["vocabularies"]
    codes = set(vocab["channels"]) | set(vocab["emotions"]) | set(vocab["risks"]) | set(vocab["severities"])
    codes |= set(vocab["roles"]) | set(vocab["responsibility"]) | set(vocab["departments"])
    codes |= set(vocab["compensation"]) | set(vocab["categories"])
    codes |= {sub for subs in vocab["categories"].values() for sub in subs}
    codes |= set(policy["sla"]["timers"]) if "sla" in policy else set()
    from kesu import claimants, evidence, lifecycle, obligations

    codes |= set(evidence.KINDS) | set(obligations.REPORT_METHODS) | set(obligations.REFER_TO)
    codes |= set(policy["obligations"]["corrective"]) | set(lifecycle.CLOSE_REASONS) | set(lifecycle.TELL_METHODS)
    codes |= set(claimants.OUTCOMES) | {"waiting", "import"}
    assert not codes - set(LABELS)
    assert label("product", "zh-CN") == "商品类" and label("quality_defect", "zh-CN") == "质量瑕疵"
    assert label("counter", "zh-CN") == "服务台"


def test_kesu_yaml_labels_override_the_defaults(archive):
    (archive / "kesu.yaml").write_text((archive / "kesu.yaml").read_text(encoding="utf-8")
                                       + "labels:\n  zh-CN: {counter: 一楼服务台}\n", encoding="utf-8")
    new_case(archive)
    out = kesu("show", new_case(archive), cwd=archive, env={"KESU_LANG": "zh-CN"})
    assert "一楼服务台" in out.stdout


@pytest.mark.parametrize("environ,archive_locale,expected", [
    ({"KESU_LANG": "en"}, "zh-CN", "en"), ({"KESU_LANG": "zh-CN"}, "en", "zh-CN"),
    ({}, "en", "en"), ({}, "zh-CN", "zh-CN"), ({"LANG": "zh_CN.UTF-8"}, None, "zh-CN"),
    ({"LANG": "C.UTF-8"}, None, "en"), ({}, None, "en"),
])
def test_the_language_is_kesu_lang_then_the_archive_then_the_environment(tmp_path, environ, archive_locale,
                                                                        expected):
    if archive_locale:
        (tmp_path / "kesu.yaml").write_text(f"org: x\nlocale: {archive_locale}\n", encoding="utf-8")
    assert i18n.detect(str(tmp_path) if archive_locale else str(tmp_path / "none"), environ) == expected


# ---------------------------------------------------------------- a desk in Chinese
ALLOWED = re.compile(
    r"'[^'\n]*'|\b[a-z]+-[a-z]+\b|--?[\w-]+|KS-\d{8}-\w+|\bkesu\b|\b[A-Z][A-Z_]+\b|<[\w|]+>|\[[\w|=.>]+\]|[\w.-]+\.(?:ya?ml|md|j2|json|html|xlsx|csv)\b"
    r"|\b\w+_\w+\b|\b[\w.-]+/[\w./-]*|\b\w+\.\w+\b|\b\d+\w*\b|https?://\S+|\b(?:git|ssh)\S*|\$\w+|\w+=\S*|\bApp\b|\bSKU\S*|\bAPP\b"
    r"|\b(?:table|json|csv|yaml|text|markdown|html|xlsx|github|sms|letter|email|zh-CN|en|origin|main|nano|phone)\b"
    r"|\b(?:cd|init|complaints|refs|OURS|HEAD|store|staff|supplier|logistics|none)\b|git", re.ASCII)


#: Words that are kesu's own names, not prose: sub-commands, kesu.yaml keys, reply kinds, case
#: file sections, brand names, and an unknown command echoed back.
KESU_WORDS = {"withdrawn", "duplicate", "invalid", "no_follow_up", "monthly", "kpi", "add", "build", "edit",
              "complaint", "customer", "channel", "policy", "locale", "objection", "delay", "plan", "resolution",
              "ack", "audited", "docs", "Excel", "nosuch", "parquet", "import", "claimant"}


def english_words(text: str) -> list[str]:
    """Latin words of three letters or more that are not names, options, codes or data."""
    codes = set(LABELS) | KESU_WORDS
    cleaned = ALLOWED.sub(" ", re.sub(r"\n\s+(?=\S)", "", text))  # click wraps Chinese anywhere
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", cleaned) if w not in codes]


@pytest.fixture
def chinese_desk(sample_archive):
    case_id = new_case(sample_archive)
    return sample_archive, case_id


def zh(*args, cwd):
    return kesu(*args, cwd=cwd, env={"KESU_LANG": "zh-CN", "COLUMNS": "200"})


@pytest.mark.parametrize("args", [["list"], ["overdue", "--now", "2026-11-24T12:00"], ["show", "CASE"],
                                  ["history", "CASE"], ["show", "KS-20261110-SETA6Z"],
                                  ["find", "--since", "2026-01-01"],
                                  ["history", "KS-20261110-SETA6Z"],  # its one step: the sample's import
                                  ["audit"], ["audit", "--report", "--month", "2026-11"],
                                  ["show", "KS-20261102-2VSAVM"],  # approval needed, and why
                                  ["report", "monthly", "--month", "2026-11", "--now", "2026-11-24T12:00"],
                                  ["report", "monthly", "--month", "2026-11", "--format", "markdown"],
                                  ["report", "kpi", "--month", "2026-11", "--now", "2026-11-24T12:00"],
                                  ["report", "kpi", "--month", "2026-11", "--format", "markdown"]])
def test_a_zh_cn_desk_shows_no_english_words(chinese_desk, args):
    root, case_id = chinese_desk
    result = zh(*[case_id if a == "CASE" else a for a in args], cwd=root)
    assert result.returncode in (0, 1), result.stderr
    data = " ".join(str(v) for v in (case_id, "zhang.san", "li.ming", "wang.fang"))
    commits = r"\b[0-9a-f]{7,40}\b"  # history's commit column: its letters are no words
    if args[0] == "audit":  # rule codes stay as written: scripts match on them
        from kesu.audit import RULES

        commits += "".join(rf"|\b{rule}\b" for rule in RULES)
    assert english_words(re.sub(commits, "", result.stdout.replace(data, ""))) == [], result.stdout


@pytest.mark.parametrize("report", ["monthly", "kpi"])
def test_the_html_reports_are_in_the_archive_language(chinese_desk, tmp_path, report):
    root, _case = chinese_desk
    target = tmp_path / "r.html"
    args = ["--month", "2026-11"] if report == "monthly" else ["--quarter", "2026-Q4"]
    result = kesu("report", report, *args, "--format", "html", "--output", str(target), "--now",
                  "2026-11-24T12:00", cwd=root, env={"KESU_LANG": ""})
    assert result.returncode in (0, 1), result.stderr
    page = target.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    assert english_words(text) == [], text[:2000]
    assert ("投诉月报" if report == "monthly" else "客诉管理考核表") in text


def every_command(app_path=()):
    from kesu.cli import COMMANDS, HIDDEN

    for name, module in COMMANDS.items():
        if name in HIDDEN:
            continue
        yield [name]
        if name in ("report", "policy", "library"):
            from importlib import import_module

            group = import_module(f"kesu.commands.{module}").COMMANDS[name]
            for sub in group.registered_commands:
                yield [name, sub.name or sub.callback.__name__.replace("_", "-")]


@pytest.mark.parametrize("command", list(every_command()), ids=" ".join)
def test_every_help_is_in_chinese(tmp_path, command):
    result = kesu(*command, "--help", cwd=tmp_path, env={"KESU_LANG": "zh-CN"})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "示例" not in line and "kesu " not in line]
    assert english_words("\n".join(lines)) == [], result.stdout
    usage = result.stdout.splitlines()[0]
    assert usage.startswith("用法：kesu") and not re.search(r"OPTIONS|COMMAND|ARGS", usage), usage


def test_errors_are_in_chinese(chinese_desk, tmp_path):
    root, case_id = chinese_desk
    for args, cwd in ((["nosuch"], root), (["list", "--format", "bad"], root),
                      (["show"], root), (["list", "--nosuch"], root), (["show", "KS-20261123-AAAAAA"], root),
                      (["list"], tmp_path), (["reply", case_id, "plan"], root),
                      (["reply", case_id, "objection"], root)):
        result = zh(*args, cwd=cwd)
        assert result.returncode == 2
        assert english_words(result.stderr) == [], result.stderr


def test_with_kesu_lang_en_there_is_no_chinese_but_data(chinese_desk):
    root, case_id = chinese_desk
    han = re.compile(r"[\u4e00-\u9fff]")
    for args in (["--help"], ["list", "--help"], ["report", "kpi", "--help"], ["history", case_id]):
        result = kesu(*args, cwd=root, env={"KESU_LANG": "en"})
        # Chinese that stays: the names of the desk's own standards quoted in help.
        assert not han.search(re.sub(r"[（(][^)）]*[\u4e00-\u9fff][^)）]*[)）]", "", result.stdout)), result.stdout
    listing = kesu("list", cwd=root, env={"KESU_LANG": "en", "COLUMNS": "200"}).stdout
    data = {"草莓霉变", "价签与结算价格不一致"}
    assert all(not han.search(line) or any(d in line for d in data) or "KS-" in line
               for line in listing.splitlines())


# ---------------------------------------------------------------- errors in both languages
AT = ["--at", "2026-11-24T10:00"]
DISPATCH = ["dispatch", "M6HS1M", "--category", "product", "--severity", "general", "--risk", "low",
            "--owner", "li.ming", "--actor", "li.ming", *AT]
#: One refusal of each kind a clerk meets: (what is wrong, the command). CASE is a new complaint;
#: the others are sample cases (M6HS1M acknowledged, WFC458 received, 2VSAVM with a plan waiting
#: for approval, GNBB6D being carried out, JQ5FFJ closed).
REFUSALS = {
    "step not allowed in this state": ["accept", "WFC458", "--actor", "li.ming", *AT],
    "not a case ID": ["show", "Z!"],
    "no case ID ends so": ["show", "QQQQQQ"],
    "not in the roster": ["ack", "CASE", "--actor", "nobody", *AT],
    "not a time": ["ack", "CASE", "--actor", "zhang.san", "--at", "yesterday"],
    "before the last step": ["note", "CASE", "看看", "--actor", "zhang.san", "--at", "2026-11-01T10:00"],
    "in the future": ["note", "CASE", "看看", "--actor", "zhang.san", "--at", "2030-01-01T10:00"],
    "unknown category": [*DISPATCH[:3], "nosuch", *DISPATCH[4:]],
    "senior owner needed": [*DISPATCH[:5], "serious", "--risk", "high", *DISPATCH[8:]],
    "force without reason": [*DISPATCH, "--force"],
    "approval limit": ["approve", "2VSAVM", "--actor", "zhang.san", *AT],
    "notify before approval": ["notify", "2VSAVM", "--method", "phone", "--actor", "li.ming", *AT],
    "close reason from this state": ["close", "WFC458", "--reason", "resolved", "--actor", "li.ming", *AT],
    "duplicate without --of": ["close", "WFC458", "--reason", "duplicate", "--actor", "li.ming", *AT],
    "bad duration": ["extend", "M6HS1M", "--by", "soon", "--reason", "等待", "--approver", "wang.fang",
                     "--actor", "li.ming", *AT],
    "extension approved by the asker": ["extend", "M6HS1M", "--by", "1h", "--reason", "等待", "--approver",
                                        "li.ming", "--actor", "li.ming", *AT],
    "report-back to nobody": ["report-back", "M6HS1M", "--method", "platform", "--text", "已反馈",
                              "--actor", "li.ming", *AT],
    "attach a missing file": ["attach", "CASE", "nosuch.jpg", "--actor", "zhang.san", *AT],
    "bad month": ["report", "monthly", "--month", "2026-13"],
    "bad quarter": ["report", "kpi", "--quarter", "2026-Q9"],
    "quarter and month": ["report", "kpi", "--quarter", "2026-Q4", "--month", "2026-11"],
    "unknown reply": ["reply", "CASE", "nosuch"],
    "unknown subcategory": [*DISPATCH, "--subcategory", "nosuch"],
    "audit format": ["audit", "--format", "markdown"],
    "audit not anchored": ["audit", "--since-anchor"],
    "missing intake file": ["new", "--from-file", "nosuch.yaml", "--actor", "zhang.san"],
    "no draft to resume": ["new", "--resume", "--actor", "zhang.san"],
    "claimant without contact": ["claimant", "add", "CASE", "--actor", "zhang.san", *AT],
    "claimant without outcome": ["act", "GNBB6D", "退款", "--claimant", "C001", "--actor", "li.ming", *AT],
    "no such path to validate": ["validate", "nosuch"],
    "parquet without output": ["export", "--format", "parquet"],
    "already an archive": ["init", "."],
    "import without a ledger": ["import", "--actor", "zhang.san"],
    "import a missing ledger": ["import", "nosuch.csv", "--actor", "zhang.san"],
    "sync without a remote": ["sync"],
    # click's own words, each message it has for options and arguments
    "no such command, with a guess": ["lst"],
    "no such option, with a guess": ["--no-pagr", "list"],
    "no such option after the command": ["list", "--limt", "3"],
    "below the range": ["list", "--limit", "-1"],
    "not a whole number": ["list", "--limit", "many"],
    "not one of the choices": ["list", "--format", "bad"],
    "missing argument": ["show"],
    "missing option": ["dispatch", "M6HS1M", "--actor", "li.ming", *AT],
    "option without its value": ["list", "--limit"],
    "flag given a value": ["list", "--open=yes"],
    "unexpected extra argument": ["show", "CASE", "看看"],
    "extension beyond its cap": ["extend", "CASE", "--by", "2h", "--reason", "等待", "--approver", "li.ming",
                                 "--actor", "zhang.san", "--at", "2026-11-23T16:20"],
    "sections a reopened case lacks": ["reopen", "DAKBTH", "--reason", "再查", "--actor", "li.ming"],
    "timer not running": ["extend", "GNBB6D", "--by", "1h", "--reason", "等待", "--approver", "li.ming",
                          "--actor", "zhang.san", "--timer", "nope"],
    "unknown letter locale": ["reply", "WFC458", "ack", "--locale", "fr"],
}
#: What a refusal must say in Chinese: a label with the code people type, a duration in words.
REFUSALS_SAY = {"timer not running": ["执行 (execute)", "办结 (completion)"], "in the future": ["分钟"],
                "unknown letter locale": ["--locale 'fr'"], "step not allowed in this state": ["(claimant add)"]}


@pytest.mark.parametrize("kind,args", list(REFUSALS.items()), ids=list(REFUSALS))
def test_every_refusal_speaks_the_desk_language(chinese_desk, kind, args):
    root, case_id = chinese_desk
    args = [case_id if a == "CASE" else a for a in args]
    chinese = zh(*args, cwd=root)
    assert chinese.returncode == 2, chinese.stderr
    assert chinese.stderr.strip() and re.search(r"[\u4e00-\u9fff]", chinese.stderr), chinese.stderr
    for line in chinese.stderr.splitlines():
        assert english_words(line) == [], line
    typed = " ".join(args)
    examples = re.sub(r"（例如[^）]*）|（如 [^）]*）", "", chinese.stderr)  # how to write one: as typed
    durations = [d for d in re.findall(r"\b\d+ ?(?:m|h|d|wd|min)\b", examples) if d not in typed]
    assert durations == [], chinese.stderr  # said in words (10 分钟), as kesu.yaml's are
    assert all(said in chinese.stderr for said in REFUSALS_SAY.get(kind, [])), chinese.stderr
    assert "claimant-add" not in chinese.stderr  # a step people type as 'kesu claimant add'
    english = kesu(*args, cwd=root, env={"KESU_LANG": "en", "COLUMNS": "200"})
    assert english.returncode == 2, english.stderr
    data = r"[（(][^)）]*[\u4e00-\u9fff][^)）]*[)）]|看看|等待|已反馈|退款"  # typed by the test, or a standard's name
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(data, "", english.stderr)), english.stderr
    assert len(re.findall(r"(?<![\w.-])[a-z]{2,}(?![\w.-])", english.stderr)) >= 3, english.stderr  # prose


def test_validate_findings_speak_the_desk_language(chinese_desk):
    root, case_id = chinese_desk
    path = next(root.glob(f"cases/*/*/{case_id}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("channel: counter", "channel: hotlime"),
                    encoding="utf-8")
    chinese = zh("validate", cwd=root)
    assert chinese.returncode == 1 and "hotlime" in chinese.stdout, chinese.stdout
    assert english_words(chinese.stdout.replace(case_id, "")) == [], chinese.stdout
    english = kesu("validate", cwd=root, env={"KESU_LANG": "en"})
    assert "is not in kesu.yaml vocabularies.channels" in english.stdout


def test_audit_findings_speak_the_desk_language(chinese_desk):
    from conftest import git

    root, case_id = chinese_desk
    path = next(root.glob(f"cases/*/*/{case_id}.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + "# 手工改动\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "hand edit")
    chinese = zh("audit", cwd=root)
    assert chinese.returncode == 1 and "no-trailers" in chinese.stdout, chinese.stdout
    lines = [line for line in chinese.stdout.splitlines() if "no-trailers" in line]
    kept = r"\b[0-9a-f]{7,40}\b|\b(?:Case|Action|From|To|Actor|At)\b"  # commits, and git trailer keys
    assert lines and all(english_words(re.sub(kept, "", line)) == [] for line in lines), lines
    english = kesu("audit", cwd=root, env={"KESU_LANG": "en"})
    assert "without kesu's trailers" in english.stdout


def test_history_findings_speak_the_desk_language(chinese_desk):
    """A replaced object, found by the audit, in the desk's words."""
    from conftest import git

    root, _case = chinese_desk
    git(root, "replace", git(root, "rev-parse", "HEAD").strip(), git(root, "rev-parse", "HEAD~1").strip())
    chinese = zh("audit", cwd=root)
    lines = [line for line in chinese.stdout.splitlines() if " replaced" in line]
    assert any(" replaced" in line for line in lines), chinese.stdout
    kept = r"\b[0-9a-f]{7,40}\b|refs/\S+|git --no-replace-objects|HEAD|kesu"
    assert all(english_words(re.sub(kept, "", line.split(":", 1)[1])) == [] for line in lines), lines
    english = kesu("audit", cwd=root, env={"KESU_LANG": "en"})
    assert "replaces an object" in english.stdout


#: What click says that no kesu command leads to today (kesu has no boolean, date or file
#: types of click's), as its source words it.
CLICK_SAYS = ["No such command 'lst'. Did you mean 'list'?", "No such option: --lmit (Possible options: --limit)",
              "Missing parameter: PAIR", "Invalid value: 'x' is not a valid float.",
              "Invalid value for '--at': 'x' does not match the formats '%Y-%m-%d'.",
              "Invalid value for '--yes': 'maybe' is not a valid boolean. Recognized values: 0, 1",
              "Invalid value for 'PATH': File 'x.yaml' does not exist.", "Option '--pair' requires 2 arguments.",
              "Argument 'PAIR' takes 2 values.", "Invalid value for '--pair': 2 values are required, but 1 given.",
              "Got unexpected extra argument (b)", "Got unexpected extra arguments (b c)"]


@pytest.mark.parametrize("message", CLICK_SAYS)
def test_every_message_of_click_is_said_in_kesu_words(message):
    try:
        i18n.choose("zh-CN")
        chinese = i18n.click_message(message)
    finally:
        i18n.choose("en")
    english = i18n.click_message(message)
    assert english_words(chinese) == [] and re.search(r"[\u4e00-\u9fff]", chinese), chinese
    assert english != message and not re.search(r"[\u4e00-\u9fff]", english), english


# ---------------------------------------------------------------- what a desk owes others, in words
STAMP = r"KS-\d{8}-\w{6}|evidence/\S+|\b[0-9a-f]{7,40}\b|zhang\.san|li\.ming|wang\.fang|zhao\.lei"


def shown_codes(text: str) -> list[str]:
    """Codes kesu should have said by their labels: vocabulary codes, states, steps, timers
    (``retraining#1``) and durations as kesu.yaml writes them (``3wd``)."""
    cleaned = re.sub(STAMP + r"|--[\w-]+|kesu find", " ", text)
    words = re.findall(r"[A-Za-z_][\w#-]*", cleaned)
    return [w for w in words if w.split("#")[0] in set(LABELS) | KESU_WORDS] + re.findall(r"\b\d+(?:wd|h|m)\b", cleaned)


@pytest.fixture
def owed_desk(archive):
    """A zh-CN desk with a 12315 complaint owing a report-back, a referral and corrective actions,
    one claimant, one photo; and a withdrawn case."""
    def step(*args):
        result = kesu(*args, "--actor", "wang.fang", cwd=archive)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    case_id = step("new", "--channel", "platform_12315", "--customer", "群体", "--contact", "13911112222",
                   "--summary", "预付卡", "--facts", "f", "--demands", "d", "--emotion", "angry",
                   "--at", "2026-11-24T10:00")
    (archive / "p.jpg").write_bytes(b"x")
    for args in (["claimant", "add", case_id, "--customer", "刘先生", "--contact", "13900139000", "--amount", "400"],
                 ["attach", case_id, "p.jpg", "--kind", "photo", "--note", "照片"],
                 ["report-back", case_id, "--method", "platform", "--text", "已告知"],
                 ["refer", case_id, "--to", "police", "--text", "报警"],
                 ["corrective", case_id, "--kind", "retraining", "培训"],
                 ["corrective", case_id, "--kind", "voucher", "补券"]):
        step(*args, "--at", "2026-11-24T10:05")
    closed = step("new", "--channel", "counter", "--customer", "丙", "--contact", "13800000001", "--summary", "撤诉",
                  "--facts", "f", "--emotion", "calm", "--at", "2026-11-24T11:00")
    step("close", closed, "--reason", "withdrawn", "--at", "2026-11-24T11:10")
    return archive, case_id, closed


@pytest.mark.parametrize("args", [["show", "CASE"], ["show", "CLOSED"], ["overdue", "--now", "2026-12-10T12:00"],
                                  ["overdue", "--now", "2026-12-10T12:00", "--format", "github"]])
def test_what_a_desk_owes_others_is_said_in_its_words(owed_desk, args):
    root, case_id, closed = owed_desk
    result = zh(*[{"CASE": case_id, "CLOSED": closed}.get(a, a) for a in args], cwd=root)
    assert result.returncode in (0, 1), result.stderr
    out = re.sub(r"^::(?:error|warning) file=\S+?,line=1,title=", "", result.stdout, flags=re.M)  # workflow syntax
    assert shown_codes(out) == [], out
    assert english_words(re.sub(STAMP, " ", out)) == [], out
    assert not re.search(r"\d{4}-\d\d-\d\dT\d", out), out  # one time format: the tables'
    if args[-1] == "CASE":
        assert all(word in out for word in ("照片", "12315 平台", "公安机关", "员工培训", "3 个工作日", "员工培训#1")), out
    if args[-1] == "github":
        assert result.stdout.startswith("::error file=cases/2026/11/") and ",line=1,title=" in result.stdout


def test_a_customer_seen_before_is_noted_in_the_desk_language(owed_desk):
    root, case_id, _closed = owed_desk
    args = ["new", "--channel", "counter", "--customer", "刘", "--contact", "13911112222", "--summary", "又来了",
            "--facts", "f", "--emotion", "calm", "--actor", "zhang.san"]
    chinese = zh(*args, cwd=root)
    assert chinese.returncode == 0 and case_id in chinese.stderr, chinese.stderr
    assert english_words(re.sub(STAMP, " ", chinese.stderr)) == [] and shown_codes(chinese.stderr) == [], chinese.stderr
    english = kesu(*args, cwd=root, env={"KESU_LANG": "en"})
    assert "1 earlier complaint" not in english.stderr and "2 earlier complaints" in english.stderr, english.stderr
    assert not re.search(r"[\u4e00-\u9fff]", english.stderr), english.stderr


def test_an_imported_step_says_its_states_in_words(chinese_desk):
    root, _case = chinese_desk
    out = zh("history", "KS-20261110-SETA6Z", cwd=root).stdout
    assert "导入" in out and "- -> -" not in out and "import" not in out, out


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"], ["report", "kpi", "--month", "2026-11"],
                                  ["report", "kpi", "--month", "2026-11", "--format", "markdown"],
                                  ["report", "kpi", "--month", "2026-11", "--format", "json"]])
def test_english_carries_no_chinese_glosses(chinese_desk, args):
    """The Chinese names of steps and KPI items belong in the zh-CN catalog, not in the English."""
    root, _case = chinese_desk
    result = kesu(*args, cwd=root, env={"KESU_LANG": "en", "COLUMNS": "200"})
    assert result.returncode in (0, 1), result.stderr
    out = result.stdout.replace("示例零售有限公司", "")  # the desk's name is data
    assert not re.search(r"[(（][\u4e00-\u9fff]+[)）]", out), out
    if args[0] == "report":
        assert not re.search(r"[\u4e00-\u9fff]", out), out


def test_a_plan_letter_names_compensation_by_the_desk_labels(sample_archive):
    from kesu.archive import Archive
    from kesu.render import Renderer

    (sample_archive / "kesu.yaml").write_text((sample_archive / "kesu.yaml").read_text(encoding="utf-8")
                                              + "labels:\n  zh-CN: {refund: 原路退款}\n", encoding="utf-8")
    words = Renderer(Archive(sample_archive)).env.filters["compensation"]
    assert (words("refund"), words("cash"), words("voucher")) == ("原路退款", "现金补偿", "购物券")
    english = Renderer(Archive(sample_archive), "en").env.filters["compensation"]
    assert (english("refund"), english("cash")) == ("refund", "cash compensation")


def test_an_extension_refused_says_its_durations_in_words(chinese_desk):
    root, case_id = chinese_desk
    args = REFUSALS["extension beyond its cap"]
    chinese = zh(*[case_id if a == "CASE" else a for a in args], cwd=root)
    assert chinese.returncode == 2 and "营业时间" in chinese.stderr, chinese.stderr
    assert not re.search(r"\b\d+ ?(?:m|h|d|wd|min|business)\b", chinese.stderr.replace("--by 2h", "")), chinese.stderr


@pytest.mark.parametrize("first,then", [("en", "zh-CN"), ("zh-CN", "en")])
@pytest.mark.parametrize("damage", ["state: lost", "conflict"])
def test_a_file_left_out_is_named_in_the_language_of_each_command(chinese_desk, first, then, damage):
    """Why a file is left out was kept in the words of whichever command read it first."""
    root, case_id = chinese_desk
    path = next(root.glob(f"cases/*/*/{case_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    if damage == "conflict":
        path.write_text(text + "<<<<<<< ours\nx: 1\n=======\nx: 2\n>>>>>>> theirs\n", encoding="utf-8")
    else:
        path.write_text(re.sub(r"(?m)^state: \w+", damage, text), encoding="utf-8")
    for command in (["list"], ["overdue"], ["validate"]):
        kesu(*command, cwd=root, env={"KESU_LANG": first})
        said = kesu(*command, cwd=root, env={"KESU_LANG": then, "COLUMNS": "200"})
        line = next(line for line in (said.stderr + said.stdout).splitlines() if case_id in line)
        if then == "zh-CN":
            assert english_words(line.replace(case_id, "")) == [], line
        else:
            assert not re.search(r"[\u4e00-\u9fff]", line), line
