"""How a ledger's columns and cells become kesu's fields (the import mapping).

A mapping file says which column holds which field, how cell text reads as
kesu's codes (``热线`` -> ``hotline``), which columns Excel left empty under a
merged cell, defaults, and how dates are written. A header row that uses kesu's
own field names needs none: every field is its own column name, and the
shipped mapping (``ledger.zh-CN.yaml``, ``kesu import --template``) adds the
columns of a typical 投诉登记表.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from kesu.i18n import _
from kesu.errors import UsageError

#: The intake's fields, named as ``kesu new``'s flags: a header row of these needs no mapping.
INTAKE_FIELDS = ("channel", "customer", "contact", "member", "store", "summary", "facts",
                 "demands", "emotion", "location", "occurred-at", "product", "at")
#: What a ledger may say about the rest of a case's history.
HISTORY_FIELDS = ("category", "subcategory", "severity", "risk", "owner", "department", "findings",
                  "root-cause", "plan", "refund", "voucher", "cash", "resolution", "acked-at",
                  "resolved-at", "satisfaction", "closed-at", "close-reason", "state")
FIELDS = INTAKE_FIELDS + HISTORY_FIELDS
TIME_FIELDS = ("at", "occurred-at", "acked-at", "resolved-at", "closed-at")
#: Excel counts days from 1899-12-30 (its serial 60 is a 29 February 1900 that never was).
EXCEL_EPOCH = datetime(1899, 12, 30)
SHIPPED = "ledger.zh-CN.yaml"


@dataclass
class Mapping:
    #: Column name as written in the header row -> field.
    columns: dict[str, str]
    #: Field -> cell text -> code ("*": any other text).
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    dates: list[str] = field(default_factory=list)
    fill_down: list[str] = field(default_factory=list)


def shipped_text() -> str:
    from importlib import resources

    return resources.files("kesu.importer").joinpath(SHIPPED).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def shipped() -> Mapping:
    from kesu import yamlio

    return _mapping(yamlio.load(shipped_text(), SHIPPED), SHIPPED, with_own_names=True)


def load(path: Path, label: str) -> Mapping:
    """A mapping file; its columns come on top of kesu's own field names."""
    from kesu import yamlio

    if not path.is_file():
        raise UsageError(_("{flag} {path}: no such file").format(flag="--mapping", path=label))
    return _mapping(yamlio.load(path.read_text(encoding="utf-8"), label), label, with_own_names=True)


def _mapping(data: Any, label: str, with_own_names: bool) -> Mapping:
    if not isinstance(data, dict):
        raise UsageError(_("a mapping file is a mapping with columns:, values:, defaults:, dates:"), label, 1)
    known = {"columns", "values", "defaults", "dates", "fill_down"}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise UsageError(_("unknown key {key!r} (known: {known})").format(key=unknown[0], known=", ".join(sorted(known))),
                         label)
    columns = {f: f for f in FIELDS} if with_own_names else {}
    columns.update({f.replace("-", "_"): f for f in FIELDS})
    for column, name in _dict(data, "columns", label).items():
        if name not in FIELDS:
            raise UsageError(_("columns: {column} -> {name!r} is not a field ({fields})").format(
                column=column, name=name, fields=", ".join(FIELDS)), label)
        columns[str(column).strip()] = name
    values = {}
    for name, table in _dict(data, "values", label).items():
        if name not in FIELDS or not isinstance(table, dict):
            raise UsageError(_("values: {name!r} should be a field mapping cell text to codes").format(name=name), label)
        values[name] = {str(k).strip(): str(v) for k, v in table.items()}
    defaults = {str(k): str(v) for k, v in _dict(data, "defaults", label).items()}
    for name in defaults:
        if name not in FIELDS:
            raise UsageError(_("defaults: {name!r} is not a field").format(name=name), label)
    dates = [str(d) for d in data.get("dates") or []]
    fill_down = [str(c) for c in data.get("fill_down") or []]
    return Mapping(columns, values, defaults, dates, fill_down)


def _dict(data: dict, key: str, label: str) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise UsageError(_("{key}: should be a mapping").format(key=key), label)
    return value


# ------------------------------------------------------------------ cells
def text_of(cell: Any) -> str:
    """A cell as text: Excel's whole numbers without ``.0`` (a phone number read as a number)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def time_of(cell: Any, formats: list[str], tz) -> datetime | None:
    """A date or time cell, in the archive's zone; None when it is none of the
    formats. Excel date cells, Excel serial numbers (also as text: a CSV of a
    date column Excel did not format), ISO 8601 and ``formats`` are read."""
    if isinstance(cell, datetime):
        moment = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
        moment = _serial(float(cell))
    else:
        text = text_of(cell)
        moment = None
        try:
            moment = _serial(float(text)) if text.replace(".", "", 1).isdigit() else None
        except ValueError:
            moment = None
        if moment is None:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                for pattern in formats:
                    try:
                        moment = datetime.strptime(text, pattern)
                        break
                    except ValueError:
                        continue
    if moment is None:
        return None
    moment = moment.replace(microsecond=0)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _serial(days: float) -> datetime | None:
    """An Excel serial day number (``46082.5`` is 2026-03-01 12:00), rounded to the second."""
    if not 1 <= days < 2958466:
        return None
    return EXCEL_EPOCH + timedelta(seconds=round(days * 86400))
