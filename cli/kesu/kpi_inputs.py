"""The KPI inputs file (``kesu report kpi --inputs``): the figures kesu cannot see, by month.

Its shape is checked before anything is scored: a file of another shape (a
kesu.yaml given by mistake, a misspelt figure, a rate written as 96) would
otherwise score as if nothing had been found, so it is refused with the line
of the first problem (``path:line: message``)::

    2026-11: {channel_notice_findings: 1, phone_answer_rate: 0.96}
    stores:
      S03:
        2026-11: {concealed: 0}
"""

from __future__ import annotations

import re
from typing import Any

from kesu.errors import UsageError
from kesu.i18n import _

#: Findings counted per month (whole numbers, 0 or more).
COUNTS = ("channel_notice_findings", "onsite_intake_problems", "concealed", "unreported_serious")
#: Rates, as a share from 0 to 1.
RATES = ("phone_answer_rate",)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def read_inputs(text: str, path: str) -> dict:
    """The inputs file as ``{month: {figure: value}, "stores": {code: {month: {…}}}}``, keys as text."""
    from kesu import yamlio

    data = yamlio.load(text, path)
    if data is None:
        return {}
    problem = _problem(data)
    if problem is None:
        return _texts(data)
    message, key_path = problem
    line = yamlio.line_of(yamlio.load_with_lines(text, path), key_path) if key_path else None
    raise UsageError(message, path, line or 1)


def _texts(value: Any) -> Any:
    return {str(k): _texts(v) for k, v in value.items()} if isinstance(value, dict) else value


def _problem(data: Any) -> tuple[str, tuple] | None:
    """The first thing wrong with the file's shape and the keys leading to it, or None."""
    if not isinstance(data, dict):
        return _("the inputs file must map months (2026-11) to their figures"), ()
    for key, value in data.items():
        if str(key) == "stores":
            if not isinstance(value, dict):
                return _("stores: must map store codes to their months"), (key,)
            for code, months in value.items():
                if not isinstance(months, dict):
                    return _("stores: {store}: must map months (2026-11) to their figures").format(
                        store=code), (key, code)
                for month, figures in months.items():
                    found = _month_problem(month, figures)
                    if found:
                        return found[0], (key, code, month, *found[1])
            continue
        found = _month_problem(key, value)
        if found:
            return found[0], (key, *found[1])
    return None


def _month_problem(month: Any, figures: Any) -> tuple[str, tuple] | None:
    if not _MONTH.match(str(month)):
        return _("{key!r} is not a month like 2026-11 (nor stores:)").format(key=str(month)), ()
    if not isinstance(figures, dict):
        return _("{month}: must map figures ({names}) to numbers").format(
            month=month, names=", ".join(COUNTS + RATES)), ()
    for name, value in figures.items():
        if name in COUNTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return _("{name}: {value!r} is not a count (a whole number, 0 or more)").format(
                    name=name, value=value), (name,)
        elif name in RATES:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                return _("{name}: {value!r} is not a rate from 0 to 1 (0.96 for 96 %)").format(
                    name=name, value=value), (name,)
        else:
            return _("{name!r} is not a KPI input; known: {names}").format(
                name=str(name), names=", ".join(COUNTS + RATES)), (name,)
    return None
