"""Tables fit the terminal, colour only a terminal, page when long, and share one time format."""

from __future__ import annotations

import os
import pty
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import KESU, kesu, new_case
from kesu import tables

NOW = "2026-11-24T12:00"
LONG = "顾客反映在生鲜区称重台购买的草莓约三分之一霉变并且收银员态度不好还拒绝退款" * 2


def desk_with_long_summaries(archive, count=3):
    for i in range(count):
        new_case(archive, "--summary", f"{i} {LONG}", at=f"2026-11-23T1{i}:10")
    return archive


def test_list_and_overdue_fit_80_columns(archive):
    desk_with_long_summaries(archive)
    for args in (["list"], ["overdue", "--now", NOW]):
        result = kesu(*args, cwd=archive, env={"COLUMNS": "80"})
        assert result.returncode in (0, 1), result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) >= 5
        assert all(tables.cells(line) <= 80 for line in lines), result.stdout


def test_a_long_summary_is_cut_with_an_ellipsis_and_wide_shows_it_whole(archive):
    desk_with_long_summaries(archive, 1)
    narrow = kesu("list", cwd=archive, env={"COLUMNS": "80"}).stdout
    assert "…" in narrow and LONG not in narrow and "id" in narrow.splitlines()[0]
    wide = kesu("list", "--wide", cwd=archive, env={"COLUMNS": "80"}).stdout
    assert LONG in wide and "channel" in wide.splitlines()[0]


def test_less_important_columns_go_first(archive):
    desk_with_long_summaries(archive, 1)
    header = kesu("list", cwd=archive, env={"COLUMNS": "80"}).stdout.splitlines()[0].split()
    assert {"id", "state", "light", "due", "summary"} <= set(header)
    assert not {"channel", "severity", "received"} & set(header)
    wider = kesu("list", cwd=archive, env={"COLUMNS": "120"}).stdout.splitlines()[0].split()
    assert "received" in wider and "channel" not in wider


def test_limit_shows_at_most_n_rows(archive):
    desk_with_long_summaries(archive, 3)
    assert len(kesu("list", "--limit", "2", cwd=archive).stdout.splitlines()) == 4
    overdue = kesu("overdue", "--now", NOW, "--limit", "1", cwd=archive)
    assert len(overdue.stdout.splitlines()) == 3 and overdue.returncode == 1


def test_one_time_format_in_list_overdue_show_and_history(archive):
    case_id = new_case(archive)
    minute = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
    for args in (["list"], ["overdue", "--now", NOW], ["show", case_id], ["history", case_id]):
        out = kesu(*args, cwd=archive).stdout
        assert minute.search(out), (args, out)
        assert "+08:00" not in out and not re.search(r"\d\dT\d\d:", out), (args, out)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=60), st.integers(min_value=2, max_value=40))
def test_cut_never_exceeds_the_width(text, width):
    shortened = tables.cut(text, width)
    assert tables.cells(shortened) <= width
    assert shortened == text or shortened.endswith("…")


def test_every_wide_character_counted_without_wcwidth_is_two_cells_to_wcwidth():
    from wcwidth import wcwidth

    ranges = re.findall(r"(.)-(.)", tables.WIDE)
    assert ranges
    for first, last in ranges:
        for code in range(ord(first), ord(last) + 1):
            assert wcwidth(chr(code)) == 2, hex(code)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab Z~!0\t\x1b\u00e9\u0301\u3000\u3001\u300a\u4e00\u9fa5"
                                        "\uff0c\uff61\U0001f600\u200b"), max_size=30))
def test_cells_is_what_wcwidth_says(text):
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    assert tables.cells(text) == (width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text))


