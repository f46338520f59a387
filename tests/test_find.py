"""kesu find, and the repeat-complaint note at intake."""

from __future__ import annotations

import json

import pytest

from conftest import kesu, new_case


def found(root, *args) -> list[str]:
    result = kesu("find", *args, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.fixture
def desk(archive):
    first = new_case(archive, at="2026-11-20T10:00")
    other = new_case(archive, "--contact", "13900000000", "--member", "VIP-00123",
                     "--summary", "牛奶过期", "--facts", "货架上的鲜牛奶已过保质期",
                     "--product", "6909876543210=鲜牛奶 1L", "--order", "SO-2026-0001",
                     "--store", "SH-001", at="2026-11-21T11:00")
    last = new_case(archive, at="2026-11-22T12:00")
    return archive, first, other, last


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+86-138-0013-8000",
                                   "(+86) 138.0013.8000", "008613800138000", "１３８００１３８０００"])
def test_a_contact_is_found_however_it_is_typed(desk, typed):
    root, first, _, last = desk
    assert found(root, "--contact", typed) == [last, first]  # newest first


@pytest.mark.parametrize("typed", ["VIP-00123", "vip00123", "Vip 00123", "ＶＩＰ－００１２３"])
def test_a_member_number_is_found_whatever_its_case_and_punctuation(desk, typed):
    root, _, other, _ = desk
    assert found(root, "--member", typed) == [other]


def test_product_order_store_and_times(desk):
    root, first, other, last = desk
    assert found(root, "--product", "6909876543210") == [other]
    assert found(root, "--product", "牛奶") == [other]
    assert found(root, "--product", "6901234567890") == [last, other, first]  # both products
    assert found(root, "--order", "so-2026-0001") == [other]
    assert found(root, "--store", "SH-001") == [other]
    assert found(root, "--since", "2026-11-21") == [last, other]
    assert found(root, "--until", "2026-11-21") == [other, first]
    assert found(root, "--since", "2026-11-21", "--until", "2026-11-21T10:59") == []


def test_free_text_finds_chinese_substrings_of_two_characters_and_more(desk):
    root, first, other, last = desk
    assert found(root, "草莓") == [last, first]
    assert found(root, "保质期") == [other]
    assert found(root, "称重台购买") == [last, first]
    assert found(root, "牛奶", "过期") == [other]
    assert found(root, "榴莲") == []
    assert kesu("investigate", first, "--findings", "冷链温度记录缺失", "--at", "2026-11-20T10:30",
                cwd=root).returncode in (0, 2)


def test_find_table_and_its_limit(desk):
    root, first, other, last = desk
    result = kesu("find", "--contact", "13800138000", "--limit", "1", cwd=root)
    assert result.returncode == 0
    assert last in result.stdout and first not in result.stdout
    assert kesu("find", "榴莲", cwd=root).stdout == "No complaint found.\n"


def test_find_needs_something_to_find(archive):
    result = kesu("find", cwd=archive)
    assert result.returncode == 2
    assert "say what to find" in result.stderr


def test_intake_notes_earlier_complaints_of_the_same_customer(archive):
    first = new_case(archive, at="2026-11-20T10:00")
    result = kesu("new", "--channel", "hotline", "--customer", "王女士", "--contact", "+86 138 0013 8000",
                  "--summary", "又是草莓", "--facts", "草莓霉变", "--emotion", "angry",
                  "--at", "2026-11-24T10:00", cwd=archive)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("KS-20261124-")
    assert "1 earlier complaint;" in result.stderr
    assert f"the last: {first} received 2026-11-20 10:00, received" in result.stderr
    plain = kesu("new", "--channel", "hotline", "--customer", "李先生", "--contact", "13700000000",
                 "--summary", "排队太久", "--facts", "收银台排队二十分钟", "--emotion", "calm",
                 "--at", "2026-11-24T11:00", cwd=archive)
    assert plain.returncode == 0 and plain.stderr == ""


def test_export_csv_has_a_row_per_case_and_no_customer_data(desk):
    root, first, other, last = desk
    result = kesu("export", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,path,state,received_at,store")
    assert [line.split(",")[0] for line in lines[1:]] == [first, other, last]
    assert "13800138000" not in result.stdout and "王女士" not in result.stdout
    assert kesu("export", "--format", "parquet", cwd=root).returncode == 2


def test_export_parquet_holds_the_rows_of_the_csv_export(desk, tmp_path):
    """The Parquet file a BI tool reads has the CSV export's columns and values, typed."""
    import csv
    import io

    import pyarrow.parquet

    root, first, other, last = desk
    target = tmp_path / "cases.parquet"
    result = kesu("export", "--format", "parquet", "--output", str(target), cwd=root)
    assert result.returncode == 0, result.stderr
    table = pyarrow.parquet.read_table(target)
    rows = list(csv.DictReader(io.StringIO(kesu("export", cwd=root).stdout)))
    assert table.column_names == list(rows[0])
    assert table.column("id").to_pylist() == [first, other, last]
    for name in table.column_names:
        as_text = ["" if value is None else str(value) for value in table.column(name).to_pylist()]
        assert as_text == [row[name] for row in rows], name
    every_value = str(table.to_pylist())
    assert "13800138000" not in every_value and "王女士" not in every_value
