"""Reading case files in the audit, parsing only what a step changed.

A step changes two or three of a case's twenty sections, and the audit reads
every version of every case in the history; parsing whole files would be
most of its cost. ``CaseReader`` splits a file into its top-level sections
and parses only the ones whose text is new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kesu.i18n import _

from kesu import yamlio
from kesu.errors import UsageError


class Unreadable(Exception):
    """A case file that is not a readable YAML mapping of sections; the message says why."""


@dataclass
class ParsedCase:
    """A parsed case file: its sections, and the text of each when it was read
    section by section (two sections with the same text are equal)."""

    sections: dict[str, Any]
    texts: dict[str, str] | None = None

    def same(self, other: "ParsedCase", key: str) -> bool:
        if self.texts is not None and other.texts is not None:
            mine, theirs = self.texts.get(key), other.texts.get(key)
            if mine is not None and mine == theirs:
                return True
        return self.sections.get(key, _MISSING) == other.sections.get(key, _MISSING)


_MISSING = object()

#: A line that starts a top-level key: anything but indentation, a comment or a blank line.
_SECTION_START = re.compile(r"^[^ \t\r\n#]", re.MULTILINE)
_TIMELINE_HEAD = re.compile(r"timeline:[ ]*")
_ITEM_INDENT = re.compile(r"( +)- ")


class CaseReader:
    """Reads case files, parsing only the sections whose text is new.

    A case file is split at the lines that start a top-level key; each piece
    is parsed on its own and must come out as a mapping of exactly that one
    key. When every piece does, the pieces are the document: YAML gives a
    column-0 line the same meaning whatever comes before it, and a piece that
    depends on its neighbours (an unterminated quote or flow collection, an
    anchor, a second document, a key hidden behind a Unicode line break)
    does not parse alone as one key. Anything unusual falls back to parsing
    the whole file. A piece whose text appeared in the case's previous
    version is not parsed again; a timeline that only grew is parsed from
    where it grew.
    """

    def __init__(self) -> None:
        # Short pieces (state lines, ids) recur across cases.
        self._short: dict[str, tuple[str, Any]] = {}
        self._expected: dict | None = None

    def read(self, data: bytes, previous: ParsedCase | None = None,
             expected_entry: dict | None = None) -> ParsedCase:
        """Parse a case file; ``previous`` is the case's version before it, and
        ``expected_entry`` the timeline entry its commit's trailers announce."""
        self._expected = expected_entry
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Unreadable(_("not UTF-8 text (byte {n})").format(n=exc.start)) from None
        if len(data) > yamlio.MAX_BYTES:
            raise Unreadable(_("larger than {size} KiB").format(size=yamlio.MAX_BYTES // 1024))
        return self._by_section(text, previous) or self._whole(text)

    def _whole(self, text: str) -> ParsedCase:
        try:
            document = yamlio.load(text)
        except UsageError as exc:
            raise Unreadable(exc.message) from None
        if not isinstance(document, dict):
            raise Unreadable(_("not a mapping of sections"))
        return ParsedCase(document)

    def _by_section(self, text: str, previous: ParsedCase | None) -> ParsedCase | None:
        starts = [m.start() for m in _SECTION_START.finditer(text)]
        if not starts or any(line.strip() and not line.lstrip().startswith("#")
                             for line in text[:starts[0]].splitlines()):
            return None
        known: dict[str, tuple[str, Any]] = {}
        if previous is not None and previous.texts is not None:
            known = {piece: (key, previous.sections[key]) for key, piece in previous.texts.items()}
        sections: dict[str, Any] = {}
        texts: dict[str, str] = {}
        for begin, end in zip(starts, starts[1:] + [len(text)]):
            piece = text[begin:end]
            parsed = known.get(piece) or self._short.get(piece) \
                or self._grown_timeline(piece, previous) or self._parse_piece(piece)
            if parsed is None or parsed[0] in sections:
                return None
            sections[parsed[0]] = parsed[1]
            texts[parsed[0]] = piece
        return ParsedCase(sections, texts)

    def _parse_piece(self, piece: str) -> tuple[str, Any] | None:
        try:
            document = yamlio.load(piece)
        except UsageError:
            return None
        if not isinstance(document, dict) or len(document) != 1:
            return None
        (key, value), = document.items()
        if not isinstance(key, str):
            return None
        if len(piece) < 200:
            if len(self._short) > 50_000:
                self._short.clear()
            self._short[piece] = (key, value)
        return key, value

    def _grown_timeline(self, piece: str, previous: ParsedCase | None) -> tuple[str, Any] | None:
        """The timeline as the previous one plus what was appended, parsing only the new lines."""
        if previous is None or previous.texts is None:
            return None
        before = previous.texts.get("timeline")
        entries = previous.sections.get("timeline")
        if not before or not isinstance(entries, list) or not before.endswith("\n") \
                or len(piece) <= len(before) or not piece.startswith(before):
            return None
        head, _, body = before.partition("\n")
        indent = _ITEM_INDENT.match(body)
        added = piece[len(before):]
        # Only a block list whose new lines start new items at the same indentation.
        if not _TIMELINE_HEAD.fullmatch(head) or indent is None \
                or not added.startswith(indent.group(0)):
            return None
        if self._expected and added in _entry_lines(indent.group(0), self._expected):
            return "timeline", entries + [dict(self._expected)]
        tail = self._parse_piece(f"{head}\n{added}")
        if tail is None or tail[0] != "timeline" or not isinstance(tail[1], list):
            return None
        return "timeline", entries + tail[1]


#: Words YAML 1.1 reads as booleans or null when written plain.
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null"}
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
#: A time YAML resolves as a timestamp when plain, which kesu's readers keep as its text.
_YAML_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)")


def _entry_lines(item: str, entry: dict) -> tuple[str, ...]:
    """The lines kesu writes for a timeline entry (its time quoted or not), as
    far as their text can only mean ``entry``: every value other than the
    time a plain word that YAML reads as that very string. Comparing a new
    line with them spares parsing the one line every step adds; any other
    spelling is parsed. An entry with any other value (a mapping, say) has
    no such lines, so its text is always parsed."""
    at = entry.get("at")
    if not isinstance(at, str) or not _YAML_TIMESTAMP.fullmatch(at):
        return ()
    rest = []
    for key, value in entry.items():
        if key == "at":
            continue
        if not (isinstance(value, str) and _PLAIN_WORD.fullmatch(value)
                and value.lower() not in _YAML_WORDS):
            return ()
        rest.append(f", {key}: {value}")
    if next(iter(entry)) != "at":
        return ()
    tail = "".join(rest) + "}\n"
    return f"{item}{{at: '{at}'{tail}", f"{item}{{at: {at}{tail}"
