"""What each step writes into a case, and the business rules it enforces.

Each rule receives the engine's copy of the document, a ``Context`` (state,
step, policy) and the step's arguments exactly as the user gave them (text,
so parsing an amount or a duration happens here, once, for the command line,
a replay and a merge alike). It changes the sections its transition owns and
returns an ``Outcome``; ``engine.apply`` does the rest. Nothing here reads a
file, a clock or git.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from kesu import claimants, evidence, lifecycle, obligations, yamlio
from kesu.engine import Context, Outcome
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.intake import intake
from kesu.money import (STATUTORY_MINIMUM, STATUTORY_MULTIPLE, approval_reasons, case_money, check_covered,
                        money_arg, reasons_shown, statutory_compensation)
from kesu.values import dig
from kesu.vocab import label

#: ``ack`` without ``--method``: how the customer was most likely told, by channel.
ACK_METHOD_BY_CHANNEL = {"counter": "in_person", "hotline": "phone", "app": "app",
                         "email": "email", "letter": "letter"}


def _section(doc: dict, key: str) -> Any:
    if doc.get(key) is None:
        doc[key] = {}
    return doc[key]


def _append(doc: dict, key: str, item: Any) -> None:
    if not isinstance(doc.get(key), list):
        doc[key] = []
    doc[key].append(item)


def _entry(ctx: Context, **fields: Any) -> dict:
    return {"at": ctx.at, "by": ctx.actor, **{k: v for k, v in fields.items() if v is not None}}


def _check_method(method: str | None, flag: str = "--method") -> None:
    if method is not None and method not in lifecycle.TELL_METHODS:
        raise UsageError(_("{flag} {value!r} is not one of: {allowed}").format(
            flag=flag, value=method, allowed=", ".join(lifecycle.TELL_METHODS)))


# ------------------------------------------------------------------ steps
def ack(doc, ctx: Context, *, method: str | None = None, message: str | None = None) -> Outcome:
    _check_method(method)
    method = method or ACK_METHOD_BY_CHANNEL.get(doc.get("channel"), "other")
    doc["acknowledgement"] = _entry(ctx, method=method, message=message)
    return Outcome([("method", method)])


def dispatch(doc, ctx: Context, *, category: str, severity: str, risk: str, owner: str,
             subcategory: str | None = None, department: str | None = None,
             force: bool = False, reason: str | None = None) -> Outcome:
    policy = ctx.policy
    if force and not reason:
        raise UsageError(_("--force needs --reason TEXT saying why"))
    if reason and not force:
        raise UsageError(_("--reason goes with --force"))
    policy.check_choice("categories", category, "--category")
    if subcategory is not None and subcategory not in policy.subcategories(category):
        allowed = ", ".join(policy.subcategories(category)) or _("none")
        raise UsageError(_("--subcategory {value!r} is not one of {category}'s: {allowed}").format(
            value=subcategory, category=category, allowed=allowed))
    policy.check_choice("severities", severity, "--severity")
    policy.check_choice("risks", risk, "--risk")
    if department is not None:
        policy.check_choice("departments", department, "--department")
    role = policy.member(owner).get("role")
    senior = (policy.get("approval") or {}).get("senior_roles") or ["operations", "legal"]
    needs_senior = risk == "high" or severity in ("serious", "critical")
    forced = None
    if needs_senior and policy.roster and role not in senior:
        if not force:
            raise UsageError(_(
                "a {risk}-risk {severity} case must be owned by {roles}; {owner} is {role}. "
                "Choose another --owner, or use --force --reason TEXT to record why").format(
                risk=label(risk, language()), severity=label(severity, language()),
                roles=_(" or ").join(label(r, language()) for r in senior), owner=owner,
                role=label(role, language()) if role else _("none")))
        forced = {"reason": reason, "by": ctx.actor}
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
        details.append(("forced", reason))
    return Outcome(details)


def investigate(doc, ctx: Context, *, findings: list[str], responsibility: str | None = None,
                root_cause: str | None = None) -> Outcome:
    if not findings:
        raise UsageError(_("give at least one --findings TEXT"))
    if responsibility is not None:
        ctx.policy.check_choice("responsibility", responsibility, "--responsibility")
    section = _section(doc, "investigation")
    for text in findings:
        _append(section, "findings", _entry(ctx, text=text))
    if responsibility:
        section["responsibility"] = responsibility
    if root_cause:
        section["root_cause"] = root_cause
    details: list[tuple[str, Any]] = [("findings", len(findings))]
    if responsibility:
        details.append(("responsibility", responsibility))
    return Outcome(details)


def propose(doc, ctx: Context, *, step: list[str], refund: str | None = None,
            voucher: str | None = None, cash: str | None = None,
            compensation: list[str] | None = None, legal_basis: str | None = None,
            commitment: str | None = None) -> Outcome:
    if not step:
        raise UsageError(_("give the plan as one or more --step TEXT"))
    items = [(kind, money_arg(value, f"--{kind}", ctx.policy)) for kind, value in
             (("refund", refund), ("voucher", voucher), ("cash", cash)) if value is not None]
    for spec in compensation or []:
        kind, sep, amount = str(spec).partition("=")
        if not sep or not kind:
            raise UsageError(_("--compensation {value!r} should look like KIND=AMOUNT, e.g. gift=50").format(value=spec))
        items.append((kind, money_arg(amount, "--compensation", ctx.policy)))
    kinds = ctx.policy.vocabulary("compensation")
    for kind, _amount in items:
        if kinds and kind not in kinds:
            raise UsageError(_("compensation kind {kind!r} is not one of: {allowed}").format(
                kind=kind, allowed=", ".join(kinds)))
    total = sum((amount for _kind, amount in items), Decimal("0.00"))
    paid = case_money(doc) - yamlio.money(dig(doc, "plan", "total") or 0)
    reasons = approval_reasons(ctx, total + paid, dig(doc, "classification", "risk"))
    plan: dict[str, Any] = {"steps": list(step),
                            "compensation": [{"kind": k, "amount": a} for k, a in items],
                            "total": total}
    if legal_basis:
        plan["legal_basis"] = legal_basis
    if commitment:
        plan["commitment"] = commitment
    plan.update(proposed_at=ctx.at, proposed_by=ctx.actor,
                approval={"required": bool(reasons), "reasons": reasons})
    doc["plan"] = plan
    return Outcome([("total", f"{total:.2f}"),
                    ("approval", "required" if reasons else "not_required")])


def approve(doc, ctx: Context) -> Outcome:
    plan = _section(doc, "plan")
    approval = plan.get("approval") or {}
    if approval.get("approved_by"):
        raise UsageError(_("the plan was already approved by {approver}").format(approver=approval["approved_by"]))
    if ctx.actor == plan.get("proposed_by") and approval.get("required"):
        raise UsageError(_("a plan that needs approval must be approved by someone other than "
                           "its proposer ({actor})").format(actor=ctx.actor))
    policy = ctx.policy
    total = yamlio.money(plan.get("total") or 0)
    limit = policy.approval_limit(ctx.actor)
    if limit is not None and total > limit:
        raise UsageError(_("{actor}'s approval limit {limit} does not cover the plan's total {total}").format(
            actor=ctx.actor, limit=limit, total=f"{total:.2f}"))
    if dig(doc, "classification", "risk") == "high" and policy.roster:
        roles = (policy.get("approval") or {}).get("high_risk_roles") or ["operations", "legal"]
        role = policy.member(ctx.actor).get("role")
        if role not in roles:
            raise UsageError(_("a high-risk plan must be approved by {roles}; {actor} is {role}").format(
                roles=_(" or ").join(label(r, language()) for r in roles), actor=ctx.actor,
                role=label(role, language()) if role else _("none")))
    approval = dict(approval)
    approval.setdefault("required", False)
    approval.update(approved_by=ctx.actor, approved_at=ctx.at)
    plan["approval"] = approval
    return Outcome([("total", f"{total:.2f}")])


def notify(doc, ctx: Context, *, method: str | None = None, message: str | None = None) -> Outcome:
    _check_method(method)
    approval = dig(doc, "plan", "approval") or {}
    if approval.get("required") and not approval.get("approved_by"):
        raise UsageError(_("the plan needs approval before the customer is told ({reasons}); "
                           "run 'kesu approve' first").format(reasons=reasons_shown(approval.get("reasons"))))
    response = _section(doc, "customer_response")
    response["notified_at"] = ctx.at
    response["notified_by"] = ctx.actor
    response.pop("accepted_at", None)
    if method:
        response["method"] = method
    if message:
        response["message"] = message
    response.setdefault("objections", [])
    return Outcome([("method", method)] if method else [])


def accept(doc, ctx: Context) -> Outcome:
    _section(doc, "customer_response")["accepted_at"] = ctx.at
    return Outcome()


def object_(doc, ctx: Context, *, reason: str) -> Outcome:
    _append(_section(doc, "customer_response"), "objections", _entry(ctx, reason=reason))
    return Outcome([("reason", reason)])


def escalate(doc, ctx: Context, *, reason: str, owner: str | None = None) -> Outcome:
    """One level up (000: 2小时内升级至上级主管). A new owner must rank above the
    current one; without --owner the owner stays and only the level rises."""
    assignment = _section(doc, "assignment")
    previous = assignment.get("owner")
    if owner:
        ctx.policy.member(owner)
        ctx.policy.check_outranks(owner, previous)
        assignment["owner"] = owner
    level = int(assignment.get("level") or 1) + 1
    assignment["level"] = level
    _append(doc, "escalations", _entry(ctx, reason=reason, from_owner=previous,
                                       to_owner=assignment.get("owner"), level=level))
    return Outcome([("level", level), ("owner", assignment.get("owner")), ("reason", reason)])


def act(doc, ctx: Context, *, text: str, statutory: str | None = None,
        outcomes: list[str] | None = None) -> Outcome:
    entry = _entry(ctx, text=text)
    details: list[tuple[str, Any]] = [("text", text)]
    if outcomes:
        refs = claimants.record_outcomes(doc, ctx, outcomes)
        entry["claimants"] = refs
        details.append(("claimants", len(refs)))
    if statutory is not None:
        price = money_arg(statutory, "--statutory", ctx.policy)
        compensation = statutory_compensation(price)
        check_covered(doc, ctx, case_money(doc) + compensation)
        entry["statutory"] = {"price": price, "multiple": int(STATUTORY_MULTIPLE),
                              "minimum": STATUTORY_MINIMUM, "compensation": compensation}
        details.append(("statutory_compensation", f"{compensation:.2f}"))
    _append(doc, "actions", entry)
    return Outcome(details)


def resolve(doc, ctx: Context, *, summary: str, signature_kept: str | None = None) -> Outcome:
    if not signature_kept:
        evidence.check_signed_for_cash(doc, ctx.policy)
    claimants.check_all_have_outcomes(doc)
    doc["resolution"] = _entry(ctx, summary=summary, signature_kept=signature_kept)
    return Outcome([("summary", summary)])


def follow_up(doc, ctx: Context, *, satisfaction: str, note: str | None = None) -> Outcome:
    if satisfaction not in lifecycle.SATISFACTION_CLOSES:
        raise UsageError(_("--satisfaction must be one of: {allowed}").format(
            allowed=", ".join(lifecycle.SATISFACTION_CLOSES)))
    doc["follow_up"] = _entry(ctx, satisfaction=satisfaction, note=note)
    if lifecycle.SATISFACTION_CLOSES[satisfaction]:
        obligations.check_can_close(doc, ctx.policy)
        doc["closure"] = _entry(ctx, reason="resolved")
        return Outcome([("satisfaction", satisfaction)], target=lifecycle.CLOSED)
    return Outcome([("satisfaction", satisfaction)], target=lifecycle.RESOLVED)


def close(doc, ctx: Context, *, reason: str, of: str | None = None,
          note: str | None = None) -> Outcome:
    allowed_from = lifecycle.CLOSE_REASONS.get(reason)
    if allowed_from is None:
        raise UsageError(_("--reason must be one of: {allowed}").format(allowed=", ".join(lifecycle.CLOSE_REASONS)))
    if ctx.state not in allowed_from:
        raise UsageError(_("close --reason {reason} is only allowed from {states}; the case is {state}").format(
            reason=reason, states=", ".join(label(s, language()) for s in sorted(allowed_from)),
            state=label(ctx.state, language())))
    if reason == "unsatisfied" and dig(doc, "follow_up", "satisfaction") != "unsatisfied":
        raise UsageError(_("close --reason unsatisfied needs a follow-up that found the customer unsatisfied"))
    if reason == "duplicate":
        if not of:
            raise UsageError(_("close --reason duplicate needs --of ID of the case it duplicates"))
        if of == doc.get("id"):
            raise UsageError(_("a case cannot duplicate itself"))
    elif of:
        raise UsageError(_("--of only goes with --reason duplicate"))
    obligations.check_can_close(doc, ctx.policy)
    doc["closure"] = _entry(ctx, reason=reason, of=of, note=note)
    return Outcome([("reason", reason)] + ([("of", of)] if of else []))


def reopen(doc, ctx: Context, *, reason: str) -> Outcome:
    previous = doc.pop("closure", None)
    entry = _entry(ctx, reason=reason)
    if previous:
        entry["previous_closure"] = previous
    _append(doc, "reopenings", entry)
    return Outcome([("reason", reason)])


def extend(doc, ctx: Context, *, by: str, reason: str, timer: str | None = None,
           approver: str | None = None) -> Outcome:
    """延期申请: another person whose role may approve it signs; the timer's cap holds."""
    from kesu import deadlines

    deadlines.split_duration(by)
    ctx.policy.check_extension_approver(approver, ctx.actor)
    timer, duration, minutes = deadlines.Deadlines(ctx.policy.data).extension(
        doc, datetime.fromisoformat(ctx.at), by, timer)
    _append(doc, "extensions", _entry(ctx, timer=timer, duration=duration, minutes=minutes,
                                      reason=reason, approved_by=approver))
    return Outcome([("timer", timer), ("by", duration), ("approved_by", approver)])


