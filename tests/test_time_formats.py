"""One way to write a time people read and one way to say a duration, in each language."""

from __future__ import annotations

import json
import re

import pytest

from conftest import kesu, new_case

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
#: A duration written any other way than ``format_left`` says it: 6h, 20m, 20分, 1天.
TERSE = {"en": re.compile(r"(?<![\w-])\d+[dhm]\b"), "zh-CN": re.compile(r"\d+(?:分(?!钟)|天|小时|h|m)\b|\d+[天分]")}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_audit_report_writes_times_as_the_tables_do(sample_archive, language):
    new_case(sample_archive, at="2026-11-23T16:10")
    env = {"KESU_LANG": language}
    report = kesu("audit", "--report", "--month", "2026-11", cwd=sample_archive, env=env)
    assert report.returncode in (0, 1), report.stderr
    # a finding quotes the At trailer and the commit time as git has them, to the second
    page = "\n".join(line for line in report.stdout.splitlines() if not re.search(r"\| (backdated|future-event) \|", line))
    assert not ISO_TIME.search(page), ISO_TIME.findall(page)
    assert "2026-11-23 16:10" in page
    assert not TERSE[language].search(report.stdout), TERSE[language].findall(report.stdout)
    data = kesu("audit", "--report", "--month", "2026-11", "--format", "json", cwd=sample_archive, env=env)
    assert ISO_TIME.search(data.stdout)  # JSON keeps ISO 8601


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_history_says_durations_as_overdue_does(sample_archive, language):
    case_id = new_case(sample_archive, at="2026-11-23T16:10")
    kesu("ack", case_id, "--at", "2026-11-23T16:30", "--actor", "zhang.san", cwd=sample_archive)
    page = kesu("history", case_id, cwd=sample_archive, env={"KESU_LANG": language}).stdout
    assert {"en": "20 min", "zh-CN": "20 分钟"}[language] in page, page
    assert not TERSE[language].search(page), page
    steps = json.loads(kesu("history", case_id, "--format", "json", cwd=sample_archive).stdout)
    assert steps[0]["time_in_state"] == "20m"  # JSON keeps its one spelling


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_extension_refused_says_every_duration_one_way(sample_archive, language):
    refused = kesu("extend", "GNBB6D", "--by", "900d", "--reason", "x", "--approver", "li.ming",
                   "--actor", "wang.fang", cwd=sample_archive, env={"KESU_LANG": language})
    assert refused.returncode == 2, refused.stderr
    message = refused.stderr.replace("--by 900d", "")
    assert not TERSE[language].search(message), message
