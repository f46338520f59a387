"""kesu validate on real archives: findings as path:line: message, JSON, GitHub annotations."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import git, kesu, new_case, snapshot
from e2e_support import assert_ok, assert_refused, case_in, isolated, make_archive, run_kesu

BAD_ID = "KS-20261123-ABCDEF"
#: The case sits in December's folder, though it was received in November.
BAD_REL = f"cases/2026/12/{BAD_ID}.yaml"
BAD_CASE = f"""\
id: {BAD_ID}
schema_version: 1
state: dispatched
received_at: 2026-11-23T16:10:00+08:00
channel: counter
customer:
  name: 王女士
  contact: '13800138000'
complaint:
  summary: 草莓霉变
  facts: 草莓约三分之一霉变
  emotion: anxious
  occurred_at: 2026-11-23T15:15
  subjects: []
acknowledgement: {{at: 2026-11-23T16:11:00+08:00, by: zhang.san, method: in_person}}
classification:
  category: weather
  risk: medium
  severity: general
assignment: {{owner: li.ming, level: 1}}
timeline:
  - {{at: 2026-11-23T16:10:00+08:00, action: intake, to: received, by: zhang.san}}
  - {{at: 2026-11-23T16:11:00+08:00, action: ack, from: received, to: acknowledged, by: zhang.san}}
"""
#: (line, words the finding on that line must contain) — one per problem planted above.
EXPECTED = [
    (3, ("state is dispatched", "acknowledged")),      # state does not match the timeline
    (4, ("cases/2026/11/",)),                           # wrong folder: where it belongs
    (13, ("occurred_at",)),                             # a time without an offset
    (17, ("weather",)),                                 # unknown category
]
FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<message>.+)$")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """An archive with a walked case and a fresh one; nothing wrong with either."""
    with isolated(tmp_path_factory):
        root = make_archive(tmp_path_factory, "clean")
        case_in(root, "investigating")
        new_case(root)
    return root


def _plant(root, rel=BAD_REL, text=BAD_CASE):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """An archive with one committed good case and the planted bad one (uncommitted)."""
    with isolated(tmp_path_factory):
        root = make_archive(tmp_path_factory, "broken")
        new_case(root)
        _plant(root)
    return root


def _findings(out: str) -> list[tuple[str, int, str]]:
    found = []
    for line in out.splitlines():
        match = FINDING.match(line)
        assert match, f"not path:line: message: {line!r}"
        found.append((match["path"], int(match["line"]), match["message"]))
    return found


def test_a_clean_archive_passes(clean):
    before = snapshot(clean)
    result = kesu("validate", cwd=clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "2 case files checked, 0 findings in 0 files"
    assert snapshot(clean) == before


def test_a_clean_archive_as_json_and_github(clean):
    result = kesu("validate", "--format", "json", cwd=clean)
    assert json.loads(assert_ok(result)) == {"checked": 2, "findings": []}
    result = kesu("validate", "--format", "github", cwd=clean)
    assert assert_ok(result) == ""


def test_every_problem_is_reported_with_the_line_of_its_key(broken):
    before = snapshot(broken)
    result = kesu("validate", cwd=broken)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    found = _findings(result.stdout)
    assert {path for path, _, _ in found} == {BAD_REL}
    for line, words in EXPECTED:
        messages = [message for _, at, message in found if at == line]
        assert any(all(w in m for w in words) for m in messages), (line, words, found)
    assert result.stderr.strip() == f"2 case files checked, {len(found)} findings in 1 file"
    assert snapshot(broken) == before


def test_findings_as_json(broken):
    result = kesu("validate", "--format", "json", cwd=broken)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert set(data) == {"checked", "findings"}
    assert data["checked"] == 2
    assert data["findings"], data
    for finding in data["findings"]:
        assert set(finding) == {"path", "line", "message"}
        assert finding["path"] == BAD_REL
        assert isinstance(finding["line"], int) and finding["line"] >= 1
    text = _findings(kesu("validate", cwd=broken).stdout)
    assert [(f["path"], f["line"], f["message"]) for f in data["findings"]] == text
    lines = {f["line"] for f in data["findings"]}
    assert {line for line, _ in EXPECTED} <= lines


def test_findings_as_github_annotations(broken):
    result = kesu("validate", "--format", "github", cwd=broken)
    assert result.returncode == 1
    pattern = re.compile(r"^::error file=(?P<path>[^,]+),line=(?P<line>\d+)::(?P<message>.+)$")
    annotations = []
    for line in result.stdout.splitlines():
        match = pattern.match(line)
        assert match, line
        annotations.append((match["path"], int(match["line"]), match["message"]))
    assert annotations == _findings(kesu("validate", cwd=broken).stdout)
    assert {(BAD_REL, line) for line, _ in EXPECTED} <= {(p, n) for p, n, _ in annotations}


def test_validate_one_file_by_path(broken):
    result = kesu("validate", BAD_REL, cwd=broken)
    assert result.returncode == 1
    assert {path for path, _, _ in _findings(result.stdout)} == {BAD_REL}
    assert result.stderr.startswith("1 case file checked")


def test_validate_a_good_file_by_path(clean):
    good = sorted((clean / "cases").rglob("*.yaml"))[0]
    result = kesu("validate", str(good), cwd=clean)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_a_path_that_does_not_exist(clean):
    before = snapshot(clean)
    assert_refused(kesu("validate", "cases/2030/01/nothere.yaml", cwd=clean), "nothere.yaml")
    assert snapshot(clean) == before


MALFORMED = """\
id: KS-20261123-ABCDEF
schema_version: 1
state: received
customer:
  name: 王女士
 contact: '13800138000'
