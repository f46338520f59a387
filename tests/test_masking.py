"""Outputs meant for others (library entries and index, reports in every format,
the audit report) mask the customer by identity, not by the exact string stored."""

from __future__ import annotations

import pytest

from conftest import git, kesu
from kesu import yamlio
from kesu.masking import redacted

CUSTOMER = {"name": "欧阳娜娜", "contact": "13800138000", "member_id": "M123456"}
#: Ways free text quotes this customer, or anyone's phone or ID card number.
QUOTED = ["欧阳娜娜", "欧阳女士", "13800138000", "138-0013-8000", "+86 138 0013 8000", "138 0013 8000",
          "１３８００１３８０００", "m123456", "M-123456", "M123456", "13912345678", "110101199003071234"]
NOT_MASKED = QUOTED + ["0013", "１３８"]


@pytest.mark.parametrize("quoted", QUOTED)
def test_free_text_quoting_the_customer_is_masked(quoted):
    case = {"customer": CUSTOMER, "complaint": {"summary": f"投诉人 {quoted} 来电"}}
    summary = redacted(case)["complaint"]["summary"]
    assert quoted not in summary and "0013" not in summary and "123456" not in summary, summary
    assert summary.startswith("投诉人 ") and summary.endswith(" 来电")


def test_masks_keep_what_a_reader_needs():
    case = {"customer": CUSTOMER,
            "complaint": {"summary": "欧阳女士 +86 138 0013 8000，会员 M-123456，订单 20261008"}}
    assert redacted(case)["complaint"]["summary"] == "欧*** 138****8000，会员 ****，订单 20261008"


def test_a_customer_stored_as_surname_and_title_is_masked_in_every_form():
    case = {"customer": {"name": "王女士", "contact": "13800138000"},
            "complaint": {"summary": "王女士投诉草莓霉变 13800138000"}}
    assert redacted(case)["complaint"]["summary"] == "王**投诉草莓霉变 138****8000"


@pytest.fixture
def quoting_archive(sample_archive):
    """The sample archive with one closed case whose free text quotes its customer every way."""
    rel = "cases/2026/10/KS-20261008-JQ5FFJ.yaml"
    path = sample_archive / rel
    case = yamlio.load(path.read_text(encoding="utf-8"))
    case["customer"] = dict(CUSTOMER)
    case["complaint"]["summary"] = "欧阳女士投诉收银员 138-0013-8000"
    case["complaint"]["facts"] = "欧阳娜娜（会员 m123456）称 +86 138 0013 8000 可联系"
    case["investigation"]["root_cause"] = "未登记 138 0013 8000 与 M-123456；另一位顾客 13912345678"
    case["resolution"]["summary"] = "已致电 １３８００１３８０００，身份证 110101199003071234"
    path.write_text(yamlio.dump(case), encoding="utf-8")
    git(sample_archive, "commit", "-qam", "the customer's own words")
    result = kesu("library", "add", "KS-20261008-JQ5FFJ", "--lessons", "回访欧阳女士 M123456 13800138000",
                  cwd=sample_archive)
    assert result.returncode == 0, result.stderr
    return sample_archive


def _assert_masked(where: str, text: str) -> None:
    leaks = [quoted for quoted in NOT_MASKED if quoted in text]
    assert not leaks, f"{where} carries {leaks}"


def test_no_output_for_others_carries_the_customer(quoting_archive, tmp_path):
    for path in sorted((quoting_archive / "library").glob("*.md")):
        _assert_masked(path.name, path.read_text(encoding="utf-8"))
    for fmt in ("table", "json", "csv", "markdown", "html"):
        result = kesu("report", "monthly", "--month", "2026-10", "--format", fmt, cwd=quoting_archive)
        assert result.returncode == 0, result.stderr
        _assert_masked(f"report monthly --format {fmt}", result.stdout)
    for fmt in ("markdown", "json"):
        result = kesu("audit", "--report", "--format", fmt, cwd=quoting_archive)
        assert result.returncode in (0, 1), result.stderr
        _assert_masked(f"audit --report --format {fmt}", result.stdout)
        assert "KS-20261008-JQ5FFJ" in result.stdout
