"""What a desk reads besides the commands' own output: alerts (in the archive's
locale, whatever the command speaks), an import's per-row notes, kesu's own --help."""

from __future__ import annotations

import json
import re

import pytest

from conftest import git, kesu
from test_i18n import english_words
from test_import import chain, write_csv  # noqa: F401  (chain is a fixture)

HAN = re.compile(r"[\u4e00-\u9fff]")


def _alert_texts(root, lang: str) -> list[str]:
    from test_alerts import dispatched

    case = dispatched(root)
    result = kesu("alert", "--dry-run", "--format", "json", "--now", "2026-11-24T11:00", cwd=root,
                  env={"KESU_LANG": lang})
    assert result.returncode == 0, result.stderr
    messages = json.loads(result.stdout)["messages"]
    assert messages
    data = [case, "SH01", "li.ming", "zhang.san"]
    texts = []
    for message in messages:
        text = message["text"] + "\n" + message["cases"][0]["late"]
        for word in data + [message["name"]]:
            text = text.replace(word, "")
        texts.append(text)
    return texts


@pytest.mark.parametrize("command_lang", ["en", "zh-CN"])
def test_an_alert_in_a_zh_cn_archive_has_no_english(archive, command_lang):
    for text in _alert_texts(archive, command_lang):
        assert HAN.search(text) and english_words(text) == [], text


@pytest.mark.parametrize("command_lang", ["en", "zh-CN"])
def test_an_alert_in_an_english_archive_has_no_chinese_but_data(archive, command_lang):
    policy = archive / "kesu.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("locale: zh-CN", "locale: en"), encoding="utf-8")
    git(archive, "commit", "-qam", "English")
    for text in _alert_texts(archive, command_lang):
        assert not HAN.search(text.replace("草莓霉变", "")), text
        assert "late" in text and "need you" in text, text


def test_an_import_dry_run_names_bad_rows_in_chinese(chain, tmp_path):  # noqa: F811
    header = ["at", "store", "channel", "customer", "contact", "summary", "facts", "emotion", "resolved-at",
              "closed-at"]
    good = ["2026-03-01 10:00", "S01", "hotline", "李先生", "13900139000", "找零错误", "少找十元", "calm", "", ""]
    rows = [header, good,
            ["2099-03-02 14:05", *good[1:]],                                      # in the future
            [*good[:8], "2026-02-01 10:00", ""],                                  # resolved before received
            [*good[:8], "2026-03-05 10:00", "2026-03-04 10:00"],                  # closed before resolved
            ["1900-03-02 14:05", *good[1:]],                                      # outside kesu's years
            good]                                                                 # the same complaint twice
    path = write_csv(tmp_path / "bad.csv", rows, "utf-8")
    dry = kesu("import", str(path), "--actor", "wang.fang", "--owner", "li.ming", "--dry-run", cwd=chain,
               env={"KESU_LANG": "zh-CN"})
    assert dry.returncode == 1, dry.stderr
    lines = [line for line in dry.stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(lines) >= 5, dry.stderr
    for line in lines:
        message = line.split(": ", 1)[1]
        assert HAN.search(message) and english_words(message) == [], line
    assert english_words(dry.stdout) == [], dry.stdout


def test_kesu_help_in_chinese_has_no_english(tmp_path):
    """typer's own options (shell completion) included."""
    result = kesu("--help", cwd=tmp_path, env={"KESU_LANG": "zh-CN"})
    assert result.returncode == 0 and "--install-completion" in result.stdout, result.stderr
    from kesu.cli import COMMANDS

    lines = [line for line in result.stdout.splitlines() if "示例" not in line and "kesu " not in line]
    assert [w for w in english_words("\n".join(lines)) if w not in COMMANDS] == [], result.stdout
