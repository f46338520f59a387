"""Tables for a terminal: fitted to its width, lights in colour, long ones paged.

A table is laid out to the width of the terminal it is shown on (``COLUMNS``
when set, else the terminal's own width; into a pipe or a file, unlimited):
the free-text column is cut first, with "…", down to a readable minimum;
then the least important columns are left out, in the order the command
gives, until the rest fits. ``--wide`` shows every column in full.

Colour (the deadline lights) goes only to a terminal, and never when
``NO_COLOR`` is set (https://no-color.org). Output longer than the terminal
is sent through a pager as git does: ``KESU_PAGER``, else ``PAGER``, else
``less`` with ``LESS=FRX``; ``--no-pager`` or a pager of ``cat`` turns it off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence

from wcwidth import wcswidth, wcwidth

ELLIPSIS = "…"
GAP = "  "
#: A cut free-text column keeps at least this many cells.
MIN_CUT = 12
COLOURS = {"red": "\x1b[31m", "yellow": "\x1b[33m", "green": "\x1b[32m"}
RESET = "\x1b[0m"


def _light_names() -> dict[str, str]:
    from kesu.vocab import LABELS

    return {name: code for code in COLOURS for name in (code, *LABELS[code])}


_LIGHT_NAMES = _light_names()


@dataclass
class Layout:
    """How a table may give way: ``cut`` columns are shortened, then ``drop``
    columns are left out, first named first; ``lights`` columns are coloured."""
    cut: Sequence[int] = ()
    drop: Sequence[int] = ()
    lights: Sequence[int] = ()
    wide: bool = False
    colours: dict[str, str] = field(default_factory=dict)


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (a Chinese character takes two)."""
    if text.isascii() and text.isprintable():
        return len(text)  # the common case, and 100,000 rows of it must be quick
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in "…" when shortened."""
    if cells(text) <= width:
        return text
    kept, used = [], 0
    for ch in text:
        w = max(wcwidth(ch), 0)
        if used + w > width - 1:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + ELLIPSIS


def terminal_width(stream=None) -> int | None:
    """The width to fit: ``COLUMNS``, else the terminal's; None into a pipe or file."""
    stream = stream or sys.stdout
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if _isatty(stream):
        return shutil.get_terminal_size().columns
    return None


def colour_wanted(stream=None) -> bool:
    stream = stream or sys.stdout
    return _isatty(stream) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def fit(headers: list[str], rows: list[list[str]], layout: Layout, width: int | None) -> list[int]:
    """The columns to show and, in ``rows``, the cut columns shortened (in place)."""
    shown = list(range(len(headers)))
    natural = [max([cells(headers[i])] + [cells(r[i]) for r in rows]) for i in shown]
    if layout.wide or width is None:
        return shown

    least = {i: min(natural[i], max(MIN_CUT, cells(headers[i]))) for i in layout.cut}

    def needed(columns):
        return (sum(least.get(i, natural[i]) for i in columns) + len(GAP) * (len(columns) - 1))

    droppable = list(layout.drop)
    while needed(shown) > width and droppable:
        shown.remove(droppable.pop(0))
    room = width - needed(shown)
    widths = list(natural)
    for i in layout.cut:
        if i in shown:
            widths[i] = max(least[i], min(natural[i], least[i] + room))
            room -= widths[i] - least[i]
    for i in layout.cut:
        if widths[i] < natural[i]:
            for row in rows:
                row[i] = cut(row[i], widths[i])
    return shown


def render(headers: list[str], rows: list[list[Any]], layout: Layout | None = None,
           width: int | None = None, colour: bool = False) -> str:
    """A plain table (as tabulate's "simple"), lined up in terminal cells."""
    layout = layout or Layout()
    texts = [["" if c is None else str(c) for c in row] for row in rows]
    shown = fit(headers, texts, layout, width)
    widths = {i: max([cells(headers[i])] + [cells(r[i]) for r in texts]) for i in shown}

    def line(values: list[str], paint: bool) -> str:
        parts = []
        for i in shown:
            text = values[i] + " " * (widths[i] - cells(values[i]))
            if paint and i in layout.lights and values[i] in _LIGHT_NAMES:
                text = COLOURS[_LIGHT_NAMES[values[i]]] + text + RESET
            parts.append(text)
        return GAP.join(parts).rstrip()

    out = [line(headers, False), GAP.join("-" * widths[i] for i in shown)]
    out += [line(row, colour) for row in texts]
    return "\n".join(out)


def show(text: str, stream=None) -> None:
    """Print ``text``; through a pager when it is longer than the terminal."""
    stream = stream or sys.stdout
    pager = os.environ.get("KESU_PAGER") or os.environ.get("PAGER") or "less"
    lines = text.count("\n") + 1
    if (not _isatty(stream) or pager.strip() in ("", "cat")
            or lines < shutil.get_terminal_size().lines):
        print(text, file=stream)
        return
    stream.flush()
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    try:
        subprocess.run(pager, shell=True, input=(text + "\n").encode("utf-8"), env=env, check=False)
    except OSError:  # no such pager: show it plainly
        print(text, file=stream)
