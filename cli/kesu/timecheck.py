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
    problems: list[Problem] = []
    items = (case.items() if isinstance(case, dict)
             else enumerate(case) if isinstance(case, list) else ())
    for key, value in items:
        if isinstance(value, (dict, list)):
            if value:
                problems += time_findings(value, (*path, key))
        elif (isinstance(key, str) and (key == "at" or key.endswith("_at"))
              and isinstance(value, str) and _TIME_SHAPE.match(value)):  # else the schema's
            where = (*path, key)
            moment = aware_time(value)
            name = "/".join(str(k) for k in where)
            if moment is None:
                problems.append((where, _("{name}: {value} is not a real date and time").format(name=name, value=value)))
            elif not in_years(moment):
                problems.append((where, _("{given} is outside {years}").format(given=f"{name} {value}", years=YEARS)))
    return problems
