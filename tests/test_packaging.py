"""The built wheel carries everything the installed command needs."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import PROJECT


def test_the_wheel_ships_templates_schemas_samples_and_runs_without_the_checkout(tmp_path):
    dist, target = tmp_path / "dist", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(dist), str(PROJECT)], check=True, capture_output=True)
    wheel = next(dist.glob("kesu-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("kesu/templates/reply/ack.zh-CN.j2", "kesu/templates/reply/delay.en.j2",
                    "kesu/templates/library/entry.zh-CN.md.j2", "kesu/schemas/case.schema.json",
                    "kesu/schemas/config.schema.json", "kesu/default_policy.yaml",
                    "kesu/locale/zh_CN/LC_MESSAGES/kesu.mo"):
        assert shipped in names, shipped
    assert any(n.startswith("kesu/cases/2026/") and n.endswith(".yaml") for n in names)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    # Run from the installed copy, far from the checkout: it must find its own files.
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import kesu.resources as r; print(r.shipped('templates'))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(target)
    demo = subprocess.run([sys.executable, "-m", "kesu", "demo", "--keep", str(tmp_path / "demo")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert "follow-up (resolved -> closed)" in demo.stdout
    check = subprocess.run([sys.executable, "-m", "kesu", "validate", "--archive", str(tmp_path / "demo")],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    chinese = subprocess.run([sys.executable, "-m", "kesu", "--help"], cwd=tmp_path,
                             env={**env, "KESU_LANG": "zh-CN"}, capture_output=True, text=True)
    assert chinese.stdout.startswith("用法：kesu"), chinese.stdout[:200]
