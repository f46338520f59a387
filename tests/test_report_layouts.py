"""What managers read: a complete, consistent HTML report; a KPI card in words; CSV and .xlsx for Excel."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from conftest import kesu
from test_reports import NOW, synthetic  # noqa: F401 - the shared synthetic archive

openpyxl = pytest.importorskip("openpyxl")


def html_report(root, tmp_path, *args):
    target = tmp_path / "report.html"
    result = kesu("report", "monthly", "--format", "html", "--output", str(target), "--now", NOW, *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return target.read_text(encoding="utf-8")


def text_of(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_the_html_report_carries_every_section_the_text_report_carries(synthetic, tmp_path):
    page = text_of(html_report(synthetic, tmp_path, "--month", "2026-10"))
    for section in ("Subcategory", "Channel", "Severity", "Risk", "Top root causes", "Responsible party"):
        assert section in page, section
    assert "Quality defect" in page and "Service counter" in page and "Hotline" in page
    assert "原因product" in page  # a root cause


def test_the_html_report_names_organisation_period_generation_time_and_stores(synthetic, tmp_path):
    page = text_of(html_report(synthetic, tmp_path, "--month", "2026-10"))
    assert "示例零售有限公司" in page and "2026-10-01 to 2026-10-31" in page
    assert "Generated 2026-11-24 12:00" in page
    assert "By store" in page and "Store: 旗舰店" in page


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_text_and_markdown_reports_name_organisation_period_stores_and_generation_time(synthetic, fmt):
    result = kesu("report", "monthly", "--month", "2026-10", "--format", fmt, "--now", NOW, cwd=synthetic)
    assert result.returncode == 0, result.stderr
    head = "\n".join(result.stdout.splitlines()[:4])
    for said in ("示例零售有限公司", "2026-10-01 to 2026-10-31", "All stores", "Generated 2026-11-24 12:00"):
        assert said in head, head


def test_the_lights_chart_agrees_with_open_at_month_end(synthetic, tmp_path):
    for month in ("2026-10", "2026-11"):
        page = html_report(synthetic, tmp_path, "--month", month)
        chart = page[page.index('id="chart-lights"'):]
        chart = chart[:chart.index("</svg>")]
        total = sum(int(v) for v in re.findall(r'data-value="(\d+)"', chart))
        open_at_end = re.search(r"open at month end</td><td[^>]*>(\d+)<", page).group(1)
        assert total == int(open_at_end), month


def test_the_october_report_does_not_show_todays_lights(synthetic, tmp_path):
    october = html_report(synthetic, tmp_path, "--month", "2026-10")
    assert "Open at month end (3), by deadline light" in october


def test_the_html_report_prints_well(synthetic, tmp_path):
    page = html_report(synthetic, tmp_path, "--month", "2026-10")
    assert "@media print" in page and "@page" in page and "break-inside:avoid" in page


def test_the_kpi_card_speaks_in_words_and_never_below_zero(synthetic, tmp_path):
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text("2026-10: {channel_notice_findings: 9, onsite_intake_problems: 9, concealed: 9,"
                      " unreported_serious: 30, phone_answer_rate: 0.5}\n", encoding="utf-8")
    result = kesu("report", "kpi", "--month", "2026-10", "--inputs", str(inputs), "--format", "json",
                  "--now", NOW, cwd=synthetic)
    import json

    month = json.loads(result.stdout)["months"][0]
    assert month["score"] == 0 and month["earned"] - sum(d["points"] for d in month["deductions"]) < 0
    text = kesu("report", "kpi", "--month", "2026-10", "--inputs", str(inputs), "--now", NOW, cwd=synthetic).stdout
    assert "red_lights=" not in text and "level3=" not in text and "rate=None" not in text
    assert "(archive)" not in text and "(input)" not in text and "no input" not in text
    assert "30 serious complaints not reported" in text and "the score does not go below 0" in text
    assert "red light" in text


def test_a_missing_answer_rate_is_not_counted_as_an_item_at_zero(synthetic):
    import json

    month = json.loads(kesu("report", "kpi", "--month", "2026-11", "--format", "json", "--now", NOW,
                            cwd=synthetic).stdout)["months"][0]
    answer = next(i for i in month["items"] if i["item"] == "answer_rate")
    assert answer["input"] is None and "answer_rate" in month["missing_inputs"]
    zero = [d for d in month["deductions"] if d["reason"] == "zero_items"]
    assert all("answer_rate" not in d["items"] for d in zero)
    text = kesu("report", "kpi", "--month", "2026-11", "--now", NOW, cwd=synthetic).stdout
    assert "not given in the inputs file" in text


def test_the_kpi_html_month_column_does_not_wrap(synthetic, tmp_path):
    target = tmp_path / "kpi.html"
    assert kesu("report", "kpi", "--quarter", "2026-Q4", "--format", "html", "--output", str(target),
                "--now", NOW, cwd=synthetic).returncode == 0
    page = target.read_text(encoding="utf-8")
    assert '<td class="nowrap">2026-10</td>' in page and ".nowrap{white-space:nowrap}" in page


def test_the_csv_has_a_bom_and_every_section(synthetic):
    result = kesu("report", "monthly", "--month", "2026-10", "--format", "csv", "--now", NOW, cwd=synthetic)
    assert result.stdout.startswith("\ufeffsection,name,label,value,share")
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    sections = {row[0] for row in rows[1:]}
    assert {"figure", "category", "subcategory", "channel", "severity", "risk", "top_root_causes",
            "responsible_parties"} <= sections
    assert ["category", "product", "Product", "1", "0.25"] in rows  # codes kept, labels beside them


def test_the_xlsx_export_opens_with_every_figure(synthetic, tmp_path):
    target = tmp_path / "2026-10.xlsx"
    result = kesu("report", "monthly", "--month", "2026-10", "--format", "xlsx", "--output", str(target),
                  "--now", NOW, cwd=synthetic)
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(target)
    sheet = openpyxl.load_workbook(target).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["section", "name", "label", "value", "share"]
    assert ["figure", "received", None, 4, None] in rows
    assert any(r[0] == "responsible_parties" for r in rows)


def test_xlsx_needs_an_output_file(synthetic):
    result = kesu("report", "monthly", "--format", "xlsx", cwd=synthetic)
    assert result.returncode == 2 and "--output" in result.stderr
