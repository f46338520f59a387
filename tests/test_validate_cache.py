"""The validate cache trusts a "clean" verdict only under the rules it was reached under.

A verdict is keyed by the policy and by a digest of kesu's own code and
schemas, so a changed rule re-checks every file; ``--no-cache`` reads and
checks every file afresh and leaves the cache alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, kesu
from kesu import cache, validate
from kesu.archive import Archive

CASE = "cases/2026/10/KS-20261020-GNV8P6.yaml"  # has store: 旗舰店 and channel: hotline
A_NEW_RULE = "a rule kesu did not have when this file was found clean"


def cache_file(root: Path) -> Path:
    return root / ".git" / "kesu-cache" / "cases.json"


def check(root: Path) -> list[str]:
    """``kesu validate`` in this process, on a fresh view of the archive."""
    _, findings = validate.check_archive(Archive(root))
    return [f.message for f in findings]


def test_the_digest_covers_every_module_and_schema_and_is_computed_once():
    assert cache.rules_digest() == cache.rules_digest()
    assert cache.rules_digest.cache_info().currsize == 1
    assert len(cache.rules_digest()) == 64


def test_a_changed_rule_rechecks_files_the_cache_called_clean(sample_archive, monkeypatch):
    assert check(sample_archive) == []
    monkeypatch.setattr(validate, "money_findings", lambda case, policy: [(("id",), A_NEW_RULE)])
    # Same code files on disk: the cache has no reason to doubt its verdicts.
    assert check(sample_archive) == []
    monkeypatch.setattr(cache, "rules_digest", lambda: "the rules have changed")
    found = check(sample_archive)
    assert found and set(found) == {A_NEW_RULE}
    assert len(found) == len(list((sample_archive / "cases").glob("*/*/*.yaml")))


def test_a_changed_policy_still_rechecks(sample_archive, monkeypatch):
    assert check(sample_archive) == []
    monkeypatch.setattr(validate, "money_findings", lambda case, policy: [(("id",), A_NEW_RULE)])
    policy = sample_archive / "kesu.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert A_NEW_RULE in check(sample_archive)


@pytest.fixture
def own_kesu(tmp_path) -> Path:
    """A copy of the kesu package with its own schemas, as a wheel installs it."""
    site = tmp_path / "site"
    shutil.copytree(PROJECT / "cli" / "kesu", site / "kesu", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "schemas", site / "kesu" / "schemas")
    imported = subprocess.run([sys.executable, "-c", "import kesu; print(kesu.__file__)"], capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(site)}, check=True).stdout
    assert imported.strip() == str(site / "kesu" / "__init__.py")
    return site


def kesu_from(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "kesu", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_stricter_shipped_schema_rechecks_a_cached_file(sample_archive, own_kesu):
    assert kesu_from(own_kesu, "validate", cwd=sample_archive).returncode == 0
    assert kesu_from(own_kesu, "validate", cwd=sample_archive).returncode == 0  # from the cache
    schema = own_kesu / "kesu" / "schemas" / "case.schema.json"
    stricter = json.loads(schema.read_text(encoding="utf-8"))
    stricter["properties"]["store"]["maxLength"] = 2
    schema.write_text(json.dumps(stricter, ensure_ascii=False, indent=2), encoding="utf-8")
    result = kesu_from(own_kesu, "validate", cwd=sample_archive)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CASE}:6: store: '旗舰店' is too long" in result.stdout


def _change_in_place_unseen(path: Path, old: str, new: str) -> None:
    """Change a file keeping its size, inode and mtime: the stat data the cache trusts."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    data = path.read_bytes().replace(old.encode(), new.encode(), 1)
    with open(path, "r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_no_cache_finds_a_problem_the_cache_would_hide(sample_archive):
    assert kesu("validate", cwd=sample_archive).returncode == 0
    _change_in_place_unseen(sample_archive / CASE, "channel: hotline", "channel: hotlime")
    cached = cache_file(sample_archive).read_bytes()
    assert kesu("validate", cwd=sample_archive).returncode == 0  # the cache vouches for the old file

    result = kesu("validate", "--no-cache", cwd=sample_archive)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{CASE}:5: channel 'hotlime' is not in kesu.yaml vocabularies.channels")
    assert result.stderr == "9 case files checked, 1 finding in 1 file\n"
    assert cache_file(sample_archive).read_bytes() == cached  # neither trusted nor rewritten


def test_no_cache_writes_no_cache(sample_archive):
    assert not cache_file(sample_archive).exists()
    result = kesu("validate", "--no-cache", "--format", "json", cwd=sample_archive)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith('{\n  "checked": 9,')
    assert not cache_file(sample_archive).exists()


def test_no_cache_reports_an_unreadable_file_as_the_cached_check_does(sample_archive):
    bad = sample_archive / CASE
    bad.write_text("- a list, not a case\n", encoding="utf-8")
    with_cache = kesu("validate", cwd=sample_archive)
    without = kesu("validate", "--no-cache", cwd=sample_archive)
    assert with_cache.returncode == without.returncode == 1
    assert with_cache.stdout == without.stdout == f"{CASE}:1: a case file must be a mapping\n"
