"""kesu init, kesu new, finding the archive, kesu show and kesu list, end to end."""

from __future__ import annotations

import csv
import io
import json

import pytest
from wcwidth import wcswidth, wcwidth

from conftest import SAMPLE_CASES, STRAWBERRY, commit_count, git, kesu, new_case, snapshot
from e2e_support import (ID_RE, assert_ok, assert_refused, at, case_in, case_path, case_rel,
                         isolated, make_archive, parse_yaml, read_case, step, subject,
                         touched, trailers)

ROSTER = ("li.ming", "wang.fang", "zhang.san", "zhao.lei")
CHANNELS = ("counter", "hotline", "app", "email", "letter", "social", "consumer_association",
            "platform_12315", "other")
EMOTIONS = ("calm", "anxious", "angry", "very_angry")


# ====================================================================== init
def test_init_creates_repository_policy_and_one_commit(tmp_path):
    root = tmp_path / "complaints"
    out = assert_ok(kesu("init", str(root)))
    assert str(root) in out
    assert (root / ".git").is_dir()
    policy = (root / "kesu.yaml").read_text(encoding="utf-8")
    for name in ROSTER:
        assert name in policy
    assert "#" in policy, "kesu.yaml should be commented"
    assert commit_count(root) == 1
    assert touched(root) == [".gitattributes", "kesu.yaml"]
    assert "cases/**/*.yaml merge=kesu" in (root / ".gitattributes").read_text(encoding="utf-8")
    assert git(root, "status", "--porcelain") == ""


def test_second_init_is_refused_and_changes_nothing(archive):
    before = snapshot(archive)
    result = kesu("init", str(archive))
    assert_refused(result, "already a kesu archive")
    assert snapshot(archive) == before
    assert commit_count(archive) == 1


def test_init_inside_an_existing_repository_keeps_its_history(tmp_path):
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.txt").write_text("门店资料\n", encoding="utf-8")
    git(root, "add", "README.txt")
    git(root, "commit", "-q", "-m", "Store papers")
    first = git(root, "rev-parse", "HEAD").strip()

    assert_ok(kesu("init", cwd=root))
    assert (root / "kesu.yaml").is_file()
    assert commit_count(root) == 2
    assert git(root, "rev-parse", "HEAD~1").strip() == first
    assert touched(root) == [".gitattributes", "kesu.yaml"]
    assert (root / "README.txt").read_text(encoding="utf-8") == "门店资料\n"
    # and the archive works
    case_id = new_case(root)
    assert case_path(root, case_id).is_file()


