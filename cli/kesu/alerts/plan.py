"""Which timers are yellow or red now, and who is told about each.

The owner hears of a yellow light; on red, the owner and the owner's superior
(the roster's next rank up, in the case's store or chain-wide); on red for a
high-risk case, operations too (``alerts.high_risk_roles``). A case without an
owner yet (received, acknowledged) belongs to whoever took it in.

The timers come from :class:`kesu.deadlines.Deadlines`, as for ``kesu overdue``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kesu import lifecycle, neutral
from kesu.deadlines import LIGHT_RANK, MALFORMED, Deadlines
from kesu.values import dig, local_minute

#: Roles that hear of a red light on a high-risk case, unless kesu.yaml says otherwise.
DEFAULT_HIGH_RISK_ROLES = ("operations",)
#: Why a recipient hears of a case.
OWNER, SUPERIOR, HIGH_RISK = "owner", "superior", "high_risk"


@dataclass(frozen=True)
class Item:
    """One timer of one case at one light: what is alerted once."""

    case: str
    timer: str
    started_at: str
    light: str
    store: str | None
    state: str | None
    owner: str | None
    risk: str | None
    summary: str
    due: str
    deadline: str
    left_minutes: float
    clock: str
    path: str

    @property
    def key(self) -> str:
        """The alert's identity: a restarted timer (a new plan after an escalation) is a new one."""
        return f"{self.case}|{self.timer}|{self.started_at}|{self.light}"


@dataclass
class Recipient:
    name: str
    display: str
    email: str | None
    #: (item, why this recipient hears of it)
    items: list[tuple[Item, str]] = field(default_factory=list)


def lit_items(archive, now: datetime, masker) -> list[Item]:
    """Every running timer that is yellow or red at ``now``, most overdue first.
    ``masker(case, text)`` masks the customer in free text. Files that cannot be
    read are left out (``archive.left_out``), as by ``kesu overdue``."""
    engine = Deadlines(archive.policy.data)
    items = []
    for path, case, _ in archive.scan():
        if case is None or case.get("state") == lifecycle.CLOSED:
            continue
        try:
            timers = engine.timers(case, now)
        except MALFORMED:
            continue  # a malformed case has no deadline; validate reports it
        for timer in timers:
            if not timer.running or LIGHT_RANK[timer.light] > LIGHT_RANK["yellow"]:
                continue
            items.append(Item(
                case=str(case.get("id")), timer=timer.name,
                started_at=timer.started_at.isoformat(), light=timer.light,
                store=one_line(case.get("store")), state=case.get("state"),
                owner=one_line(responsible(case)), risk=dig(case, "classification", "risk"),
                summary=one_line(masker(case, str(dig(case, "complaint", "summary") or ""))),
                due=local_minute(timer.deadline, archive.policy.tz),
                deadline=timer.deadline.isoformat(), left_minutes=round(timer.left_minutes, 1),
                clock=timer.clock, path=archive.rel(path)))
    items.sort(key=lambda i: (LIGHT_RANK[i.light], i.deadline, i.case, i.timer))
    return items


def one_line(text) -> str | None:
    """Text from a case file as one inert line: it cannot start a line of its own in
    a message, nor drive the terminal that shows it."""
    return None if text is None else neutral.terminal(" ".join(str(text).split()))


def responsible(case: dict) -> str | None:
    """The owner, else whoever took the complaint in."""
    owner = dig(case, "assignment", "owner")
    if owner:
        return str(owner)
    timeline = case.get("timeline") or []
    first = timeline[0] if timeline and isinstance(timeline[0], dict) else {}
    return str(first["by"]) if first.get("by") else None


class Roster:
    """Who is above whom, per store, from kesu.yaml's roster and role ranks."""

    def __init__(self, policy):
        from kesu.stores import member_stores

        self.members = {name: (m or {}) for name, m in (policy.roster or {}).items()}
        #: Each member's stores; none: works for the whole chain.
        self.stores_of = member_stores(policy.data)
        ranks = policy.setting("approval", "role_ranks") or {}
        self.ranks = ranks if isinstance(ranks, dict) else {}
        roles = dig(policy.data, "alerts", "high_risk_roles")
        self.high_risk_roles = tuple(roles) if roles else DEFAULT_HIGH_RISK_ROLES

    def rank(self, name: str) -> int | None:
        return self.ranks.get(self.members.get(name, {}).get("role"))

    def _serves(self, name: str, store: str | None) -> bool:
        """A member with no store works for the whole chain."""
        own = self.stores_of.get(name, frozenset())
        return not own or store is None or store in own

    def _nearest(self, names: list[str], store: str | None) -> list[str]:
        """Those of the case's own store if any, else the chain-wide ones."""
        local = [n for n in names if store is not None and store in self.stores_of.get(n, ())]
        return local or [n for n in names if not self.stores_of.get(n)] or names

    def superiors(self, owner: str, store: str | None) -> list[str]:
        mine = self.rank(owner)
        if mine is None:
            return []
        above = [n for n in self.members if n != owner and self._serves(n, store)
                 and (self.rank(n) or 0) > mine]
        if not above:
            return []
        nearest = min(self.rank(n) for n in above)
        return sorted(self._nearest([n for n in above if self.rank(n) == nearest], store))

    def high_risk(self, store: str | None) -> list[str]:
        names = [n for n in self.members if self.members[n].get("role") in self.high_risk_roles
                 and self._serves(n, store)]
        return sorted(self._nearest(names, store))

    def recipient(self, name: str) -> Recipient:
        member = self.members.get(name, {})
        return Recipient(name, str(member.get("name") or name), member.get("email"))


def who_hears(roster: Roster, item: Item) -> list[tuple[str, str]]:
    """(recipient, why) for one lit timer."""
    if not item.owner:
        return []
    told = [(item.owner, OWNER)]
    if item.light == "red":
        own = sorted(roster.stores_of.get(item.owner, ()))
        store = item.store or (own[0] if len(own) == 1 else None)
        told += [(name, SUPERIOR) for name in roster.superiors(item.owner, store)]
        if item.risk == "high":
            told += [(name, HIGH_RISK) for name in roster.high_risk(store)]
    seen: dict[str, str] = {}
    for name, why in told:
        seen.setdefault(name, why)
    return list(seen.items())


def by_recipient(roster: Roster, items: list[Item]) -> list[Recipient]:
    """Each recipient with the lit timers they hear of, in the items' order."""
    recipients: dict[str, Recipient] = {}
    for item in items:
        for name, why in who_hears(roster, item):
            recipients.setdefault(name, roster.recipient(name)).items.append((item, why))
    return [recipients[name] for name in sorted(recipients)]
