"""Whatever a case file, kesu.yaml or a template holds, kesu ends with a finding
or a usage error (exit 1 or 2), never a crash (exit 3); whole-archive commands
name a file they cannot use and go on with the rest."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import git, kesu, snapshot
from e2e_support import assert_refused, case_in, make_archive

SAMPLE = "KS-20261118-GNBB6D"  # executing, with a plan
SAMPLE_REL = f"cases/2026/11/{SAMPLE}.yaml"
#: path:line: message, the one form of an error about a file
FILE_ERROR = re.compile(r"^(kesu\.yaml|cases/[\w/.-]+\.yaml):\d+: \S")
READ_COMMANDS = [
    ["validate"], ["list"], ["list", "--format", "json"], ["overdue", "--fail-on", "never"],
    ["show", SAMPLE], ["reply", SAMPLE, "plan"], ["report", "monthly", "--month", "2026-11"],
    ["report", "kpi", "--month", "2026-11"],
]


def _no_crash(result: subprocess.CompletedProcess) -> None:
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr, result.stderr


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, rel)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def desk(sample_archive):
    return sample_archive


# ------------------------------------------------------------- case files
BROKEN_CASES = {
    "timeline is a number": ("timeline:\n", "timeline: 5\nold_timeline:\n", "timeline: 5 is not of type 'array'"),
    "an action is a list": ("action: intake", "action: [intake]", "timeline/0/action: ['intake']"),
    "received in year 1": ("received_at: 2026-11-18T", "received_at: 0001-01-01T00:00:00+14:00\nx_received_at: 2026-11-18T",
                           "received_at 0001-01-01T00:00:00+14:00 is outside the years 2000 to 2100"),
    "category is a list": ("category: delivery", "category: [x]", "classification/category: ['x'] is not of type 'string'"),
    "compensation is a number": ("compensation:", "compensation: 1.5\n  old_compensation:",
                                 "plan/compensation: 1.5 is not of type 'array'"),
    "a 400-digit total": ("total: ", "total: " + "9" * 400 + "\n  old_total: ",
                          "not a money amount kesu can hold"),
}


@pytest.mark.parametrize("old, new, finding", BROKEN_CASES.values(), ids=list(BROKEN_CASES))
def test_a_case_of_the_wrong_shape_is_a_finding_for_every_read_command(desk, old, new, finding):
    _replace(desk, SAMPLE_REL, old, new)
    result = kesu("validate", cwd=desk)
    assert result.returncode == 1, result.stderr
    assert any(line.startswith(f"{SAMPLE_REL}:") and finding in line for line in result.stdout.splitlines()), \
        result.stdout
    for args in READ_COMMANDS:
        result = kesu(*args, cwd=desk)
        _no_crash(result)
        errors = [line for line in result.stderr.splitlines() if SAMPLE_REL in line]
        assert all(FILE_ERROR.match(line) for line in errors), (args, result.stderr)


def test_reply_refuses_a_broken_case_with_its_first_problem(desk):
    _replace(desk, SAMPLE_REL, "category: delivery", "category: [x]")
    line = assert_refused(kesu("reply", SAMPLE, "plan", cwd=desk), f"{SAMPLE_REL}:22: ",
                          "classification/category", f"kesu edit {SAMPLE}")
    assert FILE_ERROR.match(line), line


def test_show_refuses_a_case_it_cannot_show_with_its_first_problem(desk):
    _replace(desk, SAMPLE_REL, "timeline:\n", "timeline: 5\nold_timeline:\n")
    line = assert_refused(kesu("show", SAMPLE, cwd=desk), f"{SAMPLE_REL}:", "timeline: 5 is not of type",
                          f"kesu edit {SAMPLE}")
    assert FILE_ERROR.match(line), line
    assert kesu("show", SAMPLE, "--format", "yaml", cwd=desk).returncode == 0  # the file as it is


@pytest.mark.parametrize("command", [["list"], ["overdue", "--fail-on", "never"],
                                     ["report", "monthly", "--month", "2026-11", "--format", "json"],
                                     ["report", "kpi", "--month", "2026-11"], ["library", "build"]])
def test_one_bad_file_is_named_and_left_out_and_the_rest_still_counts(desk, command):
    _replace(desk, SAMPLE_REL, "timeline:\n", "timeline: 5\nold_timeline:\n")
    result = kesu(*command, cwd=desk)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert re.search(rf"^{SAMPLE_REL}:\d+: left out: timeline: 5 is not of type 'array'", result.stderr, re.M), \
        result.stderr
    assert "Traceback" not in result.stderr


def test_list_still_shows_every_other_case(desk):
    _replace(desk, SAMPLE_REL, "timeline:\n", "timeline: 5\nold_timeline:\n")
    listed = {row["id"] for row in __import__("json").loads(kesu("list", "--format", "json", cwd=desk).stdout)}
    assert len(listed) == 8 and SAMPLE not in listed


def test_the_monthly_report_counts_the_rest(desk):
    import json

    before = json.loads(kesu("report", "monthly", "--month", "2026-11", "--format", "json", cwd=desk).stdout)
    _replace(desk, SAMPLE_REL, "timeline:\n", "timeline: 5\nold_timeline:\n")
    after = json.loads(kesu("report", "monthly", "--month", "2026-11", "--format", "json", cwd=desk).stdout)
    assert after["received"] == before["received"] - 1


def test_validate_reports_the_broken_file_and_checks_the_rest(desk):
    _replace(desk, SAMPLE_REL, "timeline:\n", "timeline: 5\nold_timeline:\n")
    result = kesu("validate", cwd=desk)
    assert result.returncode == 1
    assert "9 case files checked" in result.stderr
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {SAMPLE_REL}


def test_audit_report_leaves_out_a_committed_broken_case(desk):
    _replace(desk, SAMPLE_REL, "category: delivery", "category: [x]")
    git(desk, "commit", "-qam", "hand edit")
    result = kesu("audit", "--report", "--format", "json", cwd=desk)
    assert result.returncode == 1, result.stderr
    assert re.search(rf"^{SAMPLE_REL}:\d+: left out: classification/category", result.stderr, re.M), result.stderr
    import json

    reported = {case["id"] for case in json.loads(result.stdout)["cases"]}
    assert SAMPLE not in reported and len(reported) == 8


# ------------------------------------------------------------- kesu.yaml
BROKEN_POLICIES = {
    "timezone is a number": ("timezone: Asia/Shanghai", "timezone: 5", "timezone: 5 is not of type 'string'"),
    "calendar is a word": ("calendar:", "calendar: abc\nold_calendar:", "calendar: 'abc' is not of type 'object'"),
    "a kpi item is a word": ("channel_notices: {", "channel_notices: x\n    old_notices: {",
                             "reports/kpi/channel_notices: 'x' is not of type 'object'"),
}


@pytest.mark.parametrize("old, new, finding", BROKEN_POLICIES.values(), ids=list(BROKEN_POLICIES))
def test_a_policy_of_the_wrong_shape_is_refused_at_its_line(desk, old, new, finding):
    text = (desk / "kesu.yaml").read_text(encoding="utf-8")
    if old not in text:
        pytest.skip(f"{old!r} not in the default kesu.yaml")
    (desk / "kesu.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    result = kesu("validate", cwd=desk)
    assert result.returncode == 1
    assert any(re.match(r"kesu\.yaml:\d+: ", line) and finding in line for line in result.stdout.splitlines()), \
        result.stdout
    for args in READ_COMMANDS[1:]:
        line = assert_refused(kesu(*args, cwd=desk), finding, "kesu.yaml must be fixed")
        assert FILE_ERROR.match(line), line


# ------------------------------------------------------------- files and input
def test_a_400_digit_amount_is_refused_at_input(tmp_path_factory):
    root = make_archive(tmp_path_factory)
    case_id = case_in(root, "investigating")
    before = snapshot(root)
    line = assert_refused(kesu("propose", case_id, "--step", "退款", "--refund", "1" * 400, cwd=root),
                          "--refund '1111111111111111111… (402 characters) is not an amount like 39.90")
    assert len(line) < 100
    assert snapshot(root) == before


def test_an_editor_that_deletes_its_file_changes_nothing(desk):
    before = snapshot(desk)
    result = kesu("edit", SAMPLE, cwd=desk, env={"EDITOR": "rm -f"})
    assert_refused(result, "the editor removed the file")
    assert snapshot(desk) == before


@pytest.mark.parametrize("target, message", [
    ("folder", "is a folder"), ("", "needs a file name"), ("/proc/self/kesu-reply.txt", "cannot write it"),
    ("missing/deeper/reply.txt", "create it first"),
])
def test_reply_output_writes_only_a_regular_file_in_a_folder_that_exists(desk, tmp_path, target, message):
    (tmp_path / "folder").mkdir()
    output = target if target in ("", "/proc/self/kesu-reply.txt") else str(tmp_path / target)
    assert_refused(kesu("reply", SAMPLE, "plan", "--output", output, cwd=desk), message)
    assert not (tmp_path / "missing").exists()
    assert (tmp_path / "folder").is_dir() and not any((tmp_path / "folder").iterdir())


def test_report_output_does_not_make_folders(desk, tmp_path):
    assert_refused(kesu("report", "monthly", "--output", str(tmp_path / "no" / "r.txt"), cwd=desk),
                   "create it first")
    assert not (tmp_path / "no").exists()


@pytest.fixture
def read_only(desk):
    """The sample archive, mounted read-only when running as root (root ignores
    file modes), or made read-only by its file modes otherwise."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(desk)], check=True)
        yield desk
        subprocess.run(["chmod", "-R", "u+w", str(desk)], check=True)
        return
    mounted = desk.parent / "read-only"
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(desk), str(mounted)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        yield mounted
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


