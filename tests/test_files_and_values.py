"""Files and values kesu must not take as they come: symbolic links out of the
archive, IDs with a trailing newline, times before modern time-zone rules,
cases too large to read back, recovery files that would collide."""

from __future__ import annotations

import shutil
from datetime import datetime

from conftest import kesu, snapshot
from e2e_support import assert_refused
from kesu.resources import shipped

CASE = "KS-20261118-GNBB6D"
CASE_REL = f"cases/2026/11/{CASE}.yaml"
RECEIVED = "KS-20261123-WFC458"


def test_an_id_with_a_trailing_newline_is_not_an_id(sample_archive):
    assert_refused(kesu("show", CASE + "\n", cwd=sample_archive), "is not a case ID")
    assert_refused(kesu("ack", RECEIVED + "\n", "--method", "phone", cwd=sample_archive), "is not a case ID")


def test_a_time_before_modern_time_zone_rules_is_refused(sample_archive):
    before = snapshot(sample_archive)
    assert_refused(kesu("ack", RECEIVED, "--method", "phone", "--at", "1900-01-01T00:00", cwd=sample_archive),
                   "--at 1900-01-01T00:00 is outside the years 2000 to 2100")
    assert snapshot(sample_archive) == before


def test_a_step_that_would_make_a_case_too_large_to_read_is_refused(sample_archive):
    before = snapshot(sample_archive)
    assert_refused(kesu("note", RECEIVED, "备注" * 600_000, cwd=sample_archive),
                   "larger than 1024 KiB", "nothing was changed")
    assert snapshot(sample_archive) == before
    assert RECEIVED in kesu("list", cwd=sample_archive).stdout


def test_two_refused_edits_in_one_second_keep_two_recovery_files(sample_archive, tmp_path, monkeypatch):
    from kesu import editing

    class SameSecond(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 24, 10, 0, 0)

    monkeypatch.setattr(editing, "datetime", SameSecond)
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "state: [nonsense %s]\\n" "$$" >> "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    kept = []
    for _ in range(2):
        line = assert_refused(kesu("edit", CASE, cwd=sample_archive, env={"EDITOR": str(editor)}),
                              "your edit is kept in")
        kept.append(line.split("your edit is kept in ")[1].split()[0])
    assert kept[0] != kept[1]
    assert all(open(path, encoding="utf-8").read().count("nonsense") == 1 for path in kept)


def test_a_case_file_linked_to_a_file_outside_the_archive_is_refused(sample_archive, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(sample_archive / CASE_REL, outside)
    (sample_archive / CASE_REL).unlink()
    (sample_archive / CASE_REL).symlink_to(outside)
    result = kesu("validate", cwd=sample_archive)
    assert result.returncode == 1
    assert f"{CASE_REL}:1: is a symbolic link or lies outside the archive" in result.stdout
    assert_refused(kesu("show", CASE, "--format", "yaml", cwd=sample_archive), "is a symbolic link")
    listed = kesu("list", cwd=sample_archive)
    assert listed.returncode == 1 and CASE not in listed.stdout
    assert f"{CASE_REL}:1: left out: is a symbolic link" in listed.stderr


def test_a_template_linked_to_a_file_outside_is_not_read(sample_archive):
    folder = sample_archive / "templates" / "reply"
    folder.mkdir(parents=True)
    (folder / "plan.zh-CN.j2").symlink_to("/etc/passwd")
    result = kesu("reply", CASE, "plan", cwd=sample_archive)
    assert_refused(result, "templates/reply/plan.zh-CN.j2: is a symbolic link")
    assert "root:" not in result.stdout


def _library_archive(sample_archive):
    closed = "KS-20261008-JQ5FFJ"
    assert kesu("library", "add", closed, "--lessons", "高峰排班", cwd=sample_archive).returncode == 0
    return closed


def test_library_build_refuses_to_overwrite_a_hand_edit(sample_archive):
    closed = _library_archive(sample_archive)
    entry = sample_archive / "library" / f"{closed}.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\n手工补充\n", encoding="utf-8")
    (sample_archive / "templates" / "library").mkdir(parents=True)
    shutil.copy(shipped("templates") / "library" / "entry.zh-CN.md.j2",
                sample_archive / "templates" / "library" / "entry.zh-CN.md.j2")
    with open(sample_archive / "templates" / "library" / "entry.zh-CN.md.j2", "a", encoding="utf-8") as handle:
        handle.write("\n（模板改过）\n")
    before = snapshot(sample_archive)
    assert_refused(kesu("library", "build", cwd=sample_archive),
                   f"library/{closed}.md: has changes that are not committed")
    assert snapshot(sample_archive) == before
    assert "手工补充" in entry.read_text(encoding="utf-8")


def test_library_add_refuses_to_overwrite_a_hand_edit_of_the_index(sample_archive):
    _library_archive(sample_archive)
    index = sample_archive / "library" / "README.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n手工补充\n", encoding="utf-8")
    before = snapshot(sample_archive)
    assert_refused(kesu("library", "add", "KS-20261020-GNV8P6", "--lessons", "系统升级须演练",
                        cwd=sample_archive), "library/README.md: has changes that are not committed")
    assert snapshot(sample_archive) == before
