"""``kesu show`` fits the terminal, lines its columns up by display width and ends its last line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import kesu, new_case
from kesu.tables import cells

SAMPLES = ["KS-20261110-SETA6Z", "KS-20261118-GNBB6D", "KS-20261027-DAKBTH", "KS-20261102-2VSAVM"]


def section(page: str, heading: str) -> list[str]:
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return lines[start:end]


def starts(line: str) -> list[int]:
    """Display cell where each field (after two or more spaces) of ``line`` begins."""
    return [cells(line[:m.end()]) for m in re.finditer(r" {2,}", line.rstrip())]


@pytest.fixture
def long_labels_desk(sample_archive):
    case_id = new_case(sample_archive)
    folder = Path(sample_archive, "received", "a-folder-with-a-rather-long-name", "and-another-one-under-it")
    folder.mkdir(parents=True)
    (folder / "signed-compensation-receipt-of-the-customer.txt").write_text("signed\n", encoding="utf-8")
    for args in (["claimant", "add", case_id, "--customer", "刘先生", "--contact", "13900139000"],
                 ["attach", case_id, str(folder / "signed-compensation-receipt-of-the-customer.txt"),
                  "--kind", "receipt", "--note", "顾客签字确认的赔偿收据"]):
        result = kesu(*args, "--actor", "zhang.san", cwd=sample_archive)
        assert result.returncode == 0, result.stderr
    return sample_archive, case_id


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_show_ends_its_last_line_and_fits_80_columns(long_labels_desk, language):
    root, case_id = long_labels_desk
    for shown in (case_id, *SAMPLES):
        page = kesu("show", shown, cwd=root, env={"KESU_LANG": language, "COLUMNS": "80"}).stdout
        assert page.endswith("\n") and not page.endswith("\n\n"), page
        assert max(map(cells, page.splitlines())) <= 80, page
    wide = kesu("show", case_id, "--wide", cwd=root, env={"KESU_LANG": language, "COLUMNS": "80"}).stdout
    assert "signed-compensation-receipt-of-the-customer.txt" in wide and max(map(cells, wide.splitlines())) > 80


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_timeline_and_deadlines_line_up_by_display_width(long_labels_desk, language):
    root, case_id = long_labels_desk
    for shown in (case_id, *SAMPLES):
        page = kesu("show", shown, cwd=root, env={"KESU_LANG": language, "COLUMNS": "200"}).stdout
        for heading in ("timeline", "时间线", "deadlines", "时限"):
            if heading + (":" if heading.isascii() else "：") in page:
                lines = section(page, heading)
                columns = {len(starts(line)) for line in lines}
                for n in range(min(columns)):
                    assert len({starts(line)[n] for line in lines}) == 1, "\n".join(lines)


def test_an_owner_without_a_department_shows_no_bare_dash(sample_archive):
    path = Path(sample_archive, "cases", "2026", "11", "KS-20261110-SETA6Z.yaml")
    path.write_text(re.sub(r"(?m)^  department: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    for language, owner in (("en", "li.ming (level 1)"), ("zh-CN", "li.ming（1 级）")):
        page = kesu("show", "SETA6Z", cwd=sample_archive, env={"KESU_LANG": language}).stdout
        assert owner in page and "-，" not in page and "(-," not in page, page