def test_a_read_only_archive_gets_one_line_and_nothing_changes(read_only):
    before = snapshot(read_only)
    assert_refused(kesu("ack", "KS-20261123-WFC458", "--method", "phone", cwd=read_only),
                   "cannot change this archive", "nothing was changed")
    assert_refused(kesu("new", "--channel", "counter", "--customer", "王女士", "--contact", "13800138000",
                        "--summary", "草莓霉变", "--facts", "草莓霉变", "--emotion", "calm", cwd=read_only),
                   "cannot change this archive")
    assert snapshot(read_only) == before
    assert kesu("list", cwd=read_only).returncode == 0


# ------------------------------------------------------------- templates
@pytest.mark.parametrize("template, message", [
    ('{% include "reply/plan.zh-CN.j2" %}', "includes or calls itself"),
    ("{% for i in range(10**9) %}{% endfor %}", "Range too big"),
    ("{{ 'x' * 10**9 }}", "repeating 1 items 1000000000 times"),
    ("{{ 'x' | center(10**9) }}", "too large a size"),
    ("{{ 'x'.ljust(10**9) }}", "too large a size"),
    ("{{ '%999999999d' % 1 }}", "a width or precision of a million or more"),
    ("{{ '{:>999999999}'.format(1) }}", "a width or precision of a million or more"),
    ("{{ 7 ** 99999999 }}", "an exponent of 99999999"),
])
def test_a_runaway_template_ends_in_a_clear_error(desk, template, message):
    (desk / "templates" / "reply").mkdir(parents=True)
    (desk / "templates" / "reply" / "plan.zh-CN.j2").write_text(template + "\n", encoding="utf-8")
    assert_refused(kesu("reply", SAMPLE, "plan", cwd=desk), "templates/reply/plan.zh-CN.j2:", message)


