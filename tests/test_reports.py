"""Reports: every figure against a synthetic archive worked out by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from conftest import git, kesu
from kesu import kpi, reports, yamlio
from kesu.archive import Archive

TZ = "+08:00"
NOW = "2026-11-24T12:00:00+08:00"


def at(text: str) -> str:
    return f"2026-{text}:00{TZ}"


def case(case_id, received, channel, classification, steps, follow_up=None, level=1, store="旗舰店"):
    """A case file whose timeline walks ``steps`` = [(action, "MM-DDTHH:MM", to), ...]."""
    timeline, state = [{"at": at(received), "action": "intake", "to": "received", "by": "zhang.san"}], "received"
    for action, when, to in steps:
        timeline.append({"at": at(when), "action": action, "from": state, "to": to, "by": "li.ming"})
        state = to
    data = {"id": case_id, "schema_version": 1, "state": state, "received_at": at(received),
            "channel": channel, "store": store,
            "customer": {"name": f"顾客{case_id[-2:]}", "contact": f"1390000{case_id[-4:]}", "member_id": f"M{case_id[-6:]}"},
            "complaint": {"summary": "测试", "facts": "事实", "emotion": "calm"}, "timeline": timeline}
    if classification:
        category, subcategory, severity, risk = classification
        data["classification"] = {"category": category, "subcategory": subcategory,
                                  "risk": risk, "severity": severity}
        data["assignment"] = {"owner": "li.ming", "level": level}
        data["investigation"] = {"findings": [], "responsibility": "store", "root_cause": f"原因{category}"}
    if follow_up:
        data["follow_up"] = {"at": at(follow_up[0]), "by": "zhang.san", "satisfaction": follow_up[1]}
    return data


WALK = [("ack", None, "acknowledged"), ("dispatch", None, "dispatched"), ("investigate", None, "investigating"),
        ("propose", None, "plan_proposed"), ("notify", None, "customer_notified"), ("accept", None, "executing")]


def walk(times, tail):
    return [(a, t, to) for (a, _, to), t in zip(WALK, times)] + tail


CASES = [
    # A: exactly 24 h from intake to resolve; satisfied; every deadline met
    case("KS-20261005-AAAAAA", "10-05T10:00", "counter", ("product", "quality_defect", "general", "medium"),
         walk(["10-05T10:00", "10-05T10:30", "10-05T10:40", "10-05T11:00", "10-05T11:30", "10-05T11:40"],
              [("resolve", "10-06T10:00", "resolved"), ("follow-up", "10-06T12:00", "closed")]),
         follow_up=("10-06T12:00", "satisfied")),
    # B: dispatched late, objected and escalated, executed late; unsatisfied
    case("KS-20261010-BBBBBB", "10-10T19:00", "hotline", ("service", "attitude", "general", "low"),
         walk(["10-10T19:10", "10-11T10:30", "10-11T10:40", "10-11T11:00", "10-11T11:30"],
              [("object", "10-11T13:00", "objected"), ("escalate", "10-11T14:00", "investigating"),
               ("propose", "10-11T15:00", "plan_proposed"), ("notify", "10-11T15:30", "customer_notified"),
               ("accept", "10-11T15:40", "executing"), ("resolve", "10-12T19:00", "resolved"),
               ("follow-up", "10-13T10:00", "resolved")]),
         follow_up=("10-13T10:00", "unsatisfied"), level=2),
    # C: major, received on 31 October, resolved in November (18 h later)
    case("KS-20261031-CCCCCC", "10-31T18:00", "app", ("delivery", "late", "major", "high"),
         walk(["10-31T18:10", "10-31T18:30", "10-31T18:40", "10-31T19:00", "10-31T19:30", "10-31T19:40"],
              [("resolve", "11-01T12:00", "resolved")])),
    # D: still waiting for dispatch at month end
    case("KS-20261020-DDDDDD", "10-20T10:00", "email", None, [("ack", "10-20T10:10", "acknowledged")]),
    # E: September, resolved the same day, satisfied
    case("KS-20260915-EEEEEE", "09-15T10:00", "counter", ("product", "expired", "general", "low"),
         walk(["09-15T10:00", "09-15T10:20", "09-15T10:30", "09-15T11:00", "09-15T11:30", "09-15T11:40"],
              [("resolve", "09-15T15:00", "resolved"), ("follow-up", "09-16T11:00", "closed")]),
         follow_up=("09-16T11:00", "satisfied")),
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from e2e_support import isolated

    with isolated(tmp_path_factory):
        root = tmp_path_factory.mktemp("reports") / "desk"
        assert kesu("init", str(root)).returncode == 0
        for data in CASES:
            received = data["received_at"]
            path = root / "cases" / received[:4] / received[5:7] / f"{data['id']}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yamlio.dump(data), encoding="utf-8")
        git(root, "add", "cases")
        git(root, "commit", "-q", "-m", "synthetic cases")
        yield root


def monthly(root, month, store=None):
    archive = Archive(root)
    return reports.monthly(archive, date.fromisoformat(f"{month}-01"), store, datetime.fromisoformat(NOW))


def test_october_figures(synthetic):
    r = monthly(synthetic, "2026-10")
    assert r["received"] == 4
    assert [(c["name"], c["count"], c["share"]) for c in r["by_category"]] == [
        ("delivery", 1, 0.25), ("product", 1, 0.25), ("service", 1, 0.25), ("unclassified", 1, 0.25)]
    assert {c["name"]: c["count"] for c in r["by_channel"]} == {"counter": 1, "hotline": 1, "app": 1, "email": 1}
    assert {c["name"]: c["count"] for c in r["by_severity"]} == {"general": 2, "major": 1, "unclassified": 1}
    # resolved in October: A (24 h = 1440 min, 600 business) and B (48 h, 1200 business)
    assert r["resolved"] == 2
    assert r["average_handling_wall_minutes"] == 2160 and r["median_handling_wall_minutes"] == 2160
    assert r["average_handling_business_minutes"] == 900
    # A at exactly 24 h counts as within; C (received in October, 18 h) too
    assert r["resolved_within_24h"] == 2 and r["resolved_within_24h_rate"] == 0.5
    # B missed dispatch and execute, and its unsatisfied return visit (13 Oct 10:00) went
    # unanswered past 15 Oct 14:00; D's dispatch and its 5-working-day completion (27 Oct
    # 10:00) are red at month end
    assert r["past_deadline"] == 2 and r["overdue_share"] == 0.5
    assert r["return_visits"] == 2 and r["satisfaction_rate"] == 0.5
    assert (r["escalations"], r["objections"], r["reopenings"]) == (1, 1, 0)
    assert r["open_at_month_end"] == 3  # B (unsatisfied, resolved), C (executing), D
    assert r["previous_month"]["received"] == 1
    assert r["change"]["received"] == 3 and r["change"]["resolved_within_24h_rate"] == -0.5
    assert r["change"]["satisfaction_rate"] == -0.5


def test_a_month_with_no_complaints_divides_by_nothing(synthetic):
    r = monthly(synthetic, "2026-08")
    assert r["received"] == 0 and r["by_category"] == []
    assert r["overdue_share"] is None and r["satisfaction_rate"] is None
    assert r["average_handling_wall_minutes"] is None
    out = kesu("report", "monthly", "--month", "2026-08", cwd=synthetic)
    assert out.returncode == 0 and "No complaints this month." in out.stdout


def test_november_counts_the_case_resolved_there(synthetic):
    r = monthly(synthetic, "2026-11")
    assert r["received"] == 0 and r["resolved"] == 1
    assert r["average_handling_wall_minutes"] == 18 * 60


def test_store_filter(synthetic):
    assert monthly(synthetic, "2026-10", store="旗舰店")["received"] == 4
    assert monthly(synthetic, "2026-10", store="别的店")["received"] == 0


def test_kpi_october_item_by_item(synthetic, tmp_path):
    inputs = {"2026-10": {"channel_notice_findings": 1, "onsite_intake_problems": 2,
                          "phone_answer_rate": 0.96, "concealed": 1}}
    archive = Archive(synthetic)
    r = kpi.kpi(archive, [date(2026, 10, 1)], None, inputs, datetime.fromisoformat(NOW))
    month = r["months"][0]
    points = {i["item"]: i["points"] for i in month["items"]}
    # five red lights (B: dispatch, execute, after_visit; D: dispatch, completion) -> 20 - 25 -> 0
    assert points == {"channel_notices": 17, "onsite_intake": 0, "answer_rate": 2, "resolution_24h": 0,
                      "red_lights": 0, "concealed": 10, "satisfaction": 0}
    rate = next(i for i in month["items"] if i["item"] == "resolution_24h")["input"]
    assert rate == {"cases": 3, "within_24h": 1, "rate": 0.3333}  # the major case C is excluded
    assert sorted(d["points"] for d in month["deductions"]) == [2, 2]  # major complaint; two items at zero
    assert month["score"] == 25 and r["score"] == 25 and r["below_pass_mark"]


def test_kpi_empty_month_and_quarter_average(synthetic, tmp_path):
    archive = Archive(synthetic)
    empty = kpi.kpi(archive, [date(2026, 8, 1)], now=datetime.fromisoformat(NOW))
    assert empty["score"] == 98  # nothing to measure scores in full, but no answer-rate input is 0
    quarter = json.loads(kesu("report", "kpi", "--quarter", "2026-Q4", "--now", NOW, "--format", "json",
                              cwd=synthetic).stdout)
    months = [m["score"] for m in quarter["months"]]
    # December has not begun on 24 November: it is neither scored nor averaged in
    assert [m["month"] for m in quarter["months"]] == ["2026-10", "2026-11"]
    assert quarter["not_begun"] == ["2026-12"] and quarter["score"] == round(sum(months) / 2, 1)


def test_a_level_three_red_light_zeroes_the_red_light_item(synthetic, tmp_path):
    root = tmp_path / "desk"
    shutil.copytree(synthetic, root)
    path = root / "cases" / "2026" / "10" / "KS-20261010-BBBBBB.yaml"
    data = yamlio.load(path.read_text(encoding="utf-8"))
    data["assignment"]["level"] = 3
    path.write_text(yamlio.dump(data), encoding="utf-8")
    # without D, three red lights (B's) would leave 20 - 15 = 5 points; at level 3 they leave none
    (root / "cases" / "2026" / "10" / "KS-20261020-DDDDDD.yaml").unlink()
    r = kpi.kpi(Archive(root), [date(2026, 10, 1)], now=datetime.fromisoformat(NOW))
    red = next(i for i in r["months"][0]["items"] if i["item"] == "red_lights")
    assert red["input"] == {"red_lights": 3, "level3": True} and red["points"] == 0


@pytest.mark.parametrize("args", [
    ["monthly", "--month", "2026-10"], ["monthly", "--month", "2026-10", "--format", "json"],
    ["monthly", "--month", "2026-10", "--format", "csv"], ["monthly", "--month", "2026-10", "--format", "markdown"],
    ["monthly", "--month", "2026-10", "--format", "html"], ["kpi", "--quarter", "2026-Q4"],
    ["kpi", "--month", "2026-10", "--format", "json"], ["kpi", "--month", "2026-10", "--format", "markdown"],
    ["kpi", "--month", "2026-10", "--format", "html"],
])
def test_no_report_format_carries_customer_data(synthetic, args):
    result = kesu("report", *args, "--now", NOW, cwd=synthetic)
    assert result.returncode == 0, result.stderr
    for data in CASES:
        for value in data["customer"].values():
            assert value not in result.stdout, (args, value)


def test_report_usage_errors(synthetic):
    for args, message in ((["monthly", "--month", "2026-13"], "--month"),
                          (["kpi", "--quarter", "2026-Q5"], "--quarter"),
                          (["kpi", "--quarter", "2026-Q4", "--month", "2026-10"], "not both"),
                          (["kpi", "--inputs", "/nonexistent.yaml"], "no such file")):
        result = kesu("report", *args, cwd=synthetic)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("lang,later", [("en", "2026-12 has not begun and is not scored"),
                                        ("zh-CN", "2026-12 尚未开始，不计入得分")])
def test_kpi_refuses_a_month_not_begun_and_says_which_months_a_quarter_leaves_out(synthetic, lang, later):
    refused = kesu("report", "kpi", "--month", "2026-12", "--now", NOW, cwd=synthetic, env={"KESU_LANG": lang})
    assert refused.returncode == 2 and refused.stdout == "" and "--month 2026-12" in refused.stderr
    assert kesu("report", "kpi", "--quarter", "2027-Q1", "--now", NOW, cwd=synthetic).returncode == 2
    card = kesu("report", "kpi", "--quarter", "2026-Q4", "--now", NOW, cwd=synthetic, env={"KESU_LANG": lang})
    assert card.returncode == 0 and later in card.stdout and "2026-12 " not in card.stdout.split("\n\n")[0]
    begun = kesu("report", "kpi", "--month", "2026-12", "--now", "2026-12-01T00:05:00+08:00", cwd=synthetic)
    assert begun.returncode == 0


@pytest.mark.parametrize("lang,from_file,not_given", [
    ("en", "findings (from the inputs file)", "not given in the inputs file: taken as 0 findings"),
    ("zh-CN", "0 项（来自输入文件）", "输入文件中未给出：按 0 项计")])
def test_kpi_says_inputs_not_given_rather_than_found_in_the_file(synthetic, tmp_path, lang, from_file, not_given):
    card = kesu("report", "kpi", "--month", "2026-10", "--now", NOW, "--wide", cwd=synthetic, env={"KESU_LANG": lang})
    assert card.returncode == 0 and from_file not in card.stdout and card.stdout.count(not_given) == 3
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("2026-10:\n  concealed: 0\n", encoding="utf-8")
    out = json.loads(kesu("report", "kpi", "--month", "2026-10", "--inputs", str(inputs), "--format", "json",
                          "--now", NOW, cwd=synthetic).stdout)
    assert out["months"][0]["missing_inputs"] == ["channel_notices", "onsite_intake", "answer_rate"]


@pytest.mark.parametrize("text,line,words", [
    (None, None, "not a month"),  # kesu.yaml given by mistake: the line of its first key
    ("- 2026-10\n", 1, "must map months"),
    ("2026-10:\n  concealed: 1\n  phone_answer_rate: 96\n", 3, "phone_answer_rate: 96 is not a rate"),
    ("2026-10:\n  concealed: -1\n", 2, "concealed: -1 is not a count"),
    ("2026-10:\n  concealled: 1\n", 2, "'concealled' is not a KPI input"),
    ("2026-10: 3\n", 1, "must map figures"),
    ("stores:\n  S03:\n    2026-1O: {concealed: 0}\n", 3, "'2026-1O' is not a month"),
])
def test_kpi_refuses_an_inputs_file_of_another_shape_with_its_line(synthetic, tmp_path, text, line, words):
    path = synthetic / "kesu.yaml"
    if text is not None:
        path = tmp_path / "inputs.yaml"
        path.write_text(text, encoding="utf-8")
    before = git(synthetic, "rev-parse", "HEAD")
    result = kesu("report", "kpi", "--month", "2026-10", "--inputs", str(path), "--now", NOW, cwd=synthetic,
                  env={"KESU_LANG": "en"})
    assert result.returncode == 2 and result.stdout == "", result.stderr
    where, _, message = result.stderr.strip().partition(": ")
    name, _, at = where.rpartition(":")
    assert name.endswith(path.name) and at.isdigit() and words in message, result.stderr
    assert line is None or int(at) == line, result.stderr
    assert git(synthetic, "rev-parse", "HEAD") == before


def test_kpi_inputs_file_is_read(synthetic, tmp_path):
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("2026-10:\n  phone_answer_rate: 0.5\n  concealed: 2\n", encoding="utf-8")
    out = json.loads(kesu("report", "kpi", "--month", "2026-10", "--inputs", str(inputs), "--format", "json",
                          "--now", NOW, cwd=synthetic).stdout)
    points = {i["item"]: (i["input"], i["points"]) for i in out["months"][0]["items"]}
    assert points["answer_rate"] == (0.5, 0) and points["concealed"] == (2, 0)


class _Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs, self.bars, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svgs.append(attrs.get("id"))
        if tag == "rect" and "bar" in (attrs.get("class") or ""):
            self.bars.append((self.svgs[-1], attrs.get("data-label"), attrs.get("data-value")))
        for key in ("src", "href"):
            if attrs.get(key):
                self.external.append(attrs[key])


def test_the_html_report_is_self_contained_with_its_four_charts(synthetic, tmp_path):
    target = tmp_path / "report.html"
    result = kesu("report", "monthly", "--month", "2026-10", "--format", "html", "--output", str(target),
                  "--now", NOW, cwd=synthetic)
    assert result.returncode == 0, result.stderr
    parser = _Charts()
    parser.feed(target.read_text(encoding="utf-8"))
    assert parser.svgs == ["chart-category", "chart-trend", "chart-lights", "chart-satisfaction"]
    assert parser.external == []  # nothing to fetch
    assert ("chart-category", "Service", "1") in parser.bars
    trend = [(label, value) for svg, label, value in parser.bars if svg == "chart-trend"]
    assert trend == [("2026-05", "0"), ("2026-06", "0"), ("2026-07", "0"), ("2026-08", "0"),
                     ("2026-09", "1"), ("2026-10", "4")]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed on this machine")
def test_the_html_report_renders_in_a_real_browser(synthetic, tmp_path):
    target = tmp_path / "report.html"
    assert kesu("report", "monthly", "--month", "2026-10", "--format", "html", "--output", str(target),
                "--now", NOW, cwd=synthetic).returncode == 0
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(["chromium", *flags, "--dump-dom", target.as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    for chart in ("chart-category", "chart-trend", "chart-lights", "chart-satisfaction"):
        assert f'id="{chart}"' in dom
    shot = tmp_path / "report.png"
    subprocess.run(["chromium", *flags, f"--screenshot={shot}", "--window-size=1200,1400", target.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000
