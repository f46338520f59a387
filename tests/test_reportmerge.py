"""kesu report monthly and kesu report kpi over several archives (a chain split
by region): the figures of one archive holding every case, not an average of
the archives'."""

from __future__ import annotations

import json
import re
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


def desk(tmp_path: Path, name: str, stores: list[str], cases: dict, **config) -> Path:
    root = tmp_path / name
    assert kesu("init", str(root)).returncode == 0
    data = yamlio.load((root / "kesu.yaml").read_text(encoding="utf-8"))
    data["stores"] = {code: STORES[code] for code in stores}
    for key, value in config.items():  # reports_kpi_pass_mark: reports.kpi.pass_mark
        *parents, last = key.split("__")
        node = data
        for parent in parents:
            node = node[parent]
        node[last] = value
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
               "other_east": desk(tmp, "other-east", ["SH-002"], {}),
               "north_org": desk(tmp, "north-org", ["BJ-001"], cases, org="北方超市有限公司"),
               "tokyo": desk(tmp, "tokyo", [], {}, timezone="Asia/Tokyo"),
               "strict": desk(tmp, "strict", [], {}, reports__kpi__pass_mark=90)}
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


# --- the HTML monthly report and the KPI card over several archives ---

def both(made, first="east", second="north") -> list[str]:
    return ["--archive", str(made[first]), "--archive", str(made[second])]


def page_figures(page: str) -> list[str]:
    """What a reader sees in the page, heading, cell and bar by bar, with
    the time it was generated left out."""
    page = re.sub(r'<p class="meta">.*?</p>', "", page)
    return re.findall(r'<(?:h[123]|th|td|figcaption)[^>]*>(.*?)</|data-label="([^"]*)" data-value="([^"]*)"', page)


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_the_html_report_of_two_archives_is_that_of_one_holding_both(made, month):
    merged = report("--month", month, "--format", "html", *both(made))
    whole = report("--month", month, "--format", "html", "--archive", str(made["whole"]))
    figures = page_figures(merged)
    assert figures == page_figures(whole)
    shown = {cell for row in figures for cell in row}
    assert {"SH-001", "SH-002", "BJ-001"} <= shown
    # the lights at month end add up to the cases open then, over both archives
    data = json.loads(report("--month", month, "--format", "json", *both(made)))
    lights = re.search(r'<svg id="chart-lights".*?</svg>', merged).group(0)
    values = [int(v) for v in re.findall(r'data-value="(\d+)"', lights)]
    assert sum(values) == data["open_at_month_end"] > 0
    assert sum(values[:3]) > 0  # lights read from each case's own archive, not "no running deadline"


def test_the_html_report_of_one_store_of_several_archives(made):
    merged = report("--month", "2026-11", "--format", "html", "--store", "BJ-001", *both(made))
    whole = report("--month", "2026-11", "--format", "html", "--store", "BJ-001",
                   "--archive", str(made["whole"]))
    assert page_figures(merged) == page_figures(whole)


def test_archives_of_different_organisations_name_them_all(made):
    page = report("--month", "2026-11", "--format", "html", *both(made, "east", "north_org"))
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    assert "示例零售有限公司 / 北方超市有限公司" in meta
    data = json.loads(report("--month", "2026-11", "--format", "json", *both(made, "east", "north_org")))
    assert data["org"] == "示例零售有限公司 / 北方超市有限公司"
    card = kpi("--month", "2026-11", "--format", "json", *both(made, "east", "north_org"))
    assert json.loads(card)["org"] == data["org"]
    single = json.loads(report("--month", "2026-11", "--format", "json", "--archive", str(made["north_org"])))
    assert single["org"] == "北方超市有限公司"


INPUTS = """\
2026-10: {channel_notice_findings: 1, phone_answer_rate: 0.96}
2026-11: {onsite_intake_problems: 1, phone_answer_rate: 0.93, concealed: 1}
stores:
  BJ-001:
    2026-11: {channel_notice_findings: 2, phone_answer_rate: 0.97}
  SH-002:
    2026-10: {unreported_serious: 1}
"""


