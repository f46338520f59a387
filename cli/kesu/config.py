"""The archive's policy, ``kesu.yaml``: loading it and answering questions about it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from kesu import yamlio
from kesu.errors import UsageError
from kesu.values import DEFAULT_TIMEZONE

CONFIG_NAME = "kesu.yaml"
#: The largest amount a step may record unless kesu.yaml says otherwise: far above any
#: store's compensation, and small enough that every amount is exact to the cent.
DEFAULT_MAX_AMOUNT = "1000000.00"


def default_policy_text() -> str:
    """The commented default ``kesu.yaml`` that ``kesu init`` writes."""
    from importlib import resources

    return resources.files("kesu").joinpath("default_policy.yaml").read_text(encoding="utf-8")


class Policy:
    """Read-only view of ``kesu.yaml`` with defaults filled in for missing keys."""

    def __init__(self, data: dict[str, Any], path: Path | None = None):
        self.data = data
        self.path = path

    @classmethod
    def load(cls, path: Path, name: str | None = None) -> "Policy":
        """``path`` parsed; errors name the file ``name`` (default: ``path``)."""
        name = name or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read policy: {exc.strerror}", name) from None
        data = yamlio.load(text, name)
        if not isinstance(data, dict):
            raise UsageError("policy must be a mapping of settings", name, 1)
        return cls(data, path)

    @classmethod
    def default(cls) -> "Policy":
        return cls(yamlio.load(default_policy_text()))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def timezone_name(self) -> str:
        return self.data.get("timezone") or DEFAULT_TIMEZONE

    @cached_property
    def tz(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone {self.timezone_name!r}", CONFIG_NAME) from None

    @property
    def id_prefix(self) -> str:
        return str(self.data.get("id_prefix") or "KS")

    @property
    def locale(self) -> str:
        return self.data.get("locale") or "zh-CN"

    def vocabulary(self, name: str) -> list[str]:
        vocab = (self.data.get("vocabularies") or {}).get(name)
        if isinstance(vocab, dict):
            return list(vocab)
        return list(vocab or [])

    def subcategories(self, category: str) -> list[str]:
        categories = (self.data.get("vocabularies") or {}).get("categories") or {}
        return list(categories.get(category) or []) if isinstance(categories, dict) else []

    @property
    def roster(self) -> dict[str, dict]:
        return self.data.get("roster") or {}

    def member(self, user: str) -> dict:
        """Roster entry of ``user``; an empty dict when no roster is configured."""
        roster = self.roster
        if not roster:
            return {}
        if user not in roster:
            names = ", ".join(sorted(roster))
            raise UsageError(f"{user!r} is not in the roster of {CONFIG_NAME} ({names})")
        return roster[user] or {}

    def approval_limit(self, user: str):
        """The amount ``user`` may approve alone (``Decimal``), or None when unlimited."""
        limit = self.member(user).get("approval_limit")
        return None if limit is None else yamlio.money(limit)

    @property
    def max_amount(self):
        """The largest amount of money a step may record (``money.max_amount``)."""
        return yamlio.money((self.data.get("money") or {}).get("max_amount") or DEFAULT_MAX_AMOUNT)

    def check_choice(self, vocabulary: str, value: str, flag: str) -> str:
        allowed = self.vocabulary(vocabulary)
        if allowed and value not in allowed:
            raise UsageError(f"{flag} {value!r} is not one of: {', '.join(allowed)}")
        return value
