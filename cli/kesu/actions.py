"""What each lifecycle step writes into a case, and the business rules it enforces.

Each step function receives the round-trip document, the state it is in, and
a ``Step`` (who, when, policy), changes the document's own section, and
returns a ``record.Change``. ``record.apply_step`` does the rest: the table
check, the timeline entry, the state, the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from kesu import lifecycle, yamlio
from kesu.archive import Archive, isoformat
from kesu.errors import UsageError
from kesu.record import Change, Recorded, apply_step, check_actor

ACK_METHOD_BY_CHANNEL = {"counter": "in_person", "hotline": "phone", "app": "app",
                         "email": "email", "letter": "letter"}


@dataclass
class Step:
    archive: Archive
    actor: str
    at: str

    @property
    def policy(self):
        return self.archive.policy


def run(archive: Archive, case_id: str, action: str, actor: str | None, at: datetime,
        step_fn: Callable[..., Change], **options: Any) -> Recorded:
    """Record ``action`` on ``case_id``; ``step_fn(doc, state, step, **options)`` edits the case."""
    actor = check_actor(archive, actor)
    step = Step(archive, actor, isoformat(at))
    return apply_step(archive, case_id, action, actor, at,
                      lambda doc, state: step_fn(doc, state, step, **options))


def _section(doc, key: str) -> Any:
    if doc.get(key) is None:
        doc[key] = {}
    return doc[key]


def _entry(step: Step, **fields: Any) -> dict:
    return {"at": step.at, "by": step.actor, **{k: v for k, v in fields.items() if v is not None}}


def _get(doc: Any, *keys: str) -> Any:
    for key in keys:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _role(step: Step, user: str) -> str | None:
    return step.policy.member(user).get("role")


# ------------------------------------------------------------------ steps
def ack(doc, state, step: Step, method: str | None = None, message: str | None = None) -> Change:
    method = method or ACK_METHOD_BY_CHANNEL.get(doc.get("channel"), "other")
    doc["acknowledgement"] = _entry(step, method=method, message=message)
    return Change([("method", method)])


def dispatch(doc, state, step: Step, category: str, severity: str, risk: str, owner: str,
             subcategory: str | None = None, department: str | None = None,
             force_reason: str | None = None) -> Change:
    policy = step.policy
    policy.check_choice("categories", category, "--category")
    if subcategory is not None and subcategory not in policy.subcategories(category):
        allowed = ", ".join(policy.subcategories(category)) or "none"
        raise UsageError(f"--subcategory {subcategory!r} is not one of {category}'s: {allowed}")
    policy.check_choice("severities", severity, "--severity")
    policy.check_choice("risks", risk, "--risk")
    if department is not None:
        policy.check_choice("departments", department, "--department")
    role = _role(step, owner)
    senior = (policy.get("approval") or {}).get("senior_roles") or ["operations", "legal"]
    needs_senior = risk == "high" or severity in ("serious", "critical")
    forced = None
    if needs_senior and policy.roster and role not in senior:
        if not force_reason:
            raise UsageError(
                f"a {risk}-risk {severity} case must be owned by {' or '.join(senior)} "
                f"(分层沟通); {owner} is {role}. Choose another --owner, or use --force "
                "--reason TEXT to record why")
        forced = {"reason": force_reason, "by": step.actor}
    classification = {"category": category}
    if subcategory:
        classification["subcategory"] = subcategory
    classification.update(risk=risk, severity=severity)
    doc["classification"] = classification
    assignment = {"owner": owner}
    if department:
        assignment["department"] = department
    assignment["level"] = 1
    if forced:
        assignment["forced"] = forced
    doc["assignment"] = assignment
    details = [("category", category), ("severity", severity), ("risk", risk), ("owner", owner)]
    if forced:
        details.append(("forced", force_reason))
    return Change(details)


def investigate(doc, state, step: Step, findings: list[str], responsibility: str | None = None,
                root_cause: str | None = None) -> Change:
    if not findings:
        raise UsageError("give at least one --findings TEXT")
    if responsibility is not None:
        step.policy.check_choice("responsibility", responsibility, "--responsibility")
    section = _section(doc, "investigation")
    section.setdefault("findings", [])
    for text in findings:
        section["findings"].append(_entry(step, text=text))
    if responsibility:
        section["responsibility"] = responsibility
    if root_cause:
        section["root_cause"] = root_cause
    details = [("findings", len(findings))]
    if responsibility:
        details.append(("responsibility", responsibility))
    return Change(details)


def propose(doc, state, step: Step, steps: list[str], compensation: list[tuple[str, Decimal]],
            legal_basis: str | None = None, commitment: str | None = None) -> Change:
    if not steps:
        raise UsageError("give the plan as one or more --step TEXT")
    kinds = step.policy.vocabulary("compensation")
    for kind, _ in compensation:
        if kinds and kind not in kinds:
            raise UsageError(f"compensation kind {kind!r} is not one of: {', '.join(kinds)}")
    total = sum((amount for _, amount in compensation), Decimal("0.00"))
    reasons = approval_reasons(step, total, _get(doc, "classification", "risk"))
    plan: dict[str, Any] = {"steps": list(steps),
                            "compensation": [{"kind": k, "amount": a} for k, a in compensation],
                            "total": total}
    if legal_basis:
        plan["legal_basis"] = legal_basis
    if commitment:
        plan["commitment"] = commitment
    plan.update(proposed_at=step.at, proposed_by=step.actor,
                approval={"required": bool(reasons), "reasons": reasons})
    doc["plan"] = plan
    details = [("total", f"{total:.2f}"), ("approval", "required" if reasons else "not_required")]
    return Change(details)


def approval_reasons(step: Step, total: Decimal, risk: str | None) -> list[str]:
    """Why a plan needs a second signature (001 §3.2, 000 §三), or [] when it does not."""
    reasons = []
    limit = step.policy.member(step.actor).get("approval_limit")
    if limit is not None and total > yamlio.money(limit):
        reasons.append(f"total {total:.2f} exceeds {step.actor}'s approval limit {yamlio.money(limit)}")
    if risk == "high":
        reasons.append("high-risk case")
    return reasons


def approve(doc, state, step: Step) -> Change:
    plan = _section(doc, "plan")
    approval = plan.get("approval") or {}
    if approval.get("approved_by"):
        raise UsageError(f"the plan was already approved by {approval['approved_by']}")
    if step.actor == plan.get("proposed_by") and approval.get("required"):
        raise UsageError("a plan that needs approval must be approved by someone other than "
                         f"its proposer ({step.actor})")
    policy = step.policy
    member = policy.member(step.actor)
    total = yamlio.money(plan.get("total") or 0)
    limit = member.get("approval_limit")
    if limit is not None and total > yamlio.money(limit):
        raise UsageError(f"{step.actor}'s approval limit {yamlio.money(limit)} does not cover "
                         f"the plan's total {total:.2f}")
    if _get(doc, "classification", "risk") == "high" and policy.roster:
        roles = (policy.get("approval") or {}).get("high_risk_roles") or ["operations", "legal"]
        if member.get("role") not in roles:
            raise UsageError(f"a high-risk plan must be approved by {' or '.join(roles)}; "
                             f"{step.actor} is {member.get('role')}")
    approval = dict(approval)
    approval.setdefault("required", False)
    approval.update(approved_by=step.actor, approved_at=step.at)
    plan["approval"] = approval
    return Change([("total", f"{total:.2f}")])


def notify(doc, state, step: Step, method: str | None = None, message: str | None = None) -> Change:
    approval = _get(doc, "plan", "approval") or {}
    if approval.get("required") and not approval.get("approved_by"):
        raise UsageError("the plan needs approval before the customer is told ("
                         + "; ".join(approval.get("reasons") or []) + "); run 'kesu approve' first")
    response = _section(doc, "customer_response")
    response["notified_at"] = step.at
    response["notified_by"] = step.actor
    response.pop("accepted_at", None)
    if method:
        response["method"] = method
    if message:
        response["message"] = message
    response.setdefault("objections", [])
    return Change([("method", method)] if method else [])


def accept(doc, state, step: Step) -> Change:
    _section(doc, "customer_response")["accepted_at"] = step.at
    return Change()


def object_(doc, state, step: Step, reason: str) -> Change:
    response = _section(doc, "customer_response")
    response.setdefault("objections", [])
    response["objections"].append(_entry(step, reason=reason))
    return Change([("reason", reason)])


def escalate(doc, state, step: Step, reason: str, owner: str | None = None) -> Change:
    assignment = _section(doc, "assignment")
    previous = assignment.get("owner")
    if owner:
        step.policy.member(owner)
        assignment["owner"] = owner
    level = int(assignment.get("level") or 1) + 1
    assignment["level"] = level
    doc.setdefault("escalations", [])
    doc["escalations"].append(_entry(step, reason=reason, from_owner=previous,
                                     to_owner=assignment.get("owner"), level=level))
    return Change([("level", level), ("owner", assignment.get("owner")), ("reason", reason)])


STATUTORY_MULTIPLE = Decimal(10)
STATUTORY_MINIMUM = Decimal("1000.00")


def statutory_compensation(price: Decimal) -> Decimal:
    """Food safety law: ten times the price paid, at least 1,000 yuan (退一赔十，不足千元按千元计)."""
    return max(price * STATUTORY_MULTIPLE, STATUTORY_MINIMUM).quantize(Decimal("0.01"))


def act(doc, state, step: Step, text: str, statutory_price: Decimal | None = None) -> Change:
    entry = _entry(step, text=text)
    details: list[tuple[str, Any]] = [("text", text)]
    if statutory_price is not None:
        compensation = statutory_compensation(statutory_price)
        entry["statutory"] = {"price": statutory_price, "multiple": int(STATUTORY_MULTIPLE),
                              "minimum": STATUTORY_MINIMUM, "compensation": compensation}
        details.append(("statutory_compensation", f"{compensation:.2f}"))
    doc.setdefault("actions", [])
    doc["actions"].append(entry)
    return Change(details)


def resolve(doc, state, step: Step, summary: str) -> Change:
    doc["resolution"] = _entry(step, summary=summary)
    return Change([("summary", summary)])


def follow_up(doc, state, step: Step, satisfaction: str, note: str | None = None) -> Change:
    if satisfaction not in lifecycle.SATISFACTION_CLOSES:
        raise UsageError(f"--satisfaction must be one of: {', '.join(lifecycle.SATISFACTION_CLOSES)}")
    doc["follow_up"] = _entry(step, satisfaction=satisfaction, note=note)
    if lifecycle.SATISFACTION_CLOSES[satisfaction]:
        doc["closure"] = _entry(step, reason="resolved")
        return Change([("satisfaction", satisfaction)], target=lifecycle.CLOSED)
    return Change([("satisfaction", satisfaction)], target=lifecycle.RESOLVED)


def close(doc, state, step: Step, reason: str, of: str | None = None, note: str | None = None) -> Change:
    allowed_from = lifecycle.CLOSE_REASONS.get(reason)
    if allowed_from is None:
        raise UsageError(f"--reason must be one of: {', '.join(lifecycle.CLOSE_REASONS)}")
    if state not in allowed_from:
        raise UsageError(f"close --reason {reason} is only allowed from "
                         f"{', '.join(sorted(allowed_from))}; the case is {state}")
    if reason == "unsatisfied" and _get(doc, "follow_up", "satisfaction") != "unsatisfied":
        raise UsageError("close --reason unsatisfied needs a follow-up that found the customer unsatisfied")
    if reason == "duplicate":
        if not of:
            raise UsageError("close --reason duplicate needs --of ID of the case it duplicates")
        if of == doc.get("id"):
            raise UsageError("a case cannot duplicate itself")
        step.archive.existing_case_path(of)
    elif of:
        raise UsageError("--of only goes with --reason duplicate")
    doc["closure"] = _entry(step, reason=reason, of=of, note=note)
    return Change([("reason", reason)] + ([("of", of)] if of else []))


def reopen(doc, state, step: Step, reason: str) -> Change:
    previous = doc.pop("closure", None)
    doc.setdefault("reopenings", [])
    entry = _entry(step, reason=reason)
    if previous:
        entry["previous_closure"] = previous
    doc["reopenings"].append(entry)
    return Change([("reason", reason)])


def extend(doc, state, step: Step, duration: str, reason: str, timer: str | None = None,
           approver: str | None = None) -> Change:
    from kesu import deadlines

    engine = deadlines.Deadlines(step.policy.data)
    amount, unit = deadlines.parse_duration(duration)
    now = datetime.fromisoformat(step.at)
    running = {t.name: t for t in engine.timers(doc, now) if t.running}
    if timer is None:
        current = deadlines.current_timer(doc, step.policy.data, now)
        if current is None:
            raise UsageError("no deadline is running for this case; nothing to extend")
        timer = current.name
    elif timer not in running:
        raise UsageError(f"timer {timer!r} is not running; running: {', '.join(running) or 'none'}")
    approver = approver or step.actor
    step.policy.member(approver)
    duration = f"{amount}{unit}"
    entry = _entry(step, timer=timer, duration=duration,
                   minutes=deadlines.duration_minutes(amount, unit), reason=reason,
                   approved_by=approver)
    doc.setdefault("extensions", [])
    doc["extensions"].append(entry)
    return Change([("timer", timer), ("by", duration), ("approved_by", approver)])


def note(doc, state, step: Step, text: str) -> Change:
    doc.setdefault("notes", [])
    doc["notes"].append(_entry(step, text=text))
    return Change([("text", text)])


def assign(doc, state, step: Step, owner: str, department: str | None = None) -> Change:
    step.policy.member(owner)
    if department is not None:
        step.policy.check_choice("departments", department, "--department")
    assignment = _section(doc, "assignment")
    assignment["owner"] = owner
    if department:
        assignment["department"] = department
    assignment.setdefault("level", 1)
    return Change([("owner", owner)])