def test_a_template_that_loops_without_output_is_stopped(desk, monkeypatch):
    from kesu import template_bounds

    monkeypatch.setattr(template_bounds, "MAX_CPU_SECONDS", 0.5)
    (desk / "templates" / "reply").mkdir(parents=True)
    (desk / "templates" / "reply" / "plan.zh-CN.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n", encoding="utf-8")
    assert_refused(kesu("reply", SAMPLE, "plan", cwd=desk), "processor time")


def test_ordinary_template_arithmetic_still_works():
    from kesu.template_bounds import BoundedSandbox

    rendered = BoundedSandbox().from_string(
        "{{ '{:>5}'.format(1) }}|{{ '%05d' % 3 }}|{{ 'ab' * 3 }}|{{ 2 ** 10 }}|{{ 'x'|center(5) }}").render()
    assert rendered == "    1|00003|ababab|1024|  x  "


@pytest.mark.parametrize("total", [".nan", ".inf", "39.999", "-0.0"])
def test_a_total_that_is_not_an_amount_is_a_finding(desk, total):
    _replace(desk, SAMPLE_REL, "total: 10.00", f"total: {total}")
    result = kesu("validate", cwd=desk)
    assert result.returncode == 1
    assert f"{SAMPLE_REL}:42: not a money amount with at most two decimals" in result.stdout, result.stdout
    for args in READ_COMMANDS[1:]:
        _no_crash(kesu(*args, cwd=desk))


@pytest.mark.parametrize("body", [
    "channel: counter\ncustomer: {name: 王女士, contact: '13800138000'}\n"
    "complaint: {summary: s, facts: f, emotion: calm, subjects: 3}\n",
    "channel: counter\ncustomer: {name: [1], contact: 5}\ncomplaint: {summary: 5, facts: [y], emotion: calm, subjects: [3]}\n",
    "channel: [counter]\ncustomer: 5\ncomplaint: {summary: s}\nreceived_at: 5\n",
])
def test_an_intake_file_of_the_wrong_shape_is_refused(desk, tmp_path, body):
    intake = tmp_path / "intake.yaml"
    intake.write_text(body, encoding="utf-8")
    before = snapshot(desk)
    result = kesu("new", "--from-file", str(intake), "--actor", "zhang.san", cwd=desk)
    assert_refused(result)
    assert snapshot(desk) == before