def note(doc, ctx: Context, *, text: str) -> Outcome:
    _append(doc, "notes", _entry(ctx, text=text))
    return Outcome([("text", text)])


def assign(doc, ctx: Context, *, owner: str, department: str | None = None) -> Outcome:
    ctx.policy.member(owner)
    if department is not None:
        ctx.policy.check_choice("departments", department, "--department")
    assignment = _section(doc, "assignment")
    assignment["owner"] = owner
    if department:
        assignment["department"] = department
    assignment.setdefault("level", 1)
    return Outcome([("owner", owner)])


def library(doc, ctx: Context, *, lessons: str, value: str | None = None,
            caveats: str | None = None, five_whys: list[str] | None = None,
            typical: bool = False, draft: bool = False) -> Outcome:
    if ctx.state != lifecycle.CLOSED:
        if not draft:
            raise UsageError(_("the case is {state}; only closed cases go into the library "
                               "(an open high-risk or typical case can go in with --draft)").format(
                state=label(ctx.state, language())))
        if dig(doc, "classification", "risk") != "high" and not typical:
            raise UsageError(_("an open case goes into the library only when it is high-risk or marked --typical"))
    section: dict[str, Any] = {"lessons": lessons}
    if value:
        section["value"] = value
    if caveats:
        section["caveats"] = caveats
    section["five_whys"] = list(five_whys or [])
    if typical:
        section["typical"] = True
    section.update(draft=bool(draft), at=ctx.at, by=ctx.actor)
    doc["library"] = section
    return Outcome([("draft", str(bool(draft)).lower())])


