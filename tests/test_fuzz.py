"""Fuzz the read commands: hypothesis mutates the sample case files and kesu.yaml
(values swapped for other types, out of range, keys removed or written twice)
and runs every read command in this process. Whatever the files hold, each
command ends with exit 0, 1 or 2, without a traceback, and says what is wrong
with a file as one ``path:line: message`` line.

The example counts are fixed and the examples derandomized, so the suite runs
the same cases in the same time everywhere; raise ``KESU_FUZZ_EXAMPLES`` to
search longer by hand.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE_CASES, git, isolate_git, kesu
from kesu import yamlio

EXAMPLES = int(os.environ.get("KESU_FUZZ_EXAMPLES", "0")) or None


def fuzz(examples: int):
    return settings(max_examples=EXAMPLES or examples, deadline=None, derandomize=EXAMPLES is None,
                    database=None, suppress_health_check=list(HealthCheck))

#: One line about a file (path:line: message), a line of kesu's own, or validate's summary.
ERROR_LINE = re.compile(r"^((kesu\.yaml|cases/[^:\s]+\.yaml):\d+: \S.*"
                        r"|kesu: \S.*|\d+ case files checked, .*|kesu: warning: .*)$")

SAMPLE_IDS = sorted(path.stem for path in SAMPLE_CASES.rglob("*.yaml"))

#: Values of every type and size that a hand edit or a broken tool might leave.
ODD_VALUES = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**6, max_value=10**6), st.sampled_from([10**30, -10**30, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "abc", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                     "2026-02-30T10:00:00+08:00", "2026-11-23", "39.999", "-0.0", "1" * 400,
                     "\x1b[2J\r", "intake", "closed", "product", "li.ming", "10:00-09:00", "25:00-26:00",
                     "5wd", "0m", "-1h", "Mars/Olympus"]),
    st.lists(st.integers(), max_size=2), st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.sampled_from(["at", "by", "x", "amount", "kind"]), st.integers(), max_size=2),
)


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _mutate(data, draw) -> str:
    """Change ``data`` in place at one path it has; return what was done (for the failure report)."""
    paths = list(_paths(data))
    path = draw(st.sampled_from(paths))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    how = draw(st.sampled_from(["replace", "replace", "replace", "remove", "empty", "add"]))
    if how == "remove":
        del parent[path[-1]]
    elif how == "empty":
        parent[path[-1]] = draw(st.sampled_from([None, "", [], {}]))
    elif how == "add" and isinstance(parent[path[-1]], dict):
        parent[path[-1]][draw(st.sampled_from(["at", "id", "state", "x", "to"]))] = draw(ODD_VALUES)
    else:
        parent[path[-1]] = copy.deepcopy(draw(ODD_VALUES))
    return f"{how} {'/'.join(map(str, path))}"


def _dump(data, draw) -> str:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
    if draw(st.integers(0, 9)) == 0 and isinstance(data, dict) and data:  # a key written twice
        key = draw(st.sampled_from(list(data)))
        text += yaml.safe_dump({key: None}, allow_unicode=True)
    return text


@pytest.fixture(scope="module")
def fuzz_desk(tmp_path_factory):
    home = tmp_path_factory.mktemp("fuzz-home")
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, home)
        root = tmp_path_factory.mktemp("fuzz") / "desk"
        assert kesu("init", str(root)).returncode == 0
        shutil.copytree(SAMPLE_CASES, root / "cases", dirs_exist_ok=True)
        git(root, "add", "cases")
        git(root, "commit", "-q", "-m", "sample cases")
        files = sorted((root / "cases").rglob("*.yaml")) + [root / "kesu.yaml"]
        yield root, {path: path.read_text(encoding="utf-8") for path in files}, mp


def _restore(originals: dict[Path, str]) -> None:
    for path, text in originals.items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def _read_commands(case_id: str, draw) -> list[list[str]]:
    kind = draw(st.sampled_from(["ack", "plan", "objection", "resolution", "follow-up", "delay"]))
    return [["validate"], ["list", "--format", draw(st.sampled_from(["table", "json", "csv"]))],
            ["overdue", "--now", "2026-11-25T12:00", "--format", draw(st.sampled_from(["table", "json", "github"]))],
            ["show", case_id, "--format", draw(st.sampled_from(["text", "json", "yaml"]))],
            ["reply", case_id, kind], ["history", case_id],
            ["report", "monthly", "--month", "2026-11", "--now", "2026-11-30T12:00",
             "--format", draw(st.sampled_from(["table", "json", "csv", "markdown", "html"]))],
            ["report", "kpi", "--month", "2026-11", "--now", "2026-11-30T12:00"]]


def _check(args: list[str], result, done: list[str]) -> None:
    where = f"kesu {' '.join(args)} after {done}"
    assert result.returncode in (0, 1, 2), f"{where}: exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout, f"{where}\n{result.stderr}"
    for line in result.stderr.splitlines():
        assert ERROR_LINE.match(line), f"{where}: not one path:line: message line: {line!r}"


def _run(fuzz_desk, data_strategy, target_of) -> None:
    root, originals, _ = fuzz_desk
    draw = data_strategy.draw
    _restore(originals)
    target = target_of(originals, draw)
    data = yamlio.load(originals[target])
    done = [_mutate(data, draw) for _ in range(draw(st.integers(1, 3)))]
    target.write_text(_dump(data, draw), encoding="utf-8")
    case_id = target.stem if target.name != "kesu.yaml" else draw(st.sampled_from(SAMPLE_IDS))
    for args in _read_commands(case_id, draw):
        _check(args, kesu(*args, cwd=root), done)
    _restore(originals)


@fuzz(120)
@given(st.data())
def test_no_case_file_makes_a_read_command_crash(fuzz_desk, data):
    _run(fuzz_desk, data, lambda files, draw: draw(st.sampled_from(
        sorted(p for p in files if p.name != "kesu.yaml"))))


@fuzz(80)
@given(st.data())
def test_no_kesu_yaml_makes_a_read_command_crash(fuzz_desk, data):
    _run(fuzz_desk, data, lambda files, draw: next(p for p in files if p.name == "kesu.yaml"))
