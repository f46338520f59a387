"""Tables fit the terminal, colour only a terminal, page when long, and share one time format."""

from __future__ import annotations

import os
import pty
import re
import subprocess

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