#: Keys an edit may never touch: they are the record of what happened.
FROZEN = ("id", "schema_version", "state", "received_at", "timeline")


def edit(doc, ctx: Context, *, sections: dict) -> Outcome:
    """A hand correction: ``sections`` maps each changed section to its new
    content (None removes it)."""
    if not isinstance(sections, dict) or not sections:
        raise UsageError(_("an edit must change at least one section"))
    frozen = [k for k in FROZEN if k in sections]
    if frozen:
        raise UsageError(_("an edit may not change {sections} (use the lifecycle commands)").format(
            sections=", ".join(frozen)))
    allowed = lifecycle.TABLE["edit"].writes
    other = [k for k in sections if k not in allowed]
    if other:
        raise UsageError(_("an edit may not change {sections}").format(sections=", ".join(other)))
    for key, content in sections.items():
        if content is None:
            doc.pop(key, None)
        else:
            doc[key] = content
    return Outcome([("changed", ",".join(sections))])


#: The rule of every action in the transition table.
RULES = {
    "intake": intake, "ack": ack, "dispatch": dispatch, "investigate": investigate,
    "propose": propose, "approve": approve, "notify": notify, "accept": accept,
    "object": object_, "escalate": escalate, "act": act, "resolve": resolve,
    "follow-up": follow_up, "close": close, "reopen": reopen, "extend": extend,
    "note": note, "assign": assign, "library": library, "edit": edit,
    "attach": evidence.attach, "claimant-add": claimants.claimant_add,
    "report-back": obligations.report_back, "refer": obligations.refer,
    "corrective": obligations.corrective,
}
