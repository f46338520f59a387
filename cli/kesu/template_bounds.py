"""Limits that keep a template from running away: archive templates are
written by the team, and a slip (a template that includes itself, a range or a
repeated string of a billion) must end in a clear error, not a hung desk.

- Arithmetic that builds big values (``'x' * n``, ``n ** m``, ``'%9999999d' % n``)
  is refused beyond ``MAX_SIZE``; so are size arguments of string methods and
  filters (``center``, ``indent``, ``ljust``, …). Jinja's sandbox already caps ``range``.
- Rendering has ``MAX_CPU_SECONDS`` of processor time (where signals can be
  used: the main thread on POSIX).
"""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager
from functools import wraps
from typing import Any, Iterator

from jinja2.sandbox import ImmutableSandboxedEnvironment

from kesu.i18n import _

#: The largest string, list or number of digits a template may build (as its output limit).
MAX_SIZE = 256 * 1024
MAX_CPU_SECONDS = 5
#: A width or precision in a format string ("%9999999d", "{:>9999999}") too big to be meant.
_HUGE_FORMAT = re.compile(r"(%[-+ #0]*\d*\.?\d{7,})|(\{[^{}]*:[^{}]*\d{7,}[^{}]*\})")
_SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice")


class TemplateTooCostly(Exception):
    """A template asked for more than ``MAX_SIZE`` or ``MAX_CPU_SECONDS``."""


def _check_size(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
        raise TemplateTooCostly(_("{value} is too large a size (at most {limit})").format(value=value, limit=MAX_SIZE))
    if isinstance(value, str) and _HUGE_FORMAT.search(value):
        raise TemplateTooCostly(_("a width or precision of a million or more"))


def _check_product(left: Any, right: Any) -> None:
    sized = [v for v in (left, right) if isinstance(v, (str, list, tuple))]
    numbers = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
    if sized and numbers and len(sized[0]) * numbers[0] > MAX_SIZE:
        raise TemplateTooCostly(_("repeating {n} items {times} times").format(n=len(sized[0]), times=numbers[0]))


def _check_power(left: Any, right: Any) -> None:
    if isinstance(right, (int, float)) and abs(right) > 1000:
        raise TemplateTooCostly(_("an exponent of {n}").format(n=right))


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the size limits above."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%":
            _check_size(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple)):
            for value in (owner, *args, *kwargs.values()):
                _check_size(value)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any):
        _check_size(getattr(value, "__self__", None))  # "{:>9999999}".format(…)
        return super().wrap_str_format(value)


def bounded_filters(filters: dict) -> dict:
    """The filters that take a size, each refusing one above ``MAX_SIZE``."""
    def bounded(function):
        @wraps(function)
        def checked(*args, **kwargs):
            for value in (*args, *kwargs.values()):
                _check_size(value)
            return function(*args, **kwargs)
        return checked

    return {name: bounded(filters[name]) for name in _SIZED_FILTERS if name in filters}


@contextmanager
def cpu_time_limit(seconds: float | None = None) -> Iterator[None]:
    """Stop the block with ``TemplateTooCostly`` after ``seconds`` (default
    ``MAX_CPU_SECONDS``) of processor time."""
    seconds = MAX_CPU_SECONDS if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGVTALRM"):
        yield
        return

    def expired(signum, frame):
        raise TemplateTooCostly(_("rendering took more than {seconds} s of processor time").format(seconds=f"{seconds:g}"))

    previous = signal.signal(signal.SIGVTALRM, expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
