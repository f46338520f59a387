"""Making text from case files inert in the outputs that carry it.

A summary or a name is typed by a clerk or imported from elsewhere, so it may
hold what a terminal, a spreadsheet, GitHub or a Markdown viewer would act
on. Each output escapes it for where it goes:

- a terminal: control characters (escape sequences, carriage returns, bidi
  overrides) are shown as ``\\x1b``, ``\\r``, ``\\u202e``;
- CSV: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with ``'`` (OWASP's rule for CSV injection), numbers aside;
- GitHub workflow commands: ``%``, CR and LF escaped, and in properties ``:`` and ``,``;
- Markdown: ``&``, ``<`` and ``>`` as HTML entities, so no tag is ever live.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def terminal(text: str) -> str:
    """``text`` with every control character shown as its escape, line breaks and tabs kept."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def has_controls(cells) -> bool:
    """Whether any text among ``cells`` holds a character ``terminal`` would escape
    (one search for a whole row of a long table)."""
    # other cells as their str(): a false alarm only costs the caller a closer look
    return _CONTROLS.search("\n".join(map(str, cells))) is not None


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def github_message(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    return github_message(text).replace(":", "%3A").replace(",", "%2C")


def markdown(value: Any) -> Any:
    """``value`` (strings, and dicts and lists of them) with ``& < >`` as entities."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, dict):
        return {key: markdown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [markdown(item) for item in value]
    return value