def kpi(*args: str) -> str:
    result = kesu("report", "kpi", "--now", NOW, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("period", [["--month", "2026-11"], ["--quarter", "2026-Q4"]])
def test_the_kpi_card_of_two_archives_is_that_of_one_holding_both(made, tmp_path, period):
    inputs = tmp_path / "kpi-inputs.yaml"
    inputs.write_text(INPUTS, encoding="utf-8")
    merged = json.loads(kpi(*period, "--inputs", str(inputs), "--format", "json", *both(made)))
    whole = json.loads(kpi(*period, "--inputs", str(inputs), "--format", "json", "--archive", str(made["whole"])))
    assert merged == whole
    assert {row["store"] for row in merged["stores"]} == {"SH-001", "SH-002", "BJ-001"}
    # the chain's 24-hour rate counts the cases of both archives, not an average of their rates
    november = next(m for m in merged["months"] if m["month"] == "2026-11")
    counted = next(i for i in november["items"] if i["item"] == "resolution_24h")["input"]["cases"]
    alone = [json.loads(kpi("--month", "2026-11", "--format", "json", "--archive", str(made[a])))
             for a in ("east", "north")]
    assert counted == sum(next(i for i in card["months"][0]["items"] if i["item"] == "resolution_24h")
                          ["input"]["cases"] for card in alone) > 0


def test_every_kpi_format_merges(made, tmp_path):
    inputs = tmp_path / "kpi-inputs.yaml"
    inputs.write_text(INPUTS, encoding="utf-8")
    for fmt in ("table", "markdown", "html"):
        merged = kpi("--quarter", "2026-Q4", "--inputs", str(inputs), "--format", fmt, *both(made, "north", "east"))
        assert merged == kpi("--quarter", "2026-Q4", "--inputs", str(inputs), "--format", fmt,
                             "--archive", str(made["whole"]))


def test_one_store_s_kpi_card_of_several_archives(made, tmp_path):
    inputs = tmp_path / "kpi-inputs.yaml"
    inputs.write_text(INPUTS, encoding="utf-8")
    merged = kpi("--month", "2026-11", "--store", "北京店", "--inputs", str(inputs), "--format", "json",
                 *both(made, "north", "east"))
    whole = kpi("--month", "2026-11", "--store", "BJ-001", "--inputs", str(inputs), "--format", "json",
                "--archive", str(made["whole"]))
    assert json.loads(merged) == json.loads(whole)
    assert json.loads(merged)["store"] == "BJ-001"


def refused(*args: str) -> str:
    result = kesu("report", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


@pytest.mark.parametrize("command", [["monthly", "--format", "html"], ["kpi"], ["kpi", "--format", "json"]])
def test_refusals_over_several_archives_are_one_line(made, command):
    clash = refused(*command, "--now", NOW, *both(made, "east", "other_east"))
    assert "SH-002" in clash and str(made["east"]) in clash and str(made["other_east"]) in clash
    zones = refused(*command, "--now", NOW, *both(made, "east", "tokyo"))
    assert "Asia/Shanghai" in zones and "Asia/Tokyo" in zones and str(made["tokyo"] / "kesu.yaml") in zones


def test_a_kpi_card_over_archives_scoring_by_different_rules_is_refused(made):
    message = refused("kpi", "--now", NOW, *both(made, "east", "strict"))
    assert str(made["east"] / "kesu.yaml") in message and str(made["strict"] / "kesu.yaml") in message
    assert "pass_mark" in message
    # the monthly report does not score: the same archives report together
    assert json.loads(report("--month", "2026-11", "--format", "json", *both(made, "east", "strict")))


@pytest.mark.parametrize("command", [["monthly"], ["kpi"]])
def test_the_same_archive_given_twice_is_refused_not_counted_twice(made, command):
    twice = refused(*command, "--now", NOW, "--archive", str(made["east"]), "--archive", f"{made['east']}/./")
    assert "is given twice" in twice and str(made["east"]) in twice
