"""Times in a case file: each ``at`` or ``…_at`` a real time with an offset,
within the years kesu computes with (``kesu.values.in_years``)."""

from __future__ import annotations

import re
from typing import Any

from kesu.i18n import _
from kesu.values import YEARS, aware_time, in_years

Problem = tuple[tuple, str]



_TIME_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def time_findings(case: Any, path: tuple = ()) -> list[Problem]:
    """Every ``at`` or ``…_at`` text is a real time with an offset, within kesu's years."""
    # Run on every case of an archive when its index is built: the walk does no
    # more than look, and words a finding only for a time that is wrong.
    problems: list[Problem] = []
    if isinstance(case, dict):
        for key, value in case.items():
            if isinstance(value, (dict, list)):
                if value:
                    problems += time_findings(value, (*path, key))
            elif (isinstance(value, str) and isinstance(key, str) and (key == "at" or key.endswith("_at"))
                  and _TIME_SHAPE.match(value)):  # else the schema's
                moment = aware_time(value)
                if moment is None or not in_years(moment):
                    problems.append(_wrong_time((*path, key), value, moment))
    elif isinstance(case, list):
        for key, value in enumerate(case):  # an item is never an ``at``: only what it holds
            if isinstance(value, (dict, list)) and value:
                problems += time_findings(value, (*path, key))
    return problems


def _wrong_time(where: tuple, value: str, moment) -> Problem:
    name = "/".join(str(k) for k in where)
    if moment is None:
        return where, _("{name}: {value} is not a real date and time").format(name=name, value=value)
    return where, _("{given} is outside {years}").format(given=f"{name} {value}", years=YEARS)
