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
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Iterable, Iterator, Sequence

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


#: Characters wcwidth gives two cells: the CJK ideographs, fullwidth forms and
#: the common Chinese punctuation (a test holds them to wcwidth).
WIDE = "\u3001-\u3003\u3008-\u3011\u4e00-\u9fff\uff01-\uff60"
_PLAIN = re.compile(f"[\x20-\x7e{WIDE}]*")


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (a Chinese character takes two)."""
    if text.isascii() and text.isprintable():
        return len(text)  # the common case, and 100,000 rows of it must be quick
    if _PLAIN.fullmatch(text):
        # printable ASCII (one byte in UTF-8) and wide characters (three bytes):
        # counted without loading wcwidth's tables, a tenth of a list's start-up
        return len(text) + (len(text.encode("utf-8")) - len(text)) // 2
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in "…" when shortened."""
    if cells(text) <= width:
        return text
    from wcwidth import wcwidth

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


def paint(light: str, text: str) -> str:
    """``text`` in the colour of ``light`` (a light's code); as it is for anything else."""
    return COLOURS[light] + text + RESET if light in COLOURS else text


class LightMarks:
    """Colour for lights in a page that is escaped after it is written (``kesu.neutral.terminal``
    shows the escape character of colour as text): ``mark`` wraps a light in a token
    no case file can hold (it is new each time), ``paint`` turns the marks into colour
    once the page is escaped."""

    def __init__(self) -> None:
        token = secrets.token_hex(8)
        self._pattern = re.compile(f"{token}({'|'.join(COLOURS)}):(.*?){token}", re.S)
        self._token = token

    def mark(self, light: str, text: str) -> str:
        return f"{self._token}{light}:{text}{self._token}" if light in COLOURS else text

    def paint(self, page: str) -> str:
        return self._pattern.sub(lambda m: paint(m[1], m[2]), page)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def fit(headers: list[str], columns: list[list[str]], layout: Layout, width: int | None,
        natural: list[int]) -> list[int]:
    """The columns to show and, in ``columns``, the cut columns shortened (in place).
    ``natural``: each column's widest cell."""
    shown = list(range(len(headers)))
    if layout.wide or width is None:
        return shown

    least = {i: min(natural[i], max(MIN_CUT, cells(headers[i]))) for i in layout.cut}

    def needed(columns):
        return (sum(least.get(i, natural[i]) for i in columns) + len(GAP) * (len(columns) - 1))

    droppable, dropped = list(layout.drop), []
    while needed(shown) > width and droppable:
        dropped.append(droppable.pop(0))
        shown.remove(dropped[-1])
    for i in reversed(dropped):  # a wide column left out may leave room for a narrower, less important one
        if needed(sorted([*shown, i])) <= width:
            shown = sorted([*shown, i])
    room = width - needed(shown)
    widths = list(natural)
    for i in layout.cut:
        if i in shown:
            widths[i] = max(least[i], min(natural[i], least[i] + room))
            room -= widths[i] - least[i]
    for i in layout.cut:
        if widths[i] < natural[i]:
            columns[i] = [cut(value, widths[i]) for value in columns[i]]
    return shown


def render(headers: list[str], rows: Iterable[list[Any]], layout: Layout | None = None,
           width: int | None = None, colour: bool = False) -> str:
    """A plain table (as tabulate's "simple"), lined up in terminal cells."""
    return "\n".join(render_lines(headers, rows, layout, width, colour))


def render_lines(headers: list[str], rows: Iterable[list[Any]], layout: Layout | None = None,
                 width: int | None = None, colour: bool = False) -> Iterator[str]:
    """``render``'s lines, one at a time (a long table is written as it is made).

    A table of 100,000 rows is laid out a column at a time: a column of plain
    ASCII text is as wide as its characters; any other column is measured once
    per distinct value (states, channels and lights repeat), and each distinct
    value padded once."""
    yield from render_column_lines(headers, list(zip(*rows)) or [[] for _ in headers], layout, width,
                                   colour)


def render_column_lines(headers: list[str], columns: list[Sequence[Any]], layout: Layout | None = None,
                        width: int | None = None, colour: bool = False) -> Iterator[str]:
    """``render_lines`` of a table given a column at a time."""
    layout = layout or Layout()
    columns = [_texts(column) for column in columns]
    measured = [_measure(column, i in layout.lights and colour) for i, column in enumerate(columns)]
    natural = [max(cells(h), _widest(column, sizes)) for h, column, sizes in zip(headers, columns, measured)]
    shown = fit(headers, columns, layout, width, natural)
    widths = list(natural)
    for i in layout.cut:
        if i in shown and not layout.wide and width is not None:  # cut cells: measured again
            measured[i] = _measure(columns[i], False)
            widths[i] = max(cells(headers[i]), _widest(columns[i], measured[i]))
    yield GAP.join(h.ljust(widths[i] - cells(h) + len(h)) for i, h in enumerate(headers) if i in shown).rstrip()
    yield GAP.join("-" * widths[i] for i in shown)
    padded = []
    for i in shown:
        if measured[i] is None:
            padded.append(map(str.ljust, columns[i], repeat(widths[i])))
            continue
        coloured = colour and i in layout.lights
        pads = {}
        for value, size in measured[i].items():
            pads[value] = value.ljust(widths[i] - size + len(value))
            if coloured and value in _LIGHT_NAMES:
                pads[value] = paint(_LIGHT_NAMES[value], pads[value])
        padded.append(map(pads.__getitem__, columns[i]))
    yield from map(str.rstrip, map(GAP.join, zip(*padded)))


def _texts(column: tuple) -> list[str]:
    """A column's cells as text (None as nothing)."""
    if set(map(type, column)) == {str}:
        return list(column)
    return ["" if value is None else str(value) for value in column]


def _measure(column: list[str], always: bool) -> dict[str, int] | None:
    """Each distinct value's cells; None when every value is printable ASCII (as wide as long)."""
    joined = "".join(column)
    if not always and joined.isascii() and joined.isprintable():
        return None
    return {value: cells(value) for value in set(column)}


def _widest(column: list[str], sizes: dict[str, int] | None) -> int:
    if not column:
        return 0
    return max(map(len, column)) if sizes is None else max(sizes.values())


def show_lines(lines: Iterable[str], stream=None) -> None:
    """``show`` the lines; into a pipe or a file, each as it comes."""
    stream = stream or sys.stdout
    if _isatty(stream) and _pager() not in ("", "cat"):
        lines = list(lines)
        if lines:
            show("\n".join(lines), stream)
        return
    write = stream.write
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) == 1000:  # one write per thousand lines, not two per line
            batch.append("")
            write("\n".join(batch))
            batch = []
    if batch:
        batch.append("")
        write("\n".join(batch))


def _pager() -> str:
    return (os.environ.get("KESU_PAGER") or os.environ.get("PAGER") or "less").strip()


def show(text: str, stream=None, end: str = "\n") -> None:
    """Print ``text`` (then ``end``); through a pager when it is longer than the terminal."""
    stream = stream or sys.stdout
    pager = os.environ.get("KESU_PAGER") or os.environ.get("PAGER") or "less"
    lines = text.count("\n") + 1
    if (not _isatty(stream) or pager.strip() in ("", "cat")
            or lines < shutil.get_terminal_size().lines):
        print(text, file=stream, end=end)
        return
    stream.flush()
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    try:
        subprocess.run(pager, shell=True, input=(text + "\n").encode("utf-8"), env=env, check=False)
    except OSError:  # no such pager: show it plainly
        print(text, file=stream, end=end)
