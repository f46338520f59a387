"""A chain's stores: kesu.yaml ``stores:`` and the policy each store runs on.

``stores:`` maps a store code to ``{name, region}`` and, optionally, what the
store does differently from the chain: its ``business_hours``, any other
``calendar`` key (working days, holidays, 调休 make-up days), and its
``roster`` (the people of the chain's roster who work there). A person joins
stores either way: listed in a store's ``roster``, or naming them in their own
roster entry (``store: S01`` or ``stores: [S01, S02]``). Someone who belongs to
no store works for the whole chain (head office, regional operations) and may
act on every store's cases.

``policy_for_store`` is the one place those overrides are merged: the step
engine judges a step under its case's store's policy, and deadlines run on
its calendar. An archive without ``stores:`` keeps store as free text and one
policy for all.
"""

from __future__ import annotations

from typing import Any

from kesu.errors import UsageError
from kesu.i18n import _

#: Calendar keys a store may override (``business_hours`` also at the store's top level).
CALENDAR_KEYS = ("business_hours", "working_days", "holiday_country", "holidays", "workdays",
                 "closed_dates")


def configured(policy) -> dict[str, dict]:
    """The ``stores:`` of kesu.yaml as code -> entry ({} when the archive has none)."""
    stores = policy.get("stores") if hasattr(policy, "get") else None
    return {str(code): (entry if isinstance(entry, dict) else {})
            for code, entry in stores.items()} if isinstance(stores, dict) else {}


def known_list(policy) -> str:
    """``S01 旗舰店, S02 3号店``: the stores an error message names."""
    return ", ".join(f"{code} {entry.get('name') or ''}".strip()
                     for code, entry in configured(policy).items())


def resolve_store(policy, text: str | None, flag: str = "--store", named_in_cases=None) -> str | None:
    """The store code ``text`` names: a code (any letter case) or a store's name.

    Without ``stores:`` in kesu.yaml a store is free text and comes back as
    given — when a reading command passes ``named_in_cases`` (a callable giving
    the stores the cases name), only as one of those, so that a typo is refused
    rather than answered with an empty list or a perfect score; with
    ``stores:``, an unknown store is a usage error naming the known ones.
    """
    if text is None:
        return None
    text = str(text).strip()
    stores = configured(policy)
    if not stores:
        if named_in_cases is None or not text:
            return text or None
        named = sorted(named_in_cases())
        if text in named:
            return text
        raise UsageError(_("{flag} {value!r}: no case names this store (stores named in cases: {known})").format(
            flag=flag, value=text, known=", ".join(named) or _("none")))
    if text in stores:
        return text
    folded = text.casefold()
    for code, entry in stores.items():
        if code.casefold() == folded or str(entry.get("name") or "").strip().casefold() == folded:
            return code
    raise UsageError(_("{flag} {value!r} is not a store of kesu.yaml (stores: {known})").format(
        flag=flag, value=text, known=known_list(policy)))


def store_name(policy, code: str | None) -> str | None:
    return configured(policy).get(code, {}).get("name") if code else None


def store_region(policy, code: str | None) -> str | None:
    return configured(policy).get(code, {}).get("region") if code else None


def member_stores(data: dict) -> dict[str, frozenset[str]]:
    """Each roster member's stores (empty: works for the whole chain), from a
    store's ``roster`` list and the member's own ``store``/``stores``."""
    roster = data.get("roster") if isinstance(data.get("roster"), dict) else {}
    stores = data.get("stores") if isinstance(data.get("stores"), dict) else {}
    listed: dict[str, set[str]] = {}
    for store, entry in stores.items():
        for name in ((entry.get("roster") or []) if isinstance(entry, dict) else []):
            listed.setdefault(str(name), set()).add(str(store))
    result = {}
    for name, member in roster.items():
        member = member if isinstance(member, dict) else {}
        own = set(listed.get(name, ()))
        if member.get("store"):
            own.add(str(member["store"]))
        own.update(str(s) for s in member.get("stores") or [])
        result[name] = frozenset(own)
    return result


