"""kesu report monthly over several archives (a chain split by region): the
figures of one archive holding every case, not an average of the archives'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kesu import yamlio
from kesu.config import Policy

import synthetic
from conftest import git, kesu

NOW = "2026-12-05T12:00:00+08:00"
LATE = {d: ["10:00-23:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
STORES = {"SH-001": {"name": "1号店", "region": "华东"},
          "SH-002": {"name": "2号店", "region": "华东", "business_hours": LATE},
          "BJ-001": {"name": "北京店", "region": "华北"}}


def desk(tmp_path: Path, name: str, stores: list[str], cases: dict) -> Path:
    root = tmp_path / name
    assert kesu("init", str(root)).returncode == 0
    data = yamlio.load((root / "kesu.yaml").read_text(encoding="utf-8"))
    data["stores"] = {code: STORES[code] for code in stores}
    (root / "kesu.yaml").write_text(yamlio.dump(data), encoding="utf-8")
    synthetic.write_cases(root, {p: c for p, c in cases.items() if c["store"] in stores})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "cases")
    return root


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    from conftest import isolate_git

    tmp = tmp_path_factory.mktemp("regions")
    mp = pytest.MonkeyPatch()
    (tmp / "home").mkdir()
    isolate_git(mp, tmp / "home")
    try:
        policy = Policy.load(Path(__file__).parents[1] / "cli" / "kesu" / "default_policy.yaml")
        cases = synthetic.make_cases(policy, 220, seed=5)
        yield {"east": desk(tmp, "east", ["SH-001", "SH-002"], cases),
               "north": desk(tmp, "north", ["BJ-001"], cases),
               "whole": desk(tmp, "whole", ["SH-001", "SH-002", "BJ-001"], cases),
               "other_east": desk(tmp, "other-east", ["SH-002"], {})}
    finally:
        mp.undo()


def report(*args: str) -> object:
    result = kesu("report", "monthly", "--now", NOW, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("month", ["2026-09", "2026-11"])
def test_two_archives_report_as_one_archive_holding_both(made, month):
    merged = json.loads(report("--month", month, "--format", "json",
                               "--archive", str(made["east"]), "--archive", str(made["north"])))
    whole = json.loads(report("--month", month, "--format", "json", "--archive", str(made["whole"])))
    assert merged["received"] == sum(json.loads(report("--month", month, "--format", "json",
                                                       "--archive", str(made[a])))["received"]
                                     for a in ("east", "north"))
    assert merged["received"] > 0 and len(merged["stores"]) == 3
    assert merged == whole


def test_the_text_and_markdown_reports_merge_too(made):
    for fmt in ("table", "markdown", "csv"):
        merged = report("--month", "2026-10", "--format", fmt,
                        "--archive", str(made["north"]), "--archive", str(made["east"]))
        assert merged == report("--month", "2026-10", "--format", fmt, "--archive", str(made["whole"]))


def test_a_store_of_two_archives_is_refused_naming_it(made):
    result = kesu("report", "monthly", "--now", NOW, "--archive", str(made["east"]),
                  "--archive", str(made["other_east"]))
    assert result.returncode == 2
    assert "SH-002" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_one_store_of_several_archives(made):
    merged = report("--month", "2026-10", "--format", "json", "--store", "BJ-001",
                    "--archive", str(made["east"]), "--archive", str(made["north"]))
    assert json.loads(merged) == json.loads(report("--month", "2026-10", "--format", "json",
                                                   "--store", "BJ-001", "--archive", str(made["whole"])))
