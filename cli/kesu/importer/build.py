"""A ledger entry turned into a case, step by step, through the step engine.

A ledger records where a complaint ended (已结案, 处理中) and a few dates, not
each step. The case is rebuilt as the walk of the transition table that leads
to that state — intake, ack, dispatch, investigate, propose (and approve when
the plan needs it), notify, accept, resolve, then the return visit or the
closure — each step applied by ``engine.apply`` exactly as a clerk's command
would be, so the file replays like any other and the audit accepts it.

Dates: each step takes the ledger's date for it when there is one (``at`` for
the intake, ``acked-at``, ``resolved-at``, ``closed-at``), else the date of the
step before it. So a closed case's timers were all met or stopped in the
past, and no deadline of a finished case lights up today; an open case's
running timers start where the ledger left it.

Who: the person importing records the intake, acknowledgement and dispatch
(and approves a plan that needs it); the case's owner (the ledger's 处理人, else
``--owner``) does the rest, as the roster and the store's people allow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu import engine, lifecycle
from kesu.engine import Step
from kesu.importer.convert import Entry
from kesu.intake import FIELDS
from kesu.values import isoformat

#: The walk to each state a ledger may name, after the intake.
WALK = ("ack", "dispatch", "investigate", "propose", "notify", "accept", "resolve")
#: The state each step of the walk leaves a case in.
REACHES = {"ack": lifecycle.ACKNOWLEDGED, "dispatch": lifecycle.DISPATCHED,
           "investigate": lifecycle.INVESTIGATING, "propose": lifecycle.PLAN_PROPOSED,
           "notify": lifecycle.CUSTOMER_NOTIFIED, "accept": lifecycle.EXECUTING,
           "resolve": lifecycle.RESOLVED}
#: A ledger's word on a finished complaint that was never handled (撤诉, 无效投诉).
EARLY_CLOSE = ("withdrawn", "invalid")


def target_state(entry: Entry) -> str:
    """The state the ledger gives, else what its dates and results imply."""
    state = entry.get("state")
    if state:
        return state
    if entry.get("closed-at") or entry.get("close-reason") in EARLY_CLOSE:
        return lifecycle.CLOSED
    if entry.get("resolved-at") or entry.get("resolution"):
        return lifecycle.RESOLVED
    return lifecycle.RECEIVED


def intake_args(entry: Entry, case_id: str) -> dict:
    """The intake step's arguments, shaped as ``kesu new`` gives them."""
    data: dict[str, Any] = {}
    for flag, (path, _, _) in FIELDS.items():
        value = entry.get(flag.replace("_", "-"))
        if isinstance(value, datetime):
            value = isoformat(value)
        if value not in (None, ""):
            node = data
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
    subjects = []
    for ref in _split(entry.get("product")):
        ref, _, name = ref.partition("=")
        subjects.append({"kind": "product", "ref": ref.strip(), **({"name": name.strip()} if name else {})})
    if subjects:
        data.setdefault("complaint", {})["subjects"] = subjects
    return {"id": case_id, **{k: data[k] for k in ("channel", "store", "customer", "complaint") if k in data}}


def _split(text: Any) -> list[str]:
    if not text:
        return []
    return [part for part in str(text).replace("；", ";").replace("、", ";").split(";") if part.strip()]


def steps(entry: Entry, case_id: str, actor: str, owner: str, source: str) -> list[Step]:
    """Every step of the case the entry describes, oldest first."""
    state = target_state(entry)
    received = entry.get("at")
    when = {"intake": received, "ack": entry.get("acked-at"),
            "resolve": entry.get("resolved-at") or entry.get("closed-at")}
    owner = entry.get("owner") or owner
    provenance = f"{source} row {entry.row}"
    args = {
        "dispatch": {"category": entry.get("category", "other"), "subcategory": entry.get("subcategory"),
                     "severity": entry.get("severity", "general"), "risk": entry.get("risk", "low"),
                     "owner": owner, "department": entry.get("department")},
        "investigate": {"findings": [entry.get("findings") or f"as recorded in {provenance}"],
                        "root_cause": entry.get("root-cause")},
        "propose": {"step": [entry.get("plan") or entry.get("resolution") or f"as recorded in {provenance}"],
                    "refund": entry.get("refund"), "voucher": entry.get("voucher"), "cash": entry.get("cash")},
        "resolve": {"summary": entry.get("resolution") or f"as recorded in {provenance}",
                    # cash paid before kesu: the signed paper is wherever the ledger's is
                    "signature_kept": f"as recorded in {provenance}" if entry.get("cash") else None},
    }
    by_actor = ("intake", "ack", "dispatch", "approve")
    made: list[Step] = []
    last = received

    def add(action: str, moment: datetime | None, **given: Any) -> None:
        nonlocal last
        last = max(last, moment) if moment else last
        made.append(Step(action, actor if action in by_actor else owner, isoformat(last),
                         {k: v for k, v in given.items() if v not in (None, "")}))

    add("intake", received, **intake_args(entry, case_id))
    if state == lifecycle.CLOSED and entry.get("close-reason") in EARLY_CLOSE:
        _report_back(add, entry, entry.get("closed-at"), provenance)
        add("close", entry.get("closed-at"), reason=entry.get("close-reason"))
        return made
    goal = lifecycle.RESOLVED if state == lifecycle.CLOSED else state
    reached = lifecycle.RECEIVED
    for action in WALK:
        if reached == goal:
            break
        add(action, when.get(action), **args.get(action, {}))
        reached = REACHES[action]
        if action == "propose":
            made.append(Step("approve", actor, made[-1].at, {}))  # dropped below when not needed
    if state == lifecycle.CLOSED:
        satisfaction = entry.get("satisfaction")
        closed = entry.get("closed-at")
        _report_back(add, entry, closed, provenance)
        if satisfaction:
            add("follow-up", closed, satisfaction=satisfaction)
        if not satisfaction or not lifecycle.SATISFACTION_CLOSES[satisfaction]:
            reason = ("unsatisfied" if satisfaction == "unsatisfied"
                      else "no_follow_up" if satisfaction else "resolved")
            add("close", closed, reason=reason)
    return made


def _report_back(add, entry: Entry, closed, provenance: str) -> None:
    """A closed complaint that 12315 or the consumer association transferred was
    reported back before it closed (003); the ledger says so by closing it."""
    from kesu.obligations import OUTSIDE_BODIES

    if entry.get("channel") in OUTSIDE_BODIES:
        add("report-back", closed, method="other", text=f"as recorded in {provenance}")


def build(entry: Entry, case_id: str, actor: str, owner: str, policy, source: str) -> dict:
    """The case the entry describes, every step applied by the engine (UsageError when one is refused)."""
    case = None
    for step in steps(entry, case_id, actor, owner, source):
        if step.action == "approve" and not (case.get("plan") or {}).get("approval", {}).get("required"):
            continue
        case = engine.apply(case, step, policy).case
    return case
