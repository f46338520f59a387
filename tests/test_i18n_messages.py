"""Messages found outside the refusals of steps: kesu.yaml's problems, a clone's freshness
and set-up, git's operations under way, an import's unknown code, a folder kesu cannot
make, the plural of a summary — each in the desk's language, and English with no Chinese."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import git, kesu
from test_i18n import REFUSALS, english_words

HAN = re.compile(r"[\u4e00-\u9fff]")


def zh(*args, cwd, **env):
    return kesu(*args, cwd=cwd, env={"KESU_LANG": "zh-CN", "COLUMNS": "200", **env})


def en(*args, cwd):
    return kesu(*args, cwd=cwd, env={"KESU_LANG": "en", "COLUMNS": "200"})


#: kesu.yaml broken one way each: (text replaced, replacement, what the Chinese refusal says).
BROKEN_POLICY = {
    "a number that is a word": ("warn_left: 0.40", "warn_left: lots", "数字"),
    "a limit that is no duration": ("limit: 30m", "limit: soon", "30m、4h"),
    "a clock kesu has not": ("limit: 30m, clock: business", "limit: 30m, clock: fast", "营业时间 (business)"),
}


@pytest.mark.parametrize("old,new,said", list(BROKEN_POLICY.values()), ids=list(BROKEN_POLICY))
def test_a_kesu_yaml_problem_speaks_the_desk_language(sample_archive, old, new, said):
    policy = sample_archive / "kesu.yaml"
    text = policy.read_text(encoding="utf-8")
    assert old in text
    policy.write_text(text.replace(old, new, 1), encoding="utf-8")
    chinese = zh("overdue", cwd=sample_archive)
    assert chinese.returncode == 2 and said in chinese.stderr, chinese.stderr
    assert english_words(chinese.stderr.replace(new, "")) == [] and "[" not in chinese.stderr, chinese.stderr
    assert "^" not in chinese.stderr, chinese.stderr
    english = en("overdue", cwd=sample_archive)
    assert english.returncode == 2 and not HAN.search(english.stderr), english.stderr
    assert "['" not in english.stderr and "^" not in english.stderr, english.stderr


def test_an_unknown_key_of_kesu_yaml_is_found_at_its_line(sample_archive):
    policy = sample_archive / "kesu.yaml"
    lines = policy.read_text(encoding="utf-8").splitlines()
    policy.write_text("\n".join(lines + ["colour: red"]) + "\n", encoding="utf-8")
    refused = zh("overdue", cwd=sample_archive)
    assert refused.returncode == 2 and refused.stderr.startswith(f"kesu.yaml:{len(lines) + 1}: "), refused.stderr
    assert f"kesu.yaml:{len(lines) + 1}: " in en("validate", cwd=sample_archive).stdout


def _no_settings(text: str) -> str:
    """Without git's settings (``pull.rebase = true``), paths and commands, written as git reads them."""
    return re.sub(r"^.* = .*$|\S*[/.]\S*|'[^']*'", "", text, flags=re.M)


def test_the_team_lines_speak_the_desk_language(tmp_path):
    assert kesu("init", "o", cwd=tmp_path).returncode == 0
    git(tmp_path, "clone", "-q", "--bare", "o", "hub.git")
    cloned = zh("clone", "hub.git", "c", cwd=tmp_path)
    assert cloned.returncode == 0, cloned.stderr
    assert english_words(_no_settings(cloned.stdout)) == [], cloned.stdout
    clone = tmp_path / "c"
    shown = kesu("clone", "hub.git", "d", cwd=tmp_path, env={"KESU_LANG": "", "LANG": "C", "LC_ALL": ""})
    assert HAN.search(shown.stdout), shown.stdout  # no archive where it starts: the clone's own locale
    set_up = zh("setup", cwd=clone)
    assert set_up.returncode == 0 and english_words(_no_settings(set_up.stdout)) == [], set_up.stdout
    assert zh("sync", cwd=clone).returncode == 0
    (clone / "README.x").write_text("x\n", encoding="utf-8")
    git(clone, "add", "README.x")
    git(clone, "commit", "-qm", "x")
    for command in ("list", "overdue"):
        line = zh(command, cwd=clone).stderr
        assert "刚刚" in line and "origin" in line and "1 个提交" in line, line
        assert english_words(line.replace("origin", "")) == [], line
        assert not HAN.search(en(command, cwd=clone).stderr)


def test_an_unfinished_merge_is_named_in_the_desk_language(sample_archive):
    git(sample_archive, "checkout", "-qb", "side")
    (sample_archive / "README.x").write_text("x\n", encoding="utf-8")
    git(sample_archive, "add", "README.x")
    git(sample_archive, "commit", "-qm", "x")
    git(sample_archive, "checkout", "-q", "-")
    git(sample_archive, "merge", "--no-ff", "--no-commit", "side")
    refused = zh("note", "M6HS1M", "看看", "--actor", "li.ming", cwd=sample_archive)
    assert refused.returncode == 2 and "合并" in refused.stderr, refused.stderr
    assert english_words(refused.stderr) == [], refused.stderr
    assert "a merge is in progress" in en("note", "M6HS1M", "看看", "--actor", "li.ming", cwd=sample_archive).stderr


def test_an_imported_code_kesu_does_not_know_is_named_in_the_desk_language(sample_archive):
    ledger = sample_archive / "ledger.csv"
    ledger.write_text("at,channel,customer,contact,summary,facts,emotion\n"
                      "2026-11-20 10:00,火星,王女士,13800138000,草莓霉变,霉变,calm\n", encoding="utf-8")
    refused = zh("import", "ledger.csv", "--actor", "zhang.san", cwd=sample_archive)
    assert refused.returncode == 2 and "火星" in refused.stderr, refused.stderr
    mapping_key = "values"  # the mapping file's key, written as it is there
    assert "渠道 (channel)" in refused.stderr, refused.stderr
    assert english_words(refused.stderr.replace(mapping_key, "")) == [], refused.stderr


def test_english_messages_carry_no_chinese(sample_archive):
    """The desk's standards are named in the Chinese translation only."""
    args = [a for a in REFUSALS["senior owner needed"]]
    english = en(*args, cwd=sample_archive)
    assert english.returncode == 2 and not HAN.search(english.stderr), english.stderr
    assert "分层沟通" in zh(*args, cwd=sample_archive).stderr


@pytest.mark.parametrize("command", [["init", "/proc/kesu-nowhere/x"], ["demo", "--keep", "/proc/kesu-nowhere/x"]])
def test_a_folder_kesu_cannot_make_is_bad_input_not_a_bug(tmp_path, command):
    for speak in (zh, en):
        refused = speak(*command, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        last = refused.stderr.strip().splitlines()[-1]
        assert "/proc/kesu-nowhere/x" in last and "Traceback" not in refused.stderr, refused.stderr
        assert "FileNotFoundError" not in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_validate_summary_says_its_plurals(sample_archive):
    path = next(sample_archive.glob("cases/*/*/*WFC458.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("state: received", "state: lost"), encoding="utf-8")
    summary = en("validate", cwd=sample_archive).stderr.strip()
    assert re.fullmatch(r"\d+ case files checked, \d+ findings? in 1 file", summary), summary
    assert "1 个文件中有" in zh("validate", cwd=sample_archive).stderr
    shutil.rmtree(sample_archive / "cases")
