"""Reading a ledger file into rows of cells: CSV in any encoding Excel writes, and .xlsx.

A store's complaint ledger (投诉登记表) comes out of Excel: CSV as UTF-8 with
or without a byte-order mark, or as GBK/GB18030 (what "Save as CSV" writes on
a Chinese Windows), or the workbook itself. Cells keep their type where the
file has one (an .xlsx date is a ``datetime``, a number a ``float``); a CSV
cell is text. Row numbers are the spreadsheet's own (1 is the first line), so
a problem names the row a clerk sees in Excel.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kesu.i18n import _
from kesu.errors import UsageError

#: Encodings a CSV is tried in, in order: UTF-8 (a BOM is dropped), then the
#: Chinese Windows code page, whose superset GB18030 reads every GBK file.
ENCODINGS = ("utf-8-sig", "gb18030")
#: Workbook formats read with calamine.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: How many rows above the header row may hold titles ("XX超市投诉登记表 2026年3月").
HEADER_SEARCH = 10


@dataclass
class Row:
    number: int
    cells: list[Any]


def read_rows(path: Path, label: str) -> list[Row]:
    """Every row of the file's first sheet, numbered as the spreadsheet numbers them."""
    if not path.is_file():
        raise UsageError(_("{path}: no such file").format(path=label))
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _workbook_rows(path, label)
    return _csv_rows(path.read_bytes(), label)


def _workbook_rows(path: Path, label: str) -> list[Row]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for any unreadable file
        raise UsageError(_("cannot read the workbook: {reason}").format(reason=exc), label) from None
    return [Row(i, list(cells)) for i, cells in enumerate(values, 1)]


def _csv_rows(data: bytes, label: str) -> list[Row]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UsageError(_("is neither UTF-8 nor GBK/GB18030 text; save it from Excel as 'CSV UTF-8' or as an .xlsx "
                           "workbook"), label)
    first = text.split("\n", 1)[0]
    dialect = csv.excel_tab if "\t" in first and "," not in first else csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            rows.append(Row(reader.line_num, cells))
    except csv.Error as exc:
        raise UsageError(_("line {number}: {reason}").format(number=reader.line_num, reason=exc), label) from None
    # A quoted cell holding a line break spans lines: number rows by where they start.
    start = 1
    for row in rows:
        row.number, start = start, row.number + 1
    return rows


def blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def header_row(rows: list[Row], known: set[str]) -> int:
    """The index of the row naming the columns: the first of the top rows with the
    most cells that name a known column (title rows above it are skipped)."""
    best, best_hits = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        hits = sum(1 for cell in row.cells if isinstance(cell, str) and cell.strip() in known)
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        raise UsageError(_("no header row naming known columns in its first rows (kesu import --template shows the "
                           "columns it knows)"))
    return best
