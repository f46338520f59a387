"""Help pages that fit the terminal, in Chinese as in English.

click wraps help text at spaces and counts characters: Chinese has no spaces
(a page came out one line per paragraph, far wider than the terminal), a
Chinese character takes two cells, and lines joined back into a paragraph get
a space between two Chinese characters. Here a line may break between any two
Chinese characters, or at a space, never inside an ASCII word (a code such as
``food_safety``, a flag, a file name); closing punctuation stays with what it
closes. A line that gives an example (``Example: kesu …``, ``示例：kesu …``)
keeps a line of its own, and a paragraph (after a blank line) stays one.
"""

from __future__ import annotations

import re

from kesu.tables import cells

#: A help line that gives an example: it starts a line of its own.
EXAMPLE = re.compile(r"^(?:Examples?\b|示例)|[:：]\s*kesu(?:\s|$)")
#: Pieces a line never breaks inside: a space run, an ASCII word, one other character.
_PIECE = re.compile(r"\s+|[\x21-\x7e]+|.")
#: Punctuation that never starts a line (it goes with what comes before) ...
_CLOSING = set("，。、；：！？）」』》】…,.;:!?)]}%")
#: ... and that never ends one (it goes with what comes after).
_OPENING = set("（「『《【([{")


def _units(text: str) -> list[str]:
    """``text`` as the pieces a line may break between (spaces kept as pieces)."""
    units: list[str] = []
    glue_next = False
    for piece in _PIECE.findall(text):
        if piece.isspace():
            units.append(" ")
            glue_next = False
        elif units and not units[-1].isspace() and (glue_next or piece[0] in _CLOSING):
            units[-1] += piece
            glue_next = piece[-1] in _OPENING
        else:
            units.append(piece)
            glue_next = piece[-1] in _OPENING
    return units


def _wide(ch: str) -> bool:
    return cells(ch) > 1


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """One paragraph (no line breaks) in lines of at most ``width`` cells, indents included."""
    lines: list[str] = []
    line, used, space = initial_indent, cells(initial_indent), False
    fresh = True  # nothing but the indent on this line yet
    for unit in _units(text.strip()):
        if unit == " ":
            space = not fresh
            continue
        size = cells(unit)
        if not fresh and used + space + size > width:
            lines.append(line.rstrip())
            line, used, space, fresh = subsequent_indent, cells(subsequent_indent), False, True
        while fresh and used + size > width and len(unit) > 1:  # a word wider than the page
            head = _cut(unit, width - used)
            lines.append(line + head)
            unit = unit[len(head):]
            size = cells(unit)
            line, used = subsequent_indent, cells(subsequent_indent)
        if space and not (line[-1] in _CLOSING and _wide(line[-1])):  # none after 。，）: they take room enough
            line, used = line + " ", used + 1
        line, used, space, fresh = line + unit, used + size, False, False
    lines.append(line.rstrip())
    return "\n".join(lines)


def fit_line(text: str, width: int | None, first: str = "", rest: str = "") -> str:
    """``first + text`` as it is when it fits ``width`` (or there is none), else ``fill``ed."""
    if width is None or cells(first + text) <= width:
        return first + text
    return fill(text, width, first, rest)


def _cut(word: str, room: int) -> str:
    kept, used = "", 0
    for ch in word:
        if used + cells(ch) > max(room, 1):
            break
        kept, used = kept + ch, used + cells(ch)
    return kept or word[0]


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one: a space between them, none between two Chinese characters."""
    text = ""
    for line in (line.strip() for line in lines):
        if text and line:
            text += "" if _wide(text[-1]) and _wide(line[0]) else " "
        text += line
    return text


#: Where a sentence ends (a Chinese full stop needs no space after it).
_SENTENCE_END = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+")


def _lines(lines: list[str]) -> list[str]:
    """A paragraph's lines as it is shown before wrapping: one, but an example on a line of its own."""
    shown: list[str] = []
    groups: list[list[str]] = []
    for line in lines:
        if not groups or EXAMPLE.search(line.strip()) or EXAMPLE.search(groups[-1][-1].strip()):
            groups.append([line])
        else:
            groups[-1].append(line)
    for group in groups:
        start = len(shown)
        for sentence in filter(None, _SENTENCE_END.split(join_lines(group))):
            if len(shown) == start or EXAMPLE.search(sentence) or EXAMPLE.search(shown[-1]):
                shown.append(sentence)
            else:
                shown[-1] = join_lines([shown[-1], sentence])
    return shown


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """click's ``wrap_text`` (same arguments), by terminal cells and for Chinese."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return fill(join_lines(text.splitlines()), width, initial_indent, subsequent_indent)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
        lines = paragraph.splitlines()
        indent = " " * (cells(lines[0]) - cells(lines[0].lstrip()))
        if lines[0].strip() == "\b":  # click's mark: keep these lines as they are
            blocks.append("\n".join(subsequent_indent + indent + line.strip() for line in lines[1:]))
            continue
        first = initial_indent if not blocks else subsequent_indent
        blocks.append("\n".join(fill(line, width, (first if i == 0 else subsequent_indent) + indent,
                                     subsequent_indent + indent) for i, line in enumerate(_lines(lines))))
    return "\n\n".join(blocks)


def short_help(help: str, max_length: int = 45) -> str:
    """click's short help of a command (its first sentence) in at most ``max_length`` cells."""
    paragraph = help.split("\n\n", 1)[0].strip()
    if paragraph.startswith("\b"):
        paragraph = paragraph[1:]
    text = join_lines(paragraph.splitlines())
    sentence = re.match(r".*?(?:[.!?](?=\s|$)|[。！？])", text)
    if sentence:
        text = sentence.group(0)
    if cells(text) <= max_length:
        return text
    kept = ""
    for unit in _units(text):
        if cells(kept + unit) > max_length - 1:
            break
        kept += unit
    return kept.rstrip() + "…"


def describe_range(bounds) -> str:
    """A number option's range in words (click writes ``x>=0``)."""
    from kesu.i18n import _

    low, high = bounds.min, bounds.max
    if low is not None and high is not None:
        return _("{low} to {high}").format(low=low, high=high)
    if low is not None:
        return (_("more than {n}") if bounds.min_open else _("at least {n}")).format(n=low)
    return (_("less than {n}") if bounds.max_open else _("at most {n}")).format(n=high)


def install() -> None:
    """Put these in place of click's own (typer carries its own copy of click)."""
    from typer._click import core, formatting, types

    from kesu.i18n import _

    formatting.wrap_text = wrap_text
    formatting.term_len = cells
    core.make_default_short_help = short_help
    types._NumberRangeBase._describe_range = describe_range

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=heading)}\n")

    formatting.HelpFormatter.write_heading = write_heading
