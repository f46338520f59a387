"""Help pages fit an 80-column terminal in both languages, without cutting a word or code."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kesu.helpformat import fill, join_lines, short_help
from kesu.tables import cells

from conftest import kesu

LANGUAGES = ("en", "zh-CN")
ASCII_RUN = re.compile(r"[\x21-\x7e]+")
CJK = r"[\u3400-\u9fff]"


def command_paths() -> list[list[str]]:
    """Every command and sub-command a person may ask help of."""
    import typer

    from kesu.cli import HIDDEN, build_app

    paths, stack = [], [([], typer.main.get_command(build_app()))]
    while stack:
        path, node = stack.pop()
        paths.append(path)
        for name, child in getattr(node, "commands", {}).items():
            if name not in HIDDEN:
                stack.append(([*path, name], child))
    return sorted(paths)


def help_page(path: list[str], language: str, tmp_path, columns: str = "80") -> str:
    result = kesu(*path, "-h", cwd=tmp_path, env={"KESU_LANG": language, "COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def unwrapped(monkeypatch):
    """Help pages laid out on a page too wide to need wrapping."""
    from typer._click import formatting

    def page(path, language, tmp_path):
        monkeypatch.setattr(formatting, "FORCED_WIDTH", 100_000)
        try:
            return help_page(path, language, tmp_path)
        finally:
            monkeypatch.setattr(formatting, "FORCED_WIDTH", None)
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_help_page_fits_80_columns_and_keeps_words_whole(language, tmp_path, unwrapped):
    for path in command_paths():
        page = help_page(path, language, tmp_path)
        wide = [line for line in page.splitlines() if cells(line) > 80]
        assert not wide, (path, wide)
        whole = set(ASCII_RUN.findall(unwrapped(path, language, tmp_path)))
        split = [word for word in ASCII_RUN.findall(page) if word not in whole]
        assert not split, (path, split, page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_listed_command_has_a_description(language, tmp_path):
    page = help_page([], language, tmp_path)
    listing = page.split("\n\n")[-1].splitlines()[1:]
    assert len(listing) > 30
    bare = [line for line in listing if len(line.split()) < 2 or line.split()[1] in ("...", "…")]
    assert not bare, bare


@pytest.mark.parametrize("command, joined", [(["overdue"], "恰好到期 算作红灯"), (["alert"], "退出码为 1。 每"),
                                             (["overdue"], "在克隆中， 会说明")])
def test_chinese_lines_join_without_spaces(command, joined, tmp_path):
    page = help_page(command, "zh-CN", tmp_path, columns="1000")
    assert joined not in page.replace("\n  ", "")
    assert not re.search(f"{CJK}[，。；] {CJK}", page), page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("command", [["find"], ["overdue"], ["alert"], ["edit"], ["claimant", "add"]])
def test_each_example_starts_a_line_of_its_own(command, language, tmp_path):
    page = help_page(command, language, tmp_path)
    for line in page.splitlines():
        assert len(re.findall(r"(?:Example|示例)[^:：]*[:：]\s*kesu", line)) <= 1, page
        found = re.search(r"(?:Example|示例)[^:：]*[:：]\s*kesu", line)
        if found:
            assert line[:found.start()].strip() == "" or language == "zh-CN", line


def test_zh_help_uses_one_colon_and_words_for_metavars(tmp_path):
    pages = "\n".join(help_page(path, "zh-CN", tmp_path) for path in (["new"], ["list"], ["alert"], []))
    assert "选项：" in pages and "选项:" not in pages and "示例:" not in pages
    assert "<str>" not in pages and "x>=" not in pages and "<int>" not in pages


@pytest.mark.parametrize("language, words", [("en", ('"due"', '"left"', '"business"')),
                                             ("zh-CN", ("「到期」", "「剩余」", "「营业时间」"))])
def test_overdue_help_names_the_columns_as_the_table_does(language, words, tmp_path):
    page = help_page(["overdue"], language, tmp_path)
    headers = {"en": ("due", "left"), "zh-CN": ("到期", "剩余")}[language]
    from kesu import i18n

    i18n.choose(language)
    try:
        from kesu.values import format_left

        shown = format_left(-90, "business", translate=True)
    finally:
        i18n.choose("en")
    for word, header in zip(words, (*headers, None)):
        assert word in page
        assert word.strip('"「」') in (header or shown)


def test_paragraphs_stay_apart(tmp_path):
    page = help_page(["alert"], "zh-CN", tmp_path)
    assert page.count("\n\n") >= 3


@given(st.lists(st.sampled_from(["草莓", "霉变", "food_safety", "，", "。", "kesu", " ", "（", "）", "a" * 30]),
                max_size=40), st.integers(20, 90))
def test_fill_keeps_every_word_and_the_width(pieces, width):
    text = "".join(pieces).strip()
    lines = fill(text, width, "  ", "  ").splitlines()
    assert all(cells(line) <= width for line in lines)
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)


def test_short_help_is_the_first_sentence_in_the_width():
    assert short_help("与远端同步：拉取并变基，然后推送。出错时说明。", 20) == "与远端同步：拉取并…"
    assert short_help("Sync with the remote. Then more.", 45) == "Sync with the remote."
    assert join_lines(["恰好到期", "算作红灯", "kesu", "alert"]) == "恰好到期算作红灯 kesu alert"
