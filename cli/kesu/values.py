"""Small value helpers every layer shares, each defined once.

Reading a nested field that may be missing, reading and writing a case's
times and keeping them within sane years, formatting a span of time for
people, and the default time zone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

#: The time zone of an archive whose kesu.yaml names none (DOMAIN: mainland China).
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: The years kesu takes times from. A complaint desk has no business before
#: 2000 or after 2100, and a typo like 9999 would otherwise overflow the
#: calendar arithmetic of every command that reads the case; within them every
#: zone's offset is a modern, whole-minute one (before 1900 zones had local mean
#: time offsets such as +08:05:43).
FIRST_YEAR, LAST_YEAR = 2000, 2100
class _Years:
    """``the years 1970 to 2199`` in the language of the message it is put in (translated when shown)."""

    def __str__(self) -> str:
        from kesu.i18n import _

        return _("the years {first} to {last}").format(first=FIRST_YEAR, last=LAST_YEAR)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


YEARS = _Years()


def deep_copy(data: Any, _memo: dict | None = None) -> Any:
    """``copy.deepcopy`` of a case's data (dicts, lists and scalars, as YAML reads
    them), several times quicker: every step copies the whole case, an import
    ten steps a row. An object met twice is copied once, as deepcopy does;
    anything but a dict, a list or a plain scalar goes to deepcopy itself."""
    kind = type(data)
    if kind in _IMMUTABLE:
        return data
    memo = {} if _memo is None else _memo
    if kind is not dict and kind is not list:
        import copy

        return copy.deepcopy(data, memo)  # the same memo: what is shared stays shared
    done = memo.get(id(data))
    if done is None:
        if kind is dict:
            done = memo[id(data)] = {}
            for key, value in data.items():
                done[key] = deep_copy(value, memo)
        else:
            done = memo[id(data)] = []
            done.extend([deep_copy(value, memo) for value in data])
    return done


_IMMUTABLE = frozenset({str, int, float, bool, type(None), Decimal})


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


def aware_time(text: Any) -> datetime | None:
    """A case's time with its offset, or None (a time without one is no instant)."""
    value = parse_time(text) if isinstance(text, str) else None
    return value if value is not None and value.tzinfo else None


def read_time(text: str, tz, flag: str = "--at") -> datetime:
    """A time the user typed; without an offset it is read in the archive's zone ``tz``."""
    from kesu.errors import UsageError
    from kesu.i18n import _

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_("{flag} {text!r} is not a time like 2026-11-23T16:10 or 2026-11-23T16:10:00+08:00").format(
            flag=flag, text=text)) from None
    if not in_years(value):
        raise UsageError(_("{given} is outside {years}").format(given=f"{flag} {text.strip()}", years=YEARS))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0)


