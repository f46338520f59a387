"""What a shell user expects of any command: --version, completion, help, -h, pipes."""

from __future__ import annotations

import subprocess
from importlib.metadata import version

import pytest

from conftest import KESU, kesu, kesu_process


def test_version_prints_the_installed_version(tmp_path):
    result = kesu("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"kesu {version('kesu')}\n")


@pytest.mark.parametrize("args", [[], ["report"], ["policy"], ["library"]])
def test_a_command_alone_prints_its_help_on_stdout_and_exits_0(tmp_path, args):
    result = kesu(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: kesu") and result.stderr == ""


def test_shell_completion_is_offered(tmp_path):
    help_text = kesu("--help", cwd=tmp_path).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    # what --show-completion prints for bash (the shell is named here, not detected)
    shown = kesu_process(cwd=tmp_path, env={"_KESU_COMPLETE": "source_bash"})
    assert shown.returncode == 0 and "_KESU_COMPLETE" in shown.stdout


def test_shell_completion_completes_commands(tmp_path):
    result = kesu_process(cwd=tmp_path, env={"_KESU_COMPLETE": "complete_bash", "COMP_WORDS": "kesu ove",
                                             "COMP_CWORD": "1"})
    assert "overdue" in result.stdout


@pytest.mark.parametrize("args", [["list"], ["report", "kpi"], ["policy", "edit"], ["reply"], ["new"]])
def test_dash_h_is_help_everywhere(tmp_path, args):
    result = kesu(*args, "-h", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("Usage: kesu")


def test_a_closed_pipe_ends_quietly_with_status_0(sample_archive):
    for _ in range(3):  # whether kesu wrote before or after the reader left
        with subprocess.Popen([KESU, "list"], cwd=sample_archive, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as proc:
            proc.stdout.close()
            assert proc.wait(timeout=60) == 0
            assert proc.stderr.read() == b""


def test_head_on_a_long_listing_is_status_0(sample_archive):
    result = subprocess.run(f"'{KESU}' --no-pager list | head -1; exit ${{PIPESTATUS[0]}}", shell=True,
                            executable="/bin/bash", cwd=sample_archive, capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