channel: counter
"""


def test_malformed_yaml_is_reported_at_its_line(archive):
    rel = "cases/2026/11/KS-20261123-ABCDEF.yaml"
    _plant(archive, rel, MALFORMED)
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{rel}:6: invalid YAML")


def test_a_malformed_case_does_not_stop_the_others_being_checked(archive):
    _plant(archive)
    rel = "cases/2026/11/KS-20261123-BBBBBB.yaml"
    _plant(archive, rel, MALFORMED.replace("ABCDEF", "BBBBBB"))
    found = _findings(kesu("validate", cwd=archive).stdout)
    assert (rel, 6) in {(p, n) for p, n, _ in found}
    assert {line for p, line, _ in found if p == BAD_REL} >= {line for line, _ in EXPECTED}


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_not_expanded(archive):
    rel = "cases/2026/11/KS-20261123-CCCCCC.yaml"
    _plant(archive, rel, _bomb())
    started = time.monotonic()
    result = run_kesu("validate", "--format", "json", cwd=archive, timeout=30)
    assert time.monotonic() - started < 10
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) == 1
    assert findings[0]["path"] == rel
    assert findings[0]["line"] in (1, 2)  # the anchor, or its first alias
    assert "anchors and aliases are not allowed" in findings[0]["message"]


def test_an_alias_in_an_intake_file_is_refused(archive, tmp_path):
    source = tmp_path / "intake.yaml"
    source.write_text("channel: counter\ncustomer: &c {name: 王女士, contact: '138'}\n"
                      "complaint: {summary: x, facts: x, emotion: calm, location: *c}\n",
                      encoding="utf-8")
    before = snapshot(archive)
    assert_refused(kesu("new", "--from-file", str(source), "--actor", "zhang.san", cwd=archive,
                        input=""), "anchors and aliases are not allowed")
    assert snapshot(archive) == before


def _huge_case(case_id: str) -> str:
    return (f"id: {case_id}\nschema_version: 1\nstate: received\n"
            "received_at: 2026-11-23T16:10:00+08:00\nchannel: counter\n"
            "customer: {name: 王女士, contact: '138'}\n"
            f"complaint:\n  summary: 草莓\n  facts: {'霉' * 400_000}\n  emotion: calm\n")


def test_a_file_over_one_mebibyte_is_refused_unparsed(archive):
    case_id = "KS-20261123-DDDDDD"
    rel = f"cases/2026/11/{case_id}.yaml"
    _plant(archive, rel, _huge_case(case_id))
    assert (archive / rel).stat().st_size > 1024 * 1024
    before = snapshot(archive)
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1
    found = _findings(result.stdout)
    assert len(found) == 1
    assert found[0][0] == rel
    assert "1024 KiB" in found[0][2] and "refusing to parse" in found[0][2]
    # kesu show refuses it the same way
    assert_refused(kesu("show", case_id, cwd=archive), rel, "refusing to parse")
    assert snapshot(archive) == before


def test_an_id_that_does_not_match_its_file_name(archive):
    case_id = new_case(archive)
    path = archive / f"cases/2026/11/{case_id}.yaml"
    other = path.with_name("KS-20261123-EEEEEE.yaml")
    path.rename(other)
    found = _findings(kesu("validate", cwd=archive).stdout)
    rel = "cases/2026/11/KS-20261123-EEEEEE.yaml"
    assert any(p == rel and line == 1 and case_id in m and "file name" in m for p, line, m in found), found


def test_an_unknown_actor_in_the_timeline(archive):
    case_id = new_case(archive)
    path = archive / f"cases/2026/11/{case_id}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("by: zhang.san}", "by: nobody}"), encoding="utf-8")
    lines = text.splitlines()
    timeline_line = next(i for i, line in enumerate(lines, 1) if "action: intake" in line)
    found = _findings(kesu("validate", cwd=archive).stdout)
    assert any(line == timeline_line and "nobody" in m and "roster" in m for _, line, m in found), found


def test_a_closed_case_without_its_closure(archive):
    case_id = new_case(archive)
    assert_ok(kesu("close", case_id, "--reason", "withdrawn", "--actor", "zhang.san",
                   "--at", "2026-11-23T16:20", cwd=archive))
    path = archive / f"cases/2026/11/{case_id}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("closure:")
    end = text.index("timeline:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1
    found = _findings(result.stdout)
    assert any("closure" in m for _, _, m in found), found


STRAYS = ["cases/KS-20261123-ABCDEF.yaml",          # one folder too high
          "cases/2026/KS-20261123-ABCDEF.yaml",     # the month folder left out
          "cases/2026/11/KS-20261123-ABCDEF.yml",   # .yml is not read
          "cases/2026/11/old/KS-20261123-ABCDEF.yaml",
          "cases/说明.txt"]


@pytest.mark.parametrize("committed", [False, True])
def test_a_file_under_cases_that_no_command_reads_is_a_finding(archive, committed):
    case_id = new_case(archive)
    text = next((archive / "cases").glob("*/*/*.yaml")).read_text(encoding="utf-8")
    for rel in STRAYS:
        _plant(archive, rel, text)
    (archive / ".gitignore").write_text("*.swp\n", encoding="utf-8")
    _plant(archive, f"cases/2026/11/.{case_id}.yaml.swp", "editor swap file")
    if committed:
        git(archive, "add", "-A")
        git(archive, "commit", "-qm", "files in the wrong places")
    result = kesu("validate", cwd=archive)
    assert result.returncode == 1, result.stdout + result.stderr
    found = _findings(result.stdout)
    assert sorted(path for path, _line, _message in found) == sorted(STRAYS)
    assert all("cases/YYYY/MM/<ID>.yaml" in message for _path, _line, message in found)
    assert kesu("list", cwd=archive).stdout.count(case_id) == 1  # the real case is still read once
