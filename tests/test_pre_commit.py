"""The kesu-validate hook of .pre-commit-hooks.yaml, run by the pre-commit framework."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT, git, new_case

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


def install_hook(archive: Path, monkeypatch, language: str = "system") -> dict:
    """The project's hook definition, as a local hook of the archive.

    ``language: python`` would make pre-commit build kesu from scratch in a
    virtualenv of its own (network, a minute); ``system`` runs the kesu that
    is installed, which is the same code. The slow, real install is below.
    """
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = {**next(h for h in hooks if h["id"] == "kesu-validate"), "language": language}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (archive / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(archive, "add", ".pre-commit-config.yaml")
    git(archive, "commit", "-q", "-m", "pre-commit hook")
    # The hook runs inside every git commit, kesu's own included: it finds the
    # kesu of this environment on PATH, as it would on a desk's machine.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(archive.parent / "pre-commit-home"))
    env = dict(os.environ)
    subprocess.run([PRE_COMMIT, "install"], cwd=archive, env=env, check=True, capture_output=True)
    return env


def test_the_hook_refuses_a_broken_case_and_lets_a_good_one_through(archive, monkeypatch):
    env = install_hook(archive, monkeypatch)
    case = new_case(archive)
    path = next((archive / "cases").rglob(f"{case}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("state: received", "state: lost"), encoding="utf-8")
    refused = subprocess.run(["git", "commit", "-qam", "hand edit"], cwd=archive, env=env,
                             capture_output=True, text=True)
    assert refused.returncode != 0
    assert "kesu validate" in refused.stdout + refused.stderr
    assert f"cases/2026/11/{case}.yaml:3: state: 'lost' is not one of" in refused.stdout + refused.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("state: lost", "state: received")
                    + "# reviewed\n", encoding="utf-8")
    accepted = subprocess.run(["git", "commit", "-qam", "a remark"], cwd=archive, env=env,
                              capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


@pytest.mark.skipif(os.environ.get("KESU_SLOW") != "1", reason="installs kesu from scratch with network: KESU_SLOW=1")
def test_the_hook_installs_itself_from_the_kesu_repository(archive):
    env = {**os.environ, "PRE_COMMIT_HOME": str(archive.parent / "pre-commit-home")}
    new_case(archive)
    result = subprocess.run([PRE_COMMIT, "try-repo", str(PROJECT), "kesu-validate", "--all-files"],
                            cwd=archive, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
