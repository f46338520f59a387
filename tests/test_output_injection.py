"""Outputs neutralise what case files carry: control characters on the terminal,
formulas in CSV, forged GitHub annotations, HTML in Markdown."""

from __future__ import annotations

import pytest

from conftest import git, kesu
from kesu import yamlio

ESCAPES = "\x1b]0;pwned\x07\x1b[2J"
RECEIVED = "cases/2026/11/KS-20261123-WFC458.yaml"
EXECUTING = "cases/2026/11/KS-20261118-GNBB6D.yaml"
CLOSED = "cases/2026/10/KS-20261008-JQ5FFJ.yaml"
FORGED = "li.ming)\n::error file=kesu.yaml,line=1::FORGED"
FORMULA = "=cmd|' /c calc'!A1"
HTML = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def _change(root, rel, change) -> None:
    case = yamlio.load((root / rel).read_text(encoding="utf-8"))
    change(case)
    (root / rel).write_text(yamlio.dump(case), encoding="utf-8")


@pytest.fixture
def hostile(sample_archive):
    def received(case):
        case["complaint"]["summary"] = f"{ESCAPES}草莓\r霉变"
        case["customer"]["name"] = "\x1b[31m王女士"

    def executing(case):
        case["complaint"]["summary"] = FORMULA
        case["assignment"]["owner"] = FORGED

    def closed(case):
        case["investigation"]["root_cause"] = HTML
        case["complaint"]["facts"] = HTML

    for rel, change in ((RECEIVED, received), (EXECUTING, executing), (CLOSED, closed)):
        _change(sample_archive, rel, change)
    git(sample_archive, "commit", "-qam", "text from elsewhere")
    return sample_archive


@pytest.mark.parametrize("args", [["show", "KS-20261123-WFC458"], ["list"],
                                  ["overdue", "--now", "2026-11-24T10:00"],
                                  ["report", "monthly", "--month", "2026-11"]])
def test_control_characters_never_reach_the_terminal_raw(hostile, args):
    out = kesu(*args, cwd=hostile).stdout
    assert "\x1b" not in out and "\x07" not in out, out
    if args[0] != "report":
        assert "\\x1b[2J" in out


def test_show_keeps_a_carriage_return_visible():
    from kesu.neutral import terminal

    assert terminal("草莓\r霉变") == "草莓\\r霉变"


def test_csv_cells_that_start_a_formula_are_inert(hostile):
    out = kesu("list", "--format", "csv", cwd=hostile).stdout
    assert f",'{FORMULA}\n" in out, out
    assert ",=cmd" not in out


def test_a_value_cannot_forge_a_github_annotation(hostile):
    out = kesu("overdue", "--now", "2026-11-24T10:00", "--format", "github", "--fail-on", "never",
               cwd=hostile).stdout
    lines = out.splitlines()
    assert all(line.startswith(("::error file=cases/", "::warning file=cases/")) for line in lines), out
    assert not any("file=kesu.yaml" in line.split("::")[1] for line in lines)
    assert "%0A%3A%3Aerror" not in out and "%0A::error file=kesu.yaml" in out


def test_html_in_markdown_outputs_is_escaped(hostile):
    report = kesu("report", "monthly", "--month", "2026-10", "--format", "markdown", cwd=hostile).stdout
    assert "<script>" not in report and "&lt;script&gt;" in report
    assert kesu("library", "add", "KS-20261008-JQ5FFJ", "--lessons", "<b>教训</b>", cwd=hostile).returncode == 0
    for path in (hostile / "library").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and "<img" not in text and "<b>" not in text, path.name
    audit = kesu("audit", "--report", cwd=hostile).stdout
    assert "<script>" not in audit
