"""What each reply to a customer may say, and the data its template gets.

A reply says only what has happened and promises only what was decided:
each kind fits some case states and refuses the others; a plan letter waits
for the plan's approval; no time already past is promised (a delay notice
whose new deadline has passed is refused, an acknowledgement leaves the time
out); a return visit already made is not announced again.
"""

from __future__ import annotations

from datetime import datetime

from kesu.errors import UsageError
from kesu.i18n import N_, _, language

REPLY_KINDS = ("ack", "plan", "objection", "resolution", "follow-up", "delay")
#: The case states each reply fits: a reply says what has happened, so a
#: plan letter before there is a plan, a thank-you for an objection never
#: made, or a delay notice once the work is done, is refused rather than sent.
REPLY_STATES = {
    "ack": ("received", "acknowledged", "dispatched", "investigating"),
    "plan": ("plan_proposed", "customer_notified", "executing"),
    "objection": ("objected", "investigating"),
    "resolution": ("resolved", "closed"),
    "follow-up": ("resolved",),  # the call's script: a closed case was visited, or closed unvisited
    "delay": ("received", "acknowledged", "dispatched", "investigating", "plan_proposed",
              "customer_notified", "objected", "executing"),
}
#: The section each reply needs, and the refusal when the case has none.
_NEEDS = {"plan": ("plan", N_("case {case} has no plan yet; reply '{kind}' needs it")),
          "resolution": ("resolution", N_("case {case} has no resolution yet; reply '{kind}' needs it")),
          "objection": ("customer_response", N_("case {case} has no objection yet; reply '{kind}' needs it")),
          "delay": ("extensions", N_("case {case} has no extension yet; reply '{kind}' needs it"))}


def reply_fits(case: dict, kind: str) -> None:
    """Refuse a reply that would tell the customer something that has not happened."""
    from kesu.money import reasons_shown
    from kesu.vocab import label

    state, case_id = case.get("state"), case.get("id")
    if state not in REPLY_STATES[kind]:
        raise UsageError(_("reply '{kind}' is for cases that are {states}; case {case} is {state}").format(
            kind=kind, states=_(" or ").join(label(s, language()) for s in REPLY_STATES[kind]),
            case=case_id, state=label(state, language())))
    section, missing = _NEEDS.get(kind, (None, None))
    if (section and not case.get(section)) or (
            kind == "objection" and not (case.get("customer_response") or {}).get("objections")):
        raise UsageError(_(missing).format(case=case_id, kind=kind))
    plan = case.get("plan") or {}
    if kind == "plan" and not plan.get("steps"):
        raise UsageError(_("case {case} has a plan without steps; reply '{kind}' needs them").format(
            case=case_id, kind=kind))
    approval = plan.get("approval") or {}
    if kind == "plan" and approval.get("required") and not approval.get("approved_by"):
        raise UsageError(_("case {case}'s plan needs approval before the customer is told ({reasons}); run "
                           "'kesu approve' before reply '{kind}'").format(
            case=case_id, kind=kind, reasons=reasons_shown(approval.get("reasons"))))
    visit = case.get("follow_up") or {}
    if kind == "follow-up" and visit.get("satisfaction") not in (None, "unreachable"):
        raise UsageError(_("case {case}'s return visit was made already (the customer was {satisfaction}); "
                           "reply '{kind}' is the script for that call").format(
            case=case_id, kind=kind, satisfaction=label(visit["satisfaction"], language())))
    if kind == "resolution" and state == "resolved" and visit.get("satisfaction") == "unsatisfied":
        raise UsageError(_("case {case}'s return visit found the customer {satisfaction}; reopen or escalate the "
                           "case before reply '{kind}'").format(
            case=case_id, kind=kind, satisfaction=label("unsatisfied", language())))


def reply_context(archive, case: dict, kind: str, now: datetime) -> dict:
    """What a reply template may use. Replies go to this customer only."""
    from kesu.render import template_case
    from kesu.stores import deadlines_for

    reply_fits(case, kind)
    timers = deadlines_for(archive.policy, case).timers(case, now)
    case = template_case(case)
    # The acknowledgement is itself the first contact; the promise is about the next one.
    running = sorted((t for t in timers if t.running and t.name != "acknowledge"), key=lambda t: t.deadline)
    extension = (case.get("extensions") or [None])[-1]
    extended = next((t for t in timers if extension and t.name == extension.get("timer")), None)
    if kind == "delay":
        _check_delay(archive, case, kind, extended, now)
    follow_up = next((t for t in running if t.name == "follow_up"), None)
    objection = ((case.get("customer_response") or {}).get("objections") or [None])[-1]
    locale = archive.policy.locale
    return {
        "case": case, "org": archive.policy.get("org") or "", "locale": locale,
        "customer": case.get("customer") or {}, "complaint": case.get("complaint") or {},
        "plan": case["plan"], "resolution": case["resolution"],
        "objection": objection, "escalated": _escalated_since(case, objection),
        "extension": extension, "extended_deadline": extended.deadline if extended else None,
        "extended_by": (extension or {}).get("duration"),
        "extended_clock": extended.clock if extended else "wall",
        # A time already past is never promised: the sentence is left out instead.
        "next_contact": _ahead(running[0].deadline if running else None, now),
        "follow_up_due": _ahead(follow_up.deadline if follow_up else None, now),
        "now": now,
    }


def _ahead(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment > now else None


def _check_delay(archive, case: dict, kind: str, extended, now: datetime) -> None:
    """A delay notice announces a deadline that still runs and lies ahead."""
    from kesu.values import table_minute
    from kesu.vocab import label

    if extended is None or not extended.running:
        raise UsageError(_("case {case}'s extended deadline ({timer}) no longer runs; reply '{kind}' has no delay "
                           "to announce").format(case=case.get("id"), kind=kind,
                                                 timer=label((case.get("extensions") or [{}])[-1].get("timer"),
                                                             language())))
    if extended.deadline <= now:
        raise UsageError(_("reply '{kind}' would promise {time}, which has passed; extend case {case} again "
                           "('kesu extend') first").format(
            kind=kind, case=case.get("id"), time=table_minute(extended.deadline, archive.policy.tz)))


def _escalated_since(case: dict, objection: dict | None) -> bool:
    """Whether the case was escalated at or after the customer's last objection."""
    from kesu.values import parse_time

    if not objection:
        return False
    objected = parse_time(objection.get("at"))
    for entry in case.get("timeline") or []:
        when = parse_time(entry.get("at")) if isinstance(entry, dict) else None
        if entry.get("action") == "escalate" and when and (objected is None or when >= objected):
            return True
    return False