def people_of(data: dict, code: str) -> frozenset[str] | None:
    """Who may act on the store's cases: its own people and the chain-wide ones;
    None when the roster is empty (anyone may)."""
    stores_of = member_stores(data)
    if not stores_of:
        return None
    return frozenset(name for name, own in stores_of.items() if not own or code in own)


def policy_for_store(policy, code: str | None):
    """The policy the store ``code`` runs on: the chain's, with the store's
    business hours, calendar and people. The chain's own policy for a case
    without a store, an archive without ``stores:``, or a store it does not
    know (validate reports that). Built once per store and policy."""
    stores = configured(policy)
    if not code or code not in stores:
        return policy
    cache = policy.__dict__.setdefault("_store_policies", {})
    if code not in cache:
        from kesu.config import Policy

        entry = stores[code]
        data = dict(policy.data)
        calendar = dict(data.get("calendar") or {})
        calendar.update({k: v for k, v in (entry.get("calendar") or {}).items() if k in CALENDAR_KEYS})
        if entry.get("business_hours"):
            calendar["business_hours"] = entry["business_hours"]
        data["calendar"] = calendar
        store_policy = Policy(data, policy.path)
        store_policy.store = code
        store_policy.store_people = people_of(data, code)
        cache[code] = store_policy
    return cache[code]


def deadlines_for(policy, case: dict):
    """The deadline engine of ``case``'s store (its calendar and hours)."""
    store_policy = policy_for_store(policy, case.get("store") if isinstance(case, dict) else None)
    engine = store_policy.__dict__.get("_deadlines")
    if engine is None:
        from kesu.deadlines import Deadlines

        engine = store_policy.__dict__["_deadlines"] = Deadlines(store_policy.data)
    return engine


def check_case_store(policy, store: Any) -> None:
    """A new case's store must be one of kesu.yaml's (when it lists any)."""
    stores = configured(policy)
    if stores and store not in (None, "") and str(store) not in stores:
        raise UsageError(_("store {value!r} is not a store of kesu.yaml (stores: {known})").format(
            value=store, known=known_list(policy)))


# ------------------------------------------------------------------ checks
def case_problems(case: dict, policy) -> list[tuple[tuple, str]]:
    """A case's store is one of kesu.yaml's (validate)."""
    stores = configured(policy)
    store = case.get("store")
    if stores and isinstance(store, str) and store not in stores:
        return [(("store",), _("store {value!r} is not a store of kesu.yaml (stores: {known})").format(
            value=store, known=known_list(policy)))]
    return []


def setting_problems(data: dict) -> list[tuple[tuple, str]]:
    """kesu.yaml's ``stores:``: names of people the roster lacks, stores the roster's
    people name that do not exist, calendars the deadline engine cannot use."""
    from kesu.deadlines import validate_policy

    stores = data.get("stores") if isinstance(data.get("stores"), dict) else {}
    roster = data.get("roster") if isinstance(data.get("roster"), dict) else {}
    problems: list[tuple[tuple, str]] = []
    for code, entry in stores.items():
        if not isinstance(entry, dict):
            continue
        for i, name in enumerate(entry.get("roster") or []):
            if roster and name not in roster:
                problems.append((("stores", code, "roster", i),
                                 _("{name!r} of store {code} is not in the roster of kesu.yaml").format(name=name, code=code)))
        calendar = dict(entry.get("calendar") or {})
        if entry.get("business_hours"):
            calendar["business_hours"] = entry["business_hours"]
        for path, message in validate_policy({"timezone": data.get("timezone"), "calendar": calendar,
                                              "sla": {}}):
            if path and path[0] == "calendar":
                problems.append((("stores", code, *path), _("store {code}: {problem}").format(code=code, problem=message)))
    for name, member in roster.items():
        if not isinstance(member, dict):
            continue
        named = ([member["store"]] if member.get("store") else []) + list(member.get("stores") or [])
        for store in named:
            if stores and store not in stores:
                problems.append((("roster", name), _("{name}'s store {store!r} is not one of stores: ({known})").format(
                    name=name, store=store, known=", ".join(map(str, stores)))))
    return problems