def run_on_a_terminal(args, cwd, env):
    """Run kesu with stdout on a pseudo-terminal; return what it wrote there."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen([KESU, *args], cwd=cwd, stdout=secondary, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env={**os.environ, **env})
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(main)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_lights_are_coloured_on_a_terminal_only_and_never_with_no_color(archive):
    new_case(archive)
    env = {"COLUMNS": "100", "LINES": "50", "KESU_PAGER": "cat", "TERM": "xterm"}
    _, on_terminal = run_on_a_terminal(["list"], archive, env)
    assert "\x1b[31mred" in on_terminal
    env.pop("TERM")
    _, no_colour = run_on_a_terminal(["list"], archive, {**env, "NO_COLOR": "1", "TERM": "xterm"})
    assert "red" in no_colour and "\x1b[" not in no_colour
    assert "\x1b[" not in kesu("list", cwd=archive).stdout


def test_long_output_on_a_terminal_goes_through_the_pager(archive, tmp_path):
    desk_with_long_summaries(archive, 6)
    paged = tmp_path / "paged.txt"
    env = {"COLUMNS": "100", "LINES": "5", "KESU_PAGER": f"cat > '{paged}'", "TERM": "xterm"}
    code, screen = run_on_a_terminal(["list"], archive, env)
    assert code == 0 and "KS-" in paged.read_text(encoding="utf-8") and "KS-" not in screen
    paged.unlink()
    code, screen = run_on_a_terminal(["--no-pager", "list"], archive, env)
    assert code == 0 and "KS-" in screen and not paged.exists()
    code, screen = run_on_a_terminal(["list"], archive, {**env, "LINES": "50"})
    assert "KS-" in screen and not paged.exists()  # short enough: no pager


rows_of_scalars = st.lists(st.dictionaries(
    st.text(max_size=5), st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                                   st.floats(allow_nan=False))), max_size=4)


@settings(max_examples=100, deadline=None)
@given(st.one_of(rows_of_scalars, st.lists(st.dictionaries(st.text(max_size=3), st.lists(st.integers()),
                                                             max_size=2), max_size=2)))
def test_json_of_rows_is_laid_out_as_json_dump_lays_it_out(data):
    import contextlib
    import io
    import json

    from kesu.commands.common import print_json

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_json(data)
    assert out.getvalue() == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@given(st.lists(st.lists(st.one_of(st.none(), st.integers(), st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30)), min_size=3, max_size=3),
                max_size=6), st.sampled_from([None, 20, 40]), st.booleans())
def test_a_table_is_the_same_whichever_way_its_lines_are_taken(rows, width, wide):
    layout = tables.Layout(cut=(2,), drop=(1,), lights=(0,), wide=wide)
    text = tables.render(["a", "名称", "summary"], [list(r) for r in rows], layout, width)
    lines = text.split("\n")
    assert lines == list(tables.render_lines(["a", "名称", "summary"], [list(r) for r in rows], layout, width))
    assert len(lines) == len(rows) + 2
    if width and not wide:
        assert all(tables.cells(line) <= max(width, tables.cells(lines[1])) for line in lines)


# ------------------------------------------------- every table fits, every long output pages
def test_find_is_laid_out_as_list_is(sample_archive):
    desk_with_long_summaries(sample_archive, 2)
    zh = {"KESU_LANG": "zh-CN", "COLUMNS": "200"}
    table = kesu("find", "--since", "2026-01-01", cwd=sample_archive, env=zh).stdout
    header = table.splitlines()[0].split()
    assert header[:2] == ["编号", "受理时间"] and "结果" in header, table
    assert "已结案" in table and "已受理" in table, table  # labels, not the codes closed, received
    assert not re.search(r"\b(closed|received|product|resolved)\b", table), table
    assert "已解决，满意" in table and "已解决, " not in table, table  # an outcome's labels joined the Chinese way
    narrow = kesu("find", "草莓", cwd=sample_archive, env={"COLUMNS": "80"}).stdout
    assert all(tables.cells(line) <= 80 for line in narrow.splitlines()), narrow
    assert "…" in narrow and LONG not in narrow and not {"state", "owner"} & set(narrow.split("\n")[0].split())
    wide = kesu("find", "草莓", "--wide", cwd=sample_archive, env={"COLUMNS": "80"}).stdout
    assert LONG in wide and {"state", "owner"} <= set(wide.splitlines()[0].split())
    csv = kesu("find", "--since", "2026-01-01", "--format", "csv", cwd=sample_archive, env=zh).stdout
    assert csv.startswith("id,received,state,") and ",closed," in csv and ",received," in csv


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_overdue_fits_80_columns_with_working_day_timers(sample_archive, language):
    env = {"KESU_LANG": language, "COLUMNS": "80"}
    out = kesu("overdue", "--now", "2027-02-01T12:00", cwd=sample_archive, env=env).stdout
    assert re.search("working day|工作日", out), out
    assert all(tables.cells(line) <= 80 for line in out.splitlines()), out
    wide = kesu("overdue", "--now", "2027-02-01T12:00", "--wide", cwd=sample_archive, env=env).stdout
    assert max(map(tables.cells, wide.splitlines())) > 80


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_kpi_card_fits_80_columns_and_wide_shows_it_whole(sample_archive, language):
    args = ["report", "kpi", "--month", "2026-11", "--now", NOW]
    env = {"KESU_LANG": language, "COLUMNS": "80"}
    narrow = kesu(*args, cwd=sample_archive, env=env)
    assert narrow.returncode in (0, 1), narrow.stderr
    assert all(tables.cells(line) <= 80 for line in narrow.stdout.splitlines()), narrow.stdout
    assert "…" in narrow.stdout
    wide = kesu(*args, "--wide", cwd=sample_archive, env=env).stdout
    assert "…" not in wide and max(map(tables.cells, wide.splitlines())) > 80
    assert kesu(*args, cwd=sample_archive, env={"KESU_LANG": language}).stdout == wide  # a pipe: whole


LONG_OUTPUT = {"report monthly": ["report", "monthly", "--month", "2026-11", "--now", NOW],
               "report kpi": ["report", "kpi", "--month", "2026-11", "--now", NOW],
               "show": ["show", "GNBB6D"], "history": ["history", "CASE"], "find": ["find", "草莓"],
               "validate": ["validate", "cases/2026/11/KS-20261118-GNBB6D.yaml", "--no-cache"]}


@pytest.mark.parametrize("args", list(LONG_OUTPUT.values()), ids=list(LONG_OUTPUT))
def test_every_long_output_pages_on_a_terminal_and_no_pager_may_come_last(sample_archive, tmp_path, args):
    desk_with_long_summaries(sample_archive, 4)
    if args[0] == "validate":  # findings to show: a file that breaks the schema
        case = sample_archive / args[1]
        case.write_text(case.read_text(encoding="utf-8").replace("state: ", "state: lost\nx: ", 1),
                        encoding="utf-8")
    if "CASE" in args:  # a case with a few steps
        case_id = new_case(sample_archive)
        for n in range(3):
            assert kesu("note", case_id, f"看看 {n}", "--actor", "zhang.san", "--at", f"2026-11-23T16:2{n}",
                        cwd=sample_archive).returncode == 0
        args = [case_id if a == "CASE" else a for a in args]
    paged = tmp_path / "paged.txt"
    env = {"COLUMNS": "100", "LINES": "3", "KESU_PAGER": f"cat > '{paged}'", "TERM": "xterm"}
    _code, screen = run_on_a_terminal(args, sample_archive, env)
    assert paged.exists() and paged.read_text(encoding="utf-8").strip(), screen
    assert not screen.strip(), screen
    written = paged.read_text(encoding="utf-8")
    paged.unlink()
    _code, screen = run_on_a_terminal([*args, "--no-pager"], sample_archive, env)
    assert not paged.exists() and screen.replace("\r\n", "\n").strip() == written.strip()


def test_show_colours_the_lights_on_a_terminal_only(archive):
    case_id = new_case(archive)
    env = {"COLUMNS": "100", "LINES": "80", "KESU_PAGER": "cat", "TERM": "xterm"}
    _, on_terminal = run_on_a_terminal(["show", case_id], archive, env)
    assert "\x1b[31mred" in on_terminal
    _, no_colour = run_on_a_terminal(["show", case_id], archive, {**env, "NO_COLOR": "1"})
    assert "red" in no_colour and "\x1b[" not in no_colour
    assert "\x1b[" not in kesu("show", case_id, cwd=archive).stdout


def test_a_light_mark_in_a_case_file_paints_nothing():
    from kesu.neutral import terminal

    marks, other = tables.LightMarks(), tables.LightMarks()
    page = terminal("\x1b[31m typed " + other.mark("red", "forged") + " " + marks.mark("red", "red"))
    painted = marks.paint(page)
    assert painted.count("\x1b[") == 2 and "\\x1b[31m typed" in painted and "\x1b[31mred\x1b[0m" in painted


@given(st.lists(st.integers(1, 40), min_size=2, max_size=8), st.integers(20, 120), st.data())
def test_a_column_is_left_out_only_when_it_cannot_fit(naturals, width, data):
    order = data.draw(st.permutations(range(1, len(naturals))))
    headers = ["h"] * len(naturals)
    columns = [["x" * n] for n in naturals]
    shown = tables.fit(headers, columns, tables.Layout(drop=order), width, naturals)

    def needed(kept):
        return sum(naturals[i] for i in kept) + 2 * (len(kept) - 1)

    assert needed(shown) <= width or len(shown) == len(naturals) - len(order)
    for left_out in set(range(len(naturals))) - set(shown):
        assert needed([*shown, left_out]) > width, (shown, left_out)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_overdue_at_80_columns_uses_the_room_it_has(sample_archive, language):
    env = {"KESU_LANG": language, "COLUMNS": "80"}
    out = kesu("overdue", "--now", "2027-02-01T12:00", cwd=sample_archive, env=env).stdout
    rows = out.splitlines()[:out.splitlines().index("") if "" in out.splitlines() else None]
    free = 80 - max(map(tables.cells, rows))
    summary = {"zh-CN": "摘要", "en": "summary"}[language]
    assert summary in rows[0] or free < 14, out