# ====================================================================== new
@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One archive shared by the intake tests; each counts commits relative to its start."""
    with isolated(tmp_path_factory):
        return make_archive(tmp_path_factory, "intake")


def test_new_prints_an_id_and_commits_exactly_the_case_file(desk):
    count = commit_count(desk)
    result = kesu("new", *STRAWBERRY, "--staff", "S1024", "--order", "R-778899",
                  "--at", "2026-11-23T16:10", "--actor", "zhang.san", cwd=desk)
    case_id = assert_ok(result).strip()
    match = ID_RE.match(case_id)
    assert match, case_id
    assert match.group(1) == "20261123"
    assert result.stderr == ""

    rel = f"cases/2026/11/{case_id}.yaml"
    assert (desk / rel).is_file()
    assert commit_count(desk) == count + 1
    assert touched(desk) == [rel]
    assert git(desk, "status", "--porcelain") == ""
    assert subject(desk) == f"{case_id}: intake (-> received)"
    assert trailers(desk) == {"Case": case_id, "Action": "intake", "To": "received",
                              "Actor": "zhang.san", "At": "2026-11-23T16:10:00+08:00"}
    assert read_case(desk, case_id)["complaint"]["subjects"] == [
        {"kind": "product", "ref": "6901234567890", "name": "草莓 500g"},
        {"kind": "staff", "ref": "S1024"}, {"kind": "order", "ref": "R-778899"}]


def test_new_writes_readable_chinese_and_keeps_facts_apart_from_demands(desk):
    case_id = new_case(desk, "--staff", "S1024", "--store", "旗舰店")
    text = case_path(desk, case_id).read_text(encoding="utf-8")
    assert "王女士" in text and "草莓霉变" in text
    assert "\\u" not in text and "\\x" not in text
    assert "received_at: 2026-11-23T16:10:00+08:00\n" in text  # unquoted, with offset
    case = parse_yaml(text)
    assert case["id"] == case_id
    assert case["schema_version"] == 1
    assert case["state"] == "received"
    assert case["received_at"] == "2026-11-23T16:10:00+08:00"
    assert case["channel"] == "counter"
    assert case["store"] == "旗舰店"
    assert case["customer"] == {"name": "王女士", "contact": "13800138000"}  # a string, not a number
    complaint = case["complaint"]
    assert complaint["summary"] == "草莓霉变"
    assert complaint["facts"] == "生鲜区称重台购买的草莓约三分之一霉变"
    assert complaint["demands"] == "全额退款并补偿同价值商品"
    assert complaint["emotion"] == "anxious"
    assert complaint["location"] == "生鲜区称重台"
    assert complaint["occurred_at"] == "2026-11-23T15:15:00+08:00"
    assert complaint["subjects"] == [
        {"kind": "product", "ref": "6901234567890", "name": "草莓 500g"},
        {"kind": "staff", "ref": "S1024"},
    ]
    assert case["timeline"] == [{"at": "2026-11-23T16:10:00+08:00", "action": "intake",
                                 "to": "received", "by": "zhang.san"}]


INTAKE_FILE = {
    "channel": "hotline",
    "customer": {"name": "陈先生", "contact": "13912345678"},
    "complaint": {"summary": "会员积分未到账", "facts": "上周消费 300 元，积分未入账",
                  "demands": "补记积分", "emotion": "calm"},
}


def _intake_yaml() -> str:
    return ("channel: hotline\n"
            "customer:\n  name: 陈先生\n  contact: '13912345678'\n"
            "complaint:\n  summary: 会员积分未到账\n  facts: 上周消费 300 元，积分未入账\n"
            "  demands: 补记积分\n  emotion: calm\n")


@pytest.mark.parametrize("kind", ["yaml", "json", "stdin"])
def test_new_from_file(desk, tmp_path, kind):
    if kind == "json":
        source = tmp_path / "intake.json"
        source.write_text(json.dumps(INTAKE_FILE, ensure_ascii=False), encoding="utf-8")
        args, stdin = [str(source)], None
    elif kind == "yaml":
        source = tmp_path / "intake.yaml"
        source.write_text(_intake_yaml(), encoding="utf-8")
        args, stdin = [str(source)], None
    else:
        args, stdin = ["-"], _intake_yaml()
    result = kesu("new", "--from-file", *args, "--at", "2026-11-24T09:30", "--actor", "zhang.san",
                  cwd=desk, input=stdin)
    case_id = assert_ok(result).strip()
    assert ID_RE.match(case_id).group(1) == "20261124"
    case = read_case(desk, case_id)
    assert case["channel"] == "hotline"
    assert case["customer"] == {"name": "陈先生", "contact": "13912345678"}
    for key, value in INTAKE_FILE["complaint"].items():
        assert case["complaint"][key] == value
    assert touched(desk) == [case_rel(case_id)]


def test_new_flags_override_the_file(desk, tmp_path):
    source = tmp_path / "intake.yaml"
    source.write_text(_intake_yaml(), encoding="utf-8")
    result = kesu("new", "--from-file", str(source), "--channel", "app", "--customer", "陈女士",
                  "--product", "6900000000001=积分卡", "--at", "2026-11-24T09:30",
                  "--actor", "zhang.san", cwd=desk)
    case = read_case(desk, assert_ok(result).strip())
    assert case["channel"] == "app"
    assert case["customer"] == {"name": "陈女士", "contact": "13912345678"}
    assert case["complaint"]["facts"] == "上周消费 300 元，积分未入账"
    assert case["complaint"]["subjects"] == [{"kind": "product", "ref": "6900000000001", "name": "积分卡"}]


def test_new_from_a_missing_file_is_refused(desk, tmp_path):
    before = snapshot(desk)
    result = kesu("new", "--from-file", str(tmp_path / "nope.yaml"), cwd=desk, input="")
    assert_refused(result, "nope.yaml")
    assert snapshot(desk) == before


def test_new_from_a_file_that_is_not_a_mapping_is_refused(desk, tmp_path):
    before = snapshot(desk)
    result = kesu("new", "--from-file", "-", "--actor", "zhang.san", cwd=desk,
                  input="- just\n- a list\n")
    assert_refused(result, "<stdin>:1:", "mapping")
    assert snapshot(desk) == before


def test_new_without_required_fields_names_every_missing_flag(desk):
    before = snapshot(desk)
    result = kesu("new", "--channel", "counter", "--demands", "退款", "--actor", "zhang.san",
                  cwd=desk, input="")  # stdin is not a terminal: no prompts
    line = assert_refused(result, "missing")
    for flag in ("--customer", "--contact", "--summary", "--facts", "--emotion"):
        assert flag in line
    for flag in ("--channel", "--demands", "--location", "--store"):
        assert flag not in line
    assert snapshot(desk) == before


def test_new_on_a_terminal_asks_for_each_missing_field(archive):
    """At the counter: stdin is a terminal, so kesu asks instead of refusing."""
    import os
    import pty
    import select
    import subprocess

    from conftest import KESU

    # Prompts go to stderr, so stdout holds only the new ID; optional questions take Enter.
    answers = {"Customer's name": "王女士", "Customer's phone": "13800138000",
               "Member": "", "Summary": "草莓霉变", "Facts": "昨天购买的草莓今天发现霉变",
               "Demands": "", "mood": "anxious", "Where": "", "When": "", "Store": "", "Product": ""}
    count = commit_count(archive)
    master, slave = pty.openpty()
    proc = subprocess.Popen([KESU, "new", "--channel", "counter", "--actor", "zhang.san"],
                            cwd=archive, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    os.close(slave)
    asked, pending = [], b""
    try:
        while len(asked) < len(answers):
            ready, _, _ = select.select([proc.stderr], [], [], 30)
            assert ready, f"no prompt after {asked}"
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, f"kesu stopped asking after {asked}"
            pending += chunk
            text = pending.decode("utf-8", "replace")
            if text.rstrip().endswith(":") and not text.rstrip().endswith("name):"):
                question = next(q for q in answers if q in text.splitlines()[-1])
                asked.append(question)
                os.write(master, answers[question].encode("utf-8") + b"\n")
                pending = b""
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0, err.decode()
    assert sorted(asked) == sorted(answers)
    case_id = out.decode().strip().splitlines()[-1]
    assert ID_RE.fullmatch(case_id)
    case = json.loads(assert_ok(kesu("show", case_id, "--format", "json", cwd=archive)))
    assert case["customer"]["name"] == "王女士" and case["customer"]["contact"] == "13800138000"
    assert case["complaint"]["summary"] == "草莓霉变" and case["complaint"]["emotion"] == "anxious"
    assert commit_count(archive) == count + 1


@pytest.mark.parametrize("flag,value,allowed", [
    ("--channel", "fax", CHANNELS),
    ("--emotion", "furious", EMOTIONS),
])
def test_new_with_an_unknown_vocabulary_value_lists_the_allowed_ones(desk, flag, value, allowed):
    before = snapshot(desk)
    args = list(STRAWBERRY)
    args[args.index(flag) + 1] = value
    result = kesu("new", *args, "--actor", "zhang.san", cwd=desk, input="")
    line = assert_refused(result, flag, value)
    for word in allowed:
        assert word in line
    assert snapshot(desk) == before


@pytest.mark.parametrize("flag,value", [("--at", "23/11/2026 16:10"), ("--at", "yesterday"),
                                        ("--occurred-at", "2026-13-45T99:00")])
def test_new_with_a_bad_time_is_refused(desk, flag, value):
    before = snapshot(desk)
    args = [a for a in STRAWBERRY]
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    result = kesu("new", *args, "--actor", "zhang.san", cwd=desk, input="")
    assert_refused(result, flag, value)
    assert snapshot(desk) == before


def test_new_by_an_actor_outside_the_roster_names_the_roster(desk):
    before = snapshot(desk)
    result = kesu("new", *STRAWBERRY, "--at", "2026-11-23T16:10", "--actor", "xiao.wang",
                  cwd=desk, input="")
    line = assert_refused(result, "xiao.wang", "roster")
    for name in ROSTER:
        assert name in line
    assert snapshot(desk) == before


def test_the_actor_comes_from_kesu_actor_then_git_user_name(desk):
    case_id = assert_ok(kesu("new", *STRAWBERRY, "--at", "2026-11-23T16:10", cwd=desk,
                             env={"KESU_ACTOR": "wang.fang"})).strip()
    assert trailers(desk)["Actor"] == "wang.fang"
    assert read_case(desk, case_id)["timeline"][0]["by"] == "wang.fang"
    # without KESU_ACTOR git's user.name ("Desk Tester") is used, and it is not in the roster
    before = snapshot(desk)
    result = kesu("new", *STRAWBERRY, "--at", "2026-11-23T16:10", cwd=desk, input="",
                  env={"KESU_ACTOR": ""})
    assert_refused(result, "Desk Tester", "roster")
    assert snapshot(desk) == before


# ====================================================================== finding the archive
def _new_elsewhere(cwd, *options, env=None):
    return kesu(*options, "new", *STRAWBERRY, "--at", "2026-11-23T16:10", "--actor", "zhang.san",
                cwd=cwd, env=env, input="")


def test_archive_from_the_global_option(desk, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case_id = assert_ok(_new_elsewhere(elsewhere, "--archive", str(desk))).strip()
    assert case_path(desk, case_id).is_file()


def test_archive_from_the_command_option(desk, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = kesu("new", *STRAWBERRY, "--at", "2026-11-23T16:10", "--actor", "zhang.san",
                  "--archive", str(desk), cwd=elsewhere, input="")
    assert case_path(desk, assert_ok(result).strip()).is_file()
    result = kesu("show", result.stdout.strip(), "--format", "json", "--archive", str(desk),
                  cwd=elsewhere)
    assert json.loads(assert_ok(result))["customer"]["name"] == "王女士"


def test_archive_from_kesu_archive(desk, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case_id = assert_ok(_new_elsewhere(elsewhere, env={"KESU_ARCHIVE": str(desk)})).strip()
    assert case_path(desk, case_id).is_file()


def test_the_archive_option_wins_over_kesu_archive(desk, tmp_path):
    other = tmp_path / "other"
    assert_ok(kesu("init", str(other)))
    case_id = assert_ok(_new_elsewhere(tmp_path, "--archive", str(desk),
                                       env={"KESU_ARCHIVE": str(other)})).strip()
    assert case_path(desk, case_id).is_file()
    assert not (other / "cases").exists()


def test_archive_found_by_walking_up_from_a_subfolder(desk):
    deep = desk / "notes" / "2026" / "november"
    deep.mkdir(parents=True)
    case_id = assert_ok(_new_elsewhere(deep)).strip()
    assert case_path(desk, case_id).is_file()
    assert not (deep / "cases").exists()


def test_no_archive_anywhere_tells_how_to_make_one(tmp_path):
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    assert_refused(_new_elsewhere(nowhere), "kesu init")
    assert list(nowhere.iterdir()) == []


def test_kesu_archive_pointing_at_a_plain_folder_is_refused(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert_refused(_new_elsewhere(tmp_path, env={"KESU_ARCHIVE": str(plain)}), "kesu init")
    assert list(plain.iterdir()) == []


# ====================================================================== an archive to read
@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """Six cases in different states, owners, categories; the list tests only read them.

    One owner has a Chinese roster name, so a middle column of the table holds
    wide characters too.
    """
    with isolated(tmp_path_factory):
        root = make_archive(tmp_path_factory, "list")
        policy = root / "kesu.yaml"
        text = policy.read_text(encoding="utf-8")
        policy.write_text(text.replace("roster:\n", "roster:\n  陈经理: {name: 陈经理, role: operations, "
                                       "approval_limit: 10000}\n", 1), encoding="utf-8")
        git(root, "commit", "-q", "-am", "Add 陈经理 to the roster")
        cases = {"received": new_case(root, at="2026-11-23T16:10")}
        acked = assert_ok(kesu("new", "--channel", "hotline", "--customer", "李先生", "--contact",
                               "13700000000", "--summary", "收银员态度恶劣，多收钱",
                               "--facts", "结账时多收 12 元，收银员拒绝核对", "--emotion", "angry",
                               "--at", "2026-11-23T16:12", "--actor", "zhang.san", cwd=root)).strip()
        assert_ok(step(root, "ack", acked, actor="zhang.san", when="16:13"))
        cases["acked"] = acked
        cases["product"] = case_in(root, "dispatched")
        for name, summary, category, owner, hhmm in (
                ("service", "rude staff", "service", "wang.fang", "15:00"),
                ("chinese_owner", "地面湿滑摔倒", "environment", "陈经理", "14:00")):
            case_id = assert_ok(kesu("new", "--channel", "app", "--customer", "Mr Smith", "--contact",
                                     "smith@example.com", "--summary", summary, "--facts", "事实",
                                     "--emotion", "very_angry", "--at", at(hhmm),
                                     "--actor", "zhang.san", cwd=root)).strip()
            assert_ok(step(root, "ack", case_id, actor="zhang.san", when=hhmm[:3] + "05"))
            assert_ok(step(root, "dispatch", case_id, "--category", category, "--severity", "major",
                           "--risk", "medium", "--owner", owner, actor="li.ming",
                           when=hhmm[:3] + "10"))
            cases[name] = case_id
        closed = new_case(root, at="2026-11-22T11:00")
        assert_ok(kesu("close", closed, "--reason", "withdrawn", "--actor", "zhang.san",
                       "--at", "2026-11-22T11:30", cwd=root))
        cases["closed"] = closed
    return root, cases


# ====================================================================== show
@pytest.fixture(scope="module")
def shown(listed):
    """The dispatched strawberry case of the list archive, read by the show tests."""
    root, cases = listed
    return root, cases["product"]


def test_show_yaml_prints_the_file_as_it_is(shown):
    root, case_id = shown
    result = kesu("show", case_id, "--format", "yaml", cwd=root)
    assert assert_ok(result) == case_path(root, case_id).read_text(encoding="utf-8")


def test_show_json(shown):
    root, case_id = shown
    out = assert_ok(kesu("show", case_id, "--format", "json", cwd=root))
    assert "王女士" in out  # not \u escaped
    data = json.loads(out)
    assert data == read_case(root, case_id)
    assert data["state"] == "dispatched"
    assert data["assignment"]["owner"] == "li.ming"


def test_show_text(shown):
    root, case_id = shown
    out = assert_ok(kesu("show", case_id, cwd=root))
    lines = out.splitlines()
    assert lines[0] == f"{case_id}  [dispatched]  草莓霉变"
    for text in ("王女士", "13800138000", "生鲜区称重台购买的草莓约三分之一霉变",
                 "全额退款并补偿同价值商品", "6901234567890 草莓 500g", "li.ming"):
        assert text in out
    timeline = [line for line in lines if line.startswith("  2026-11-23 ")]
    assert [line.split()[2] for line in timeline] == ["intake", "ack", "dispatch"]
    assert "acknowledged -> dispatched" in timeline[-1]
    assert timeline[-1].split()[:2] == ["2026-11-23", "16:20"]  # one time format in every table


def test_show_an_unknown_case(shown):
    root, _ = shown
    before = snapshot(root)
    assert_refused(kesu("show", "KS-20261123-ZZZZZZ", cwd=root), "unknown case KS-20261123-ZZZZZZ")
    assert snapshot(root) == before


@pytest.mark.parametrize("bad", ["../../etc/passwd", "KS-2026-XYZ", "../../../kesu",
                                 "KS-20261123-7F3KQ2/../../../../kesu", "KS-20261123-ILOU00",
                                 "ks-20261123-7f3kq2/../x", "7F3", ""])
def test_show_a_malformed_id_is_refused_before_any_path(shown, bad):
    root, _ = shown
    before = snapshot(root)
    result = kesu("show", bad, "--format", "yaml", cwd=root)
    assert_refused(result, "not a case ID")
    assert result.stdout == ""  # in particular, not kesu.yaml or /etc/passwd
    assert snapshot(root) == before


def test_show_an_impossible_date(shown):
    root, _ = shown
    before = snapshot(root)
    assert_refused(kesu("show", "KS-20261340-7F3KQ2", cwd=root), "impossible date")
    assert snapshot(root) == before


def test_a_malformed_id_is_refused_by_a_step_too(shown):
    root, _ = shown
    before = snapshot(root)
    assert_refused(kesu("ack", "../../etc/passwd", "--actor", "zhang.san", cwd=root), "not a case ID")
    assert snapshot(root) == before


# ====================================================================== list
def _ids(result) -> list[str]:
    return [row["id"] for row in json.loads(assert_ok(result))]


@pytest.mark.parametrize("filters,expected", [
    ([], ["received", "acked", "product", "service", "chinese_owner", "closed"]),
    (["--state", "received"], ["received"]),
    (["--state", "received", "--state", "acknowledged"], ["received", "acked"]),
    (["--owner", "wang.fang"], ["service"]),
    (["--owner", "li.ming"], ["product"]),
    (["--category", "product"], ["product"]),
    (["--category", "delivery"], []),
    (["--owner", "陈经理"], ["chinese_owner"]),
    (["--category", "environment", "--open"], ["chinese_owner"]),
    (["--open"], ["received", "acked", "product", "service", "chinese_owner"]),
    (["--state", "closed"], ["closed"]),
    (["--open", "--state", "closed"], []),
])
def test_list_filters(listed, filters, expected):
    root, cases = listed
    got = _ids(kesu("list", *filters, "--format", "json", cwd=root))
    assert sorted(got) == sorted(cases[name] for name in expected)


@pytest.mark.parametrize("filters,named", [
    (["--state", "bogus"], "--state 'bogus' is not a state"),
    (["--state", "received", "--state", "recieved"], "--state 'recieved' is not a state"),
    (["--owner", "nobody"], "'nobody' is not in the roster"),
    (["--category", "nosuch"], "--category 'nosuch' is not one of: product"),
])
def test_list_refuses_a_filter_nothing_could_match(listed, filters, named):
    """A typo in a filter is said, not answered with an empty list (exit 2, nothing printed)."""
    root, _cases = listed
    result = kesu("list", *filters, cwd=root)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert named in result.stderr


def test_list_takes_a_state_by_its_label_in_the_desk_language(listed):
    root, cases = listed
    by_label = kesu("list", "--state", "已确认", "--format", "json", cwd=root, env={"KESU_LANG": "zh-CN"})
    assert _ids(by_label) == [cases["acked"]]


def test_list_json_is_newest_first_with_stable_keys(listed):
    root, cases = listed
    rows = json.loads(assert_ok(kesu("list", "--format", "json", cwd=root)))
    assert [row["received"] for row in rows] == sorted((row["received"] for row in rows), reverse=True)
    keys = ["id", "state", "received", "channel", "category", "severity", "owner", "light", "due",
            "summary"]
    assert all(list(row) == keys for row in rows)
    service = next(row for row in rows if row["id"] == cases["service"])
    assert service["state"] == "dispatched"
    assert service["received"] == "2026-11-23 15:00"
    assert service["channel"] == "app"
    assert service["category"] == "service"
    assert service["severity"] == "major"
    assert service["owner"] == "wang.fang"
    assert service["summary"] == "rude staff"
    closed = next(row for row in rows if row["id"] == cases["closed"])
    assert closed["light"] is None and closed["due"] is None


def test_list_csv(listed):
    root, _ = listed
    rows = json.loads(assert_ok(kesu("list", "--format", "json", cwd=root)))
    out = assert_ok(kesu("list", "--format", "csv", cwd=root))
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == list(rows[0])
    assert table[1:] == [["" if v is None else str(v) for v in row.values()] for row in rows]
    assert "收银员态度恶劣，多收钱" in out


def _column_starts(rule: str) -> list[int]:
    return [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]


def _cells(line: str, starts: list[int]) -> list[str]:
    """Cut ``line`` at display columns ``starts``; a cut inside a wide character fails."""
    offsets, width = {}, 0
    for index, ch in enumerate(line):
        offsets[width] = index
        width += max(wcwidth(ch), 0)
    offsets[width] = len(line)
    cells = []
    for k, start in enumerate(starts):
        if start >= width:
            cells.append("")
            continue
        assert start in offsets, f"column {k} does not start on a character in {line!r}"
        assert start == 0 or line[offsets[start] - 1] == " ", f"column {k} is not aligned in {line!r}"
        end = starts[k + 1] if k + 1 < len(starts) else None
        if end is not None and end < width:
            assert end in offsets, f"column {k + 1} does not start on a character in {line!r}"
            cells.append(line[offsets[start]:offsets[end]].strip())
        else:
            cells.append(line[offsets[start]:].strip())
    return cells


def assert_table_matches(table: str, rows: list[dict]) -> None:
    lines = table.rstrip("\n").split("\n")
    header, rule, body = lines[0], lines[1], lines[2:]
    assert set(rule) <= {"-", " "}
    starts = _column_starts(rule)
    assert len(starts) == len(rows[0])
    assert _cells(header, starts) == list(rows[0])
    assert len(body) == len(rows)
    for line, row in zip(body, rows):
        assert wcswidth(line.rstrip()) <= wcswidth(rule.rstrip())
        assert _cells(line, starts) == ["" if v is None else str(v) for v in row.values()]
    # the last column is exactly as wide as its widest entry, measured in display cells
    widest = max(wcswidth(v) for v in [list(rows[0])[-1]] +
                 ["" if row[list(row)[-1]] is None else str(row[list(row)[-1]]) for row in rows])
    assert len(rule.rstrip().split(" ")[-1]) == widest


def test_list_table_lines_up_chinese(listed):
    root, _ = listed
    rows = json.loads(assert_ok(kesu("list", "--format", "json", cwd=root)))
    table = assert_ok(kesu("list", cwd=root))
    assert "收银员态度恶劣，多收钱" in table
    assert_table_matches(table, rows)


def test_list_table_lines_up_a_chinese_owner_column(listed):
    root, cases = listed
    rows = json.loads(assert_ok(kesu("list", "--open", "--format", "json", cwd=root)))
    assert any(row["owner"] == "陈经理" for row in rows)
    table = assert_ok(kesu("list", "--open", cwd=root))
    assert_table_matches(table, rows)


def test_list_an_empty_archive(archive):
    assert json.loads(assert_ok(kesu("list", "--format", "json", cwd=archive))) == []
    assert assert_ok(kesu("list", "--format", "csv", cwd=archive)).splitlines() == [
        "id,state,received,channel,category,severity,owner,light,due,summary"]


def test_list_an_unknown_format_is_refused(listed):
    root, _ = listed
    before = snapshot(root)
    assert_refused(kesu("list", "--format", "xml", cwd=root), "xml")
    assert snapshot(root) == before


# ====================================================================== the sample archive
SAMPLES = sorted(SAMPLE_CASES.glob("*/*/*.yaml"))
needs_samples = pytest.mark.skipif(not SAMPLES, reason="the sample cases are not written yet")


@needs_samples
def test_sample_archive_lists_every_sample(sample_archive):
    rows = json.loads(assert_ok(kesu("list", "--format", "json", cwd=sample_archive)))
    expected = {parse_yaml(p.read_text(encoding="utf-8"))["id"] for p in SAMPLES}
    assert {row["id"] for row in rows} == expected


@needs_samples
def test_sample_archive_filters_agree_with_the_files(sample_archive):
    cases = [parse_yaml(p.read_text(encoding="utf-8")) for p in SAMPLES]

    def ids(*filters):
        return sorted(_ids(kesu("list", *filters, "--format", "json", cwd=sample_archive)))

    assert ids("--open") == sorted(c["id"] for c in cases if c["state"] != "closed")
    for state in sorted({c["state"] for c in cases}):
        assert ids("--state", state) == sorted(c["id"] for c in cases if c["state"] == state)
    owners = sorted({(c.get("assignment") or {}).get("owner") for c in cases} - {None})
    for owner in owners[:2]:
        assert ids("--owner", owner) == sorted(
            c["id"] for c in cases if (c.get("assignment") or {}).get("owner") == owner)
    categories = sorted({(c.get("classification") or {}).get("category") for c in cases} - {None})
    for category in categories[:2]:
        assert ids("--category", category) == sorted(
            c["id"] for c in cases if (c.get("classification") or {}).get("category") == category)


@needs_samples
def test_sample_archive_table_and_csv(sample_archive):
    rows = json.loads(assert_ok(kesu("list", "--format", "json", cwd=sample_archive)))
    assert_table_matches(assert_ok(kesu("list", cwd=sample_archive)), rows)
    out = assert_ok(kesu("list", "--format", "csv", cwd=sample_archive))
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["" if v is None else str(v) for v in row.values()] for row in rows]


@needs_samples
def test_sample_archive_validates_and_shows(sample_archive):
    result = kesu("validate", cwd=sample_archive)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    first = parse_yaml(SAMPLES[0].read_text(encoding="utf-8"))
    out = assert_ok(kesu("show", first["id"], "--format", "json", cwd=sample_archive))
    assert json.loads(out) == first
