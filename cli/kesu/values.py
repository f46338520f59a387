"""Small value helpers every layer shares, each defined once.

Reading a nested field that may be missing, reading and writing a case's
times, formatting a span of time for people, and the default time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: The time zone of an archive whose kesu.yaml names none (DOMAIN: mainland China).
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: The years a case's times may fall in. Far wider than any complaint needs, and
#: narrow enough that converting a time to any zone and adding any deadline to it
#: stays within what a date can hold, and that a zone's offset is a modern one
#: (before 1900 zones had local mean time offsets such as +08:05:43).
YEARS = (1970, 2999)


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]…``, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def parse_time(text: Any) -> datetime | None:
    """A case's ISO 8601 time, or None when ``text`` is not one (validate reports it)."""
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def read_time(text: str, tz, flag: str = "--at") -> datetime:
    """A time the user typed; without an offset it is read in the archive's zone ``tz``."""
    from kesu.errors import UsageError

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a time like 2026-11-23T16:10 or "
                         "2026-11-23T16:10:00+08:00") from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise UsageError(f"{flag} {text!r} is not between the years {YEARS[0]} and {YEARS[1]}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


def isoformat(moment: datetime) -> str:
    """How kesu writes a time: to the second, with its offset."""
    return moment.isoformat(timespec="seconds")


def shorten(value: Any, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut short when a value typed or stored is very long."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit // 2]}… ({len(text)} characters)"


def format_span(seconds: float) -> str:
    """``2d 3h 5m``: a span of time for people, to the minute (``0m`` when shorter)."""
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes or not (days or hours) else ""]
    return " ".join(p for p in parts if p)
