"""kesu.cli.run: the entry point of the installed ``kesu``, called many times in one process.

Most tests run kesu in-process through conftest's ``kesu()``; these check that
doing so is safe (nothing of one command outlives it) and that it answers as
the installed command does.
"""

from __future__ import annotations

import errno
import io
import os
import sys

import pytest

from conftest import kesu, kesu_process
from kesu import cli


def test_archive_given_before_the_command_lasts_for_that_command_only(archive, tmp_path,
                                                                      monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    environ, hook = dict(os.environ), sys.excepthook
    streams = sys.stdin, sys.stdout, sys.stderr
    assert cli.run(["--archive", str(archive), "validate"]) == 0
    assert dict(os.environ) == environ
    assert (sys.stdin, sys.stdout, sys.stderr) == streams
    assert sys.excepthook is hook
    capsys.readouterr()
    assert cli.run(["validate"]) == 2
    assert "no kesu archive here or above" in capsys.readouterr().err


def test_archive_before_and_after_the_command_finds_the_same_archive(archive, tmp_path):
    before = kesu("--archive", str(archive), "list", "--format", "json", cwd=tmp_path)
    after = kesu("list", "--format", "json", "--archive", str(archive), cwd=tmp_path)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout == after.stdout == "[]\n"


def test_run_returns_instead_of_exiting_when_typer_exits(tmp_path):
    # typer leaves through sys.exit for a shell completion request
    env = {"_KESU_COMPLETE": "no_such_shell_source"}
    inside, outside = kesu(cwd=tmp_path, env=env), kesu_process(cwd=tmp_path, env=env)
    assert inside.returncode == outside.returncode == 1
    assert (inside.stdout, inside.stderr) == (outside.stdout, outside.stderr)


def test_a_reader_that_went_away_gives_status_0_and_the_streams_back(monkeypatch):
    class GoneReader(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    gone = GoneReader()
    monkeypatch.setattr(sys, "stdout", gone)
    # 'kesu list | head -1': the reader had what it wanted; no problem was found
    assert cli.run(["--help"]) == 0
    assert sys.stdout is gone


@pytest.mark.parametrize("args", [
    [], ["--help"], ["nosuch"], ["list", "--format", "bad"], ["show", "KS-20261123-AAAAAA"],
    ["validate", "--format", "json"], ["show", "KS-20261008-JQ5FFJ", "--format", "yaml"],
], ids=["no-args", "help", "unknown", "bad-choice", "unknown-case", "validate", "chinese"])
def test_in_process_answers_as_the_installed_command(sample_archive, args):
    inside = kesu(*args, cwd=sample_archive)
    outside = kesu_process(*args, cwd=sample_archive)
    assert (inside.returncode, inside.stdout, inside.stderr) == \
        (outside.returncode, outside.stdout, outside.stderr)