def in_years(moment: datetime) -> bool:
    """True when ``moment`` lies in kesu's years (as written, whatever its offset)."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def isoformat(moment: datetime) -> str:
    """How kesu writes a time: to the second, with its offset."""
    return moment.isoformat(timespec="seconds")


def local_minute(moment: datetime, tz) -> str:
    """``2026-11-24 10:20``: a time as people read it (every table, page, report and
    message), in the archive's zone; with ``tz`` None, in the time's own offset.
    JSON and the case files keep ISO 8601 (``isoformat``)."""
    return f"{moment if tz is None else moment.astimezone(tz):%Y-%m-%d %H:%M}"


def table_minute(value: Any, tz=None) -> str:
    """A case's time as people read it (``local_minute``); a value that is
    no time with an offset, as much of it as reads like one."""
    moment = aware_time(value)
    if moment is None:
        return str(value or "")[:16].replace("T", " ")
    return local_minute(moment, tz)


def format_left(minutes: float, clock: str, translate: bool = False, language: str | None = None,
                business: bool = True) -> str:
    """Time left on a timer's own clock (negative when overdue), as it runs:
    ``-64 h 30 min business``, ``-14 d 2 h`` (wall clock), ``2 working days 3 h``.
    In English unless ``translate`` (JSON keeps one spelling; tables speak kesu's language)
    or a ``language`` is given (an alert speaks the archive's); ``business=False`` leaves
    the word "business" to the caller."""
    from kesu.i18n import N_, _, ngettext, translation_for

    def say(text, plural=None, n=1):
        if language is not None:
            words = translation_for(language)
            return words.gettext(text) if plural is None else words.ngettext(text, plural, n)
        if not translate:
            return text if plural is None or n == 1 else plural
        return _(text) if plural is None else ngettext(text, plural, n)

    sign = "-" if minutes < 0 else ""
    whole = int(abs(minutes) // 1)
    if clock == "business":
        hours, mins = divmod(whole, 60)
        parts = [say(N_("{n} h")).format(n=hours) if hours else "",
                 say(N_("{n} min")).format(n=mins) if mins or not hours else ""]
        time = sign + " ".join(p for p in parts if p)
        return say(N_("{time} business")).format(time=time) if business else time
    days, rest = divmod(whole, 1440)
    hours, mins = divmod(rest, 60)
    day = (say(N_("{n} d")) if clock != "working_days"
           else say("{n} working day", "{n} working days", days)).format(n=days)
    if translate and language is None and clock == "working_days":  # where the catalog finds the plural
        day = ngettext("{n} working day", "{n} working days", days).format(n=days)
    parts = [day if days else "", say(N_("{n} h")).format(n=hours) if hours else "",
             say(N_("{n} min")).format(n=mins) if mins or not (days or hours) else ""]
    return sign + " ".join(p for p in parts if p)


def shorten(value: Any, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut short when a value typed or stored is very long."""
    text = repr(value)
    from kesu.i18n import _

    return text if len(text) <= limit else _("{start}… ({n} characters)").format(start=text[:limit // 2], n=len(text))


def format_span(seconds: float, translate: bool = False) -> str:
    """A span of time to the minute: ``2d 3h 5m`` as JSON writes it (``0m`` when shorter);
    with ``translate``, as people read it (``say_span``)."""
    if translate:
        return say_span(seconds)
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes or not (days or hours) else ""]
    return " ".join(p for p in parts if p)


def say_span(seconds: float) -> str:
    """A span of wall-clock time as people read it, in kesu's language, the one way
    every duration is said (``format_left``): ``2 d 3 h 5 min``, ``2 天 3 小时 5 分钟``."""
    return format_left(int(abs(seconds) // 60), "wall", translate=True)


def span_seconds(text: str) -> int:
    """The seconds of a span as ``format_span`` writes it for JSON (``2h 5m``)."""
    import re

    return sum(int(n) * {"d": 86400, "h": 3600, "m": 60}[unit] for n, unit in re.findall(r"(\d+)([dhm])", text))


def say_duration(text: Any, clock: str = "wall", language: str | None = None) -> str:
    """A duration as kesu.yaml writes it (``3wd``, ``90m``) in kesu's language (or
    ``language``, a letter's), as ``format_left`` says time on ``clock`` (``3 个工作日``,
    ``营业时间 1 小时 30 分钟``); a text that is no duration, as it is."""
    import re

    match = re.fullmatch(r"\s*(\d+)\s*(m|h|d|wd)\s*", str(text))
    if not match:
        return str(text)
    amount, unit = int(match[1]), match[2]
    if unit == "wd":
        return format_left(amount * 1440, "working_days", translate=True, language=language)
    minutes = amount * {"m": 1, "h": 60, "d": 1440}[unit]
    return format_left(minutes, "business" if clock == "business" else "wall", translate=True, language=language)


def as_set(duration: Any, clock: str = "wall") -> str:
    """A duration kesu.yaml or a step set, said as every other duration (``say_duration``)."""
    return say_duration(duration, clock)
