"""The archive's policy, ``kesu.yaml``: loading it and answering questions about it."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from kesu import yamlio
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.values import DEFAULT_TIMEZONE, dig

CONFIG_NAME = "kesu.yaml"


def default_policy_text() -> str:
    """The commented default ``kesu.yaml`` that ``kesu init`` writes."""
    from importlib import resources

    return resources.files("kesu").joinpath("default_policy.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _defaults() -> dict:
    return yamlio.load(default_policy_text())


def default_setting(*keys: str) -> Any:
    """A value of the default policy: default_policy.yaml defines each default once."""
    return dig(_defaults(), *keys)


class Policy:
    """Read-only view of ``kesu.yaml`` with defaults filled in for missing keys."""

    #: The store this policy is for (``kesu.stores.policy_for_store``), and who works
    #: there; None: the whole chain.
    store: str | None = None
    store_people: frozenset[str] | None = None

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
            raise UsageError(_("cannot read policy: {reason}").format(reason=exc.strerror), name) from None
        data = yamlio.load(text, name)
        if not isinstance(data, dict):
            raise UsageError(_("policy must be a mapping of settings"), name, 1)
        return cls(data, path)

    @classmethod
    def default(cls) -> "Policy":
        return cls(yamlio.load(default_policy_text()))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def setting(self, *keys: str) -> Any:
        """kesu.yaml's value at ``keys``, else the default policy's: an archive made
        before a setting existed gets its default."""
        value = dig(self.data, *keys)
        return default_setting(*keys) if value is None else value

    @property
    def future_tolerance(self) -> timedelta:
        """How far ahead of this computer's clock an event may be dated (clock skew)."""
        return wall_duration(self.setting("future_tolerance"), "future_tolerance")

    @property
    def timezone_name(self) -> str:
        return self.data.get("timezone") or DEFAULT_TIMEZONE

    @cached_property
    def tz(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(_("unknown time zone {zone!r}").format(zone=self.timezone_name), CONFIG_NAME) from None

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
            raise UsageError(_("{user!r} is not in the roster of {config} ({names})").format(
                user=user, config=CONFIG_NAME, names=names))
        if self.store_people is not None and user not in self.store_people:
            names = ", ".join(sorted(self.store_people))
            raise UsageError(_("{user!r} does not work for store {store} (its people in {config}: {names})").format(
                user=user, store=self.store, config=CONFIG_NAME, names=names))
        return roster[user] or {}

    def approval_limit(self, user: str):
        """The amount ``user`` may approve alone (``Decimal``), or None when unlimited."""
        limit = self.member(user).get("approval_limit")
        return None if limit is None else yamlio.money(limit)

    @property
    def max_amount(self):
        """The largest amount of money a step may record (``money.max_amount``)."""
        return yamlio.money(self.setting("money", "max_amount"))

    # ------------------------------------------------------------ authority
    def _label(self, code: str | None) -> str:
        """A role (or other code) as the user's language names it in messages."""
        from kesu.vocab import label

        return label(code, language(), self) if code else _("none")

    def rank(self, user: str) -> tuple[str | None, int | None]:
        """``user``'s role and its rank (``approval.role_ranks``; higher is more senior)."""
        role = self.member(user).get("role")
        ranks = self.setting("approval", "role_ranks") or {}
        return role, ranks.get(role) if isinstance(ranks, dict) else None

    def check_outranks(self, owner: str, current: str | None) -> None:
        """An escalation goes up (000: 上级主管): ``owner`` must rank above ``current``."""
        if not self.roster or current is None:
            return
        role, rank = self.rank(owner)
        current_role, current_rank = self.rank(current)
        if owner == current:
            raise UsageError(_("{owner} ({role}) already owns the case; an escalation goes to someone above "
                               "them, or leave out --owner to keep {owner} and raise the level").format(
                owner=owner, role=self._label(role)))
        for name, who, level in ((owner, role, rank), (current, current_role, current_rank)):
            if level is None:
                raise UsageError(_("{name}'s role {role!r} has no rank in {config} approval.role_ranks, so kesu "
                                   "cannot tell whether the case goes up").format(name=name, role=who, config=CONFIG_NAME))
        if rank <= current_rank:
            raise UsageError(_(
                "an escalation goes to someone above the current owner: {current} is {current_role}, {owner} is "
                "{role}. Name an owner of a higher role, or leave out --owner to keep {current} as owner and raise "
                "the level").format(current=current, current_role=self._label(current_role), owner=owner,
                                    role=self._label(role)))

    def check_extension_approver(self, approver: str | None, requester: str) -> None:
        """An extension (延期申请) is approved by another person whose role may approve it."""
        roles = list(self.setting("approval", "extension_roles") or [])
        who = f" ({', '.join(self._label(r) for r in roles)})" if self.roster else ""
        if not approver:
            raise UsageError(_("an extension needs --approver NAME: the person who approved it{roles}").format(roles=who))
        if approver == requester:
            raise UsageError(_("an extension must be approved by someone other than the person asking for it "
                               "({requester})").format(requester=requester))
        role = self.member(approver).get("role")
        if self.roster and role not in roles:
            raise UsageError(_("{approver} is {role} and may not approve extensions; approvers: {roles} "
                               "({config} approval.extension_roles)").format(
                approver=approver, role=self._label(role), roles=", ".join(self._label(r) for r in roles),
                config=CONFIG_NAME))

    def check_choice(self, vocabulary: str, value: str, flag: str) -> str:
        allowed = self.vocabulary(vocabulary)
        if allowed and value not in allowed:
            raise UsageError(_("{flag} {value!r} is not one of: {allowed}").format(
                flag=flag, value=value, allowed=", ".join(allowed)))
        return value


def wall_duration(text: Any, what: str) -> timedelta:
    """A wall-clock duration of kesu.yaml (``10m``, ``2h``, ``1d``)."""
    from kesu.deadlines import duration_minutes, parse_duration

    try:
        minutes = duration_minutes(*parse_duration(text))
    except UsageError:
        minutes = None
    if minutes is None:
        raise UsageError(_("{what} {text!r} is not a duration like 10m, 2h or 1d").format(what=what, text=text),
                         CONFIG_NAME)
    return timedelta(minutes=minutes)


def setting_problems(policy: dict) -> list[tuple[tuple, str]]:
    """Roles of the roster without a rank, an unreadable future tolerance and alert
    channels kesu cannot use, as (key path, message)."""
    approval = policy.get("approval") if isinstance(policy.get("approval"), dict) else {}
    ranks = approval.get("role_ranks", default_setting("approval", "role_ranks")) or {}
    problems = []
    roster = policy.get("roster") if isinstance(policy.get("roster"), dict) else {}
    for name, member in roster.items():
        role = member.get("role") if isinstance(member, dict) else None
        if role is not None and role not in ranks:
            problems.append((("roster", name, "role"), _("role {role!r} of {name} has no rank in "
                                                         "approval.role_ranks").format(role=role, name=name)))
    from kesu.alerts.channels import spec_problems

    problems += spec_problems(policy.get("alerts"))
    from kesu.stores import setting_problems as store_problems

    problems += store_problems(policy)
    tolerance = policy.get("future_tolerance")
    if tolerance is not None:
        try:
            wall_duration(tolerance, "future_tolerance")
        except UsageError as exc:
            problems.append((("future_tolerance",), exc.message))
    return problems
