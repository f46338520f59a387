"""The transition table: the one place that knows states and actions.

The CLI, ``validate``, the deadline engine and the audit all read this table;
nothing else in kesu spells out which action may follow which state.
"""

from __future__ import annotations

from dataclasses import dataclass

RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
DISPATCHED = "dispatched"
INVESTIGATING = "investigating"
PLAN_PROPOSED = "plan_proposed"
CUSTOMER_NOTIFIED = "customer_notified"
OBJECTED = "objected"
EXECUTING = "executing"
RESOLVED = "resolved"
CLOSED = "closed"

#: In lifecycle order; ``objected`` is the side branch after ``customer_notified``.
STATES: tuple[str, ...] = (
    RECEIVED, ACKNOWLEDGED, DISPATCHED, INVESTIGATING, PLAN_PROPOSED,
    CUSTOMER_NOTIFIED, OBJECTED, EXECUTING, RESOLVED, CLOSED,
)
OPEN_STATES: frozenset[str] = frozenset(STATES) - {CLOSED}
#: States in which a case has an owner (DOMAIN step 3 has been done).
DISPATCHED_STATES: frozenset[str] = OPEN_STATES - {RECEIVED, ACKNOWLEDGED}

#: Marker for "the case stays in the state it is in".
SAME = "="

#: Sections every action may touch besides its own.
BOOKKEEPING = ("state", "timeline")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    #: Possible targets; the first is the usual one. ``SAME`` keeps the state.
    targets: tuple[str, ...]
    #: Top-level sections of the case file this action may write.
    writes: tuple[str, ...]
    help: str

    def target_for(self, state: str, choice: str | None = None) -> str:
        target = choice or self.targets[0]
        return state if target == SAME else target


def _t(action, sources, targets, writes, help_text):
    if isinstance(sources, str):
        sources = {sources}
    if isinstance(targets, str):
        targets = (targets,)
    return Transition(action, frozenset(sources), tuple(targets), tuple(writes), help_text)


ALL_STATES = frozenset(STATES)

TABLE: dict[str, Transition] = {t.action: t for t in (
    _t("intake", (), RECEIVED,
       ("id", "schema_version", "received_at", "channel", "store", "customer", "complaint"),
       "Record a new complaint."),
    _t("ack", RECEIVED, ACKNOWLEDGED, ("acknowledgement",),
       "Tell the customer the complaint was received."),
    _t("dispatch", ACKNOWLEDGED, DISPATCHED, ("classification", "assignment"),
       "Grade the complaint and hand it to an owner."),
    _t("investigate", {DISPATCHED, INVESTIGATING}, INVESTIGATING, ("investigation",),
       "Record what the investigation found."),
    _t("propose", INVESTIGATING, PLAN_PROPOSED, ("plan",),
       "Propose a plan and compensation."),
    _t("approve", PLAN_PROPOSED, SAME, ("plan",),
       "Approve a plan above the proposer's authority."),
    _t("notify", PLAN_PROPOSED, CUSTOMER_NOTIFIED, ("customer_response",),
       "Tell the customer the plan."),
    _t("accept", CUSTOMER_NOTIFIED, EXECUTING, ("customer_response",),
       "The customer accepted the plan."),
    _t("object", CUSTOMER_NOTIFIED, OBJECTED, ("customer_response",),
       "The customer objected to the plan."),
    _t("escalate", DISPATCHED_STATES, INVESTIGATING, ("assignment", "escalations"),
       "Raise the case one level, back to investigation."),
    _t("act", EXECUTING, SAME, ("actions", "claimants"),
       "Record an action carried out (for one claimant, many, or all)."),
    _t("resolve", EXECUTING, RESOLVED, ("resolution",),
       "Mark the plan as carried out."),
    _t("follow-up", RESOLVED, (CLOSED, RESOLVED), ("follow_up", "closure"),
       "Record the return visit."),
    _t("close", OPEN_STATES, CLOSED, ("closure",),
       "Close the case."),
    _t("reopen", {CLOSED, RESOLVED}, INVESTIGATING, ("closure", "reopenings"),
       "Reopen a closed or unsatisfied case."),
    _t("extend", OPEN_STATES, SAME, ("extensions",),
       "Extend the current stage's deadline."),
    _t("note", OPEN_STATES, SAME, ("notes",),
       "Add a note."),
    _t("assign", OPEN_STATES, SAME, ("assignment",),
       "Give the case to another owner."),
    _t("library", ALL_STATES, SAME, ("library",),
       "Record the case-library section."),
    # An edit corrects the record of what the customer said; money, approvals,
    # owners and outcomes change only through their own steps.
    _t("edit", ALL_STATES, SAME, ("customer", "complaint"),
       "Correct what the customer said."),
    # Evidence may arrive after a case closed (a signed receipt, a QC report).
    _t("attach", ALL_STATES, SAME, ("evidence",),
       "Keep an evidence file with the case."),
    _t("claimant-add", OPEN_STATES, SAME, ("claimants",),
       "Add claimants to a mass complaint."),
    _t("report-back", OPEN_STATES, SAME, ("report_back",),
       "Record that the body that transferred the complaint was told the outcome."),
    _t("refer", ALL_STATES, SAME, ("referrals",),
       "Record a referral to the police or a regulator."),
    # Retraining may be due after the customer's case closed (000: 3个工作日内).
    _t("corrective", ALL_STATES, SAME, ("corrective",),
       "Record a corrective action and its deadline, or that it was done."),
)}

#: ``close --reason`` values and the states each is allowed from.
CLOSE_REASONS: dict[str, frozenset[str]] = {
    "resolved": frozenset({RESOLVED}),
    "unsatisfied": frozenset({RESOLVED}),
    "no_follow_up": frozenset({RESOLVED}),
    "withdrawn": OPEN_STATES,
    "duplicate": OPEN_STATES,
    "invalid": OPEN_STATES,
}

#: ``follow-up --satisfaction`` values, and whether each closes the case.
SATISFACTION_CLOSES = {"satisfied": True, "fairly_satisfied": True,
                       "unsatisfied": False, "unreachable": False}

#: How the customer was told (``ack --method``, ``notify --method``).
TELL_METHODS = ("in_person", "phone", "sms", "email", "app", "letter", "other")

#: What a case must hold in each state besides the intake's sections
#: (DOMAIN: a dispatched case has a classification and an owner). The engine
#: refuses a step that would leave a case without them, and the JSON Schema's
#: per-state rules are generated from this table. ``closed`` needs only its
#: closure, because ``close --reason withdrawn`` may end a case at any stage.
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    RECEIVED: (),
    ACKNOWLEDGED: ("acknowledgement",),
    DISPATCHED: ("acknowledgement", "classification", "assignment"),
    INVESTIGATING: ("acknowledgement", "classification", "assignment"),
    PLAN_PROPOSED: ("acknowledgement", "classification", "assignment", "plan"),
    CUSTOMER_NOTIFIED: ("acknowledgement", "classification", "assignment", "plan",
                        "customer_response"),
    OBJECTED: ("acknowledgement", "classification", "assignment", "plan", "customer_response"),
    EXECUTING: ("acknowledgement", "classification", "assignment", "plan", "customer_response"),
    RESOLVED: ("acknowledgement", "classification", "assignment", "plan", "customer_response",
               "resolution"),
    CLOSED: ("closure",),
}

#: Actions whose command lives elsewhere, and the command people type for each.
COMMAND_OF: dict[str, str] = {"intake": "new", "edit": "edit", "library": "library add", "attach": "attach",
                              "claimant-add": "claimant add"}
OWN_COMMANDS: tuple[str, ...] = tuple(COMMAND_OF)
#: Actions with a command of their own in ``kesu.commands.steps``.
STEP_COMMANDS: tuple[str, ...] = tuple(a for a in TABLE if a not in OWN_COMMANDS)


def actions_from(state: str) -> list[str]:
    """Actions allowed from ``state``, in table order (``edit``/``library`` last)."""
    return [a for a, t in TABLE.items() if state in t.sources]


def check_step(action: str, state: str | None) -> Transition:
    """Return the transition for ``action`` from ``state``, or raise ``UsageError``."""
    from kesu.errors import UsageError
    from kesu.i18n import _, language
    from kesu.vocab import label, label_and_code

    transition = TABLE.get(action)
    if transition is None:
        raise UsageError(_("unknown action {action!r}").format(action=action))
    if action == "intake":
        if state is not None:
            raise UsageError(_("intake only starts a new case"))
        return transition
    if state not in transition.sources:
        possible = actions_from(state) if state else []
        allowed = _(", ").join(label_and_code(a, language(), COMMAND_OF.get(a)) for a in possible) or _("none")
        raise UsageError(_("cannot {action} a case that is {state}; allowed from {state}: {allowed}").format(
            action=label(action, language()), state=label(state, language()), allowed=allowed))
    return transition


def is_legal(action: str, from_state: str | None, to_state: str) -> bool:
    """True when the table allows ``action`` to move ``from_state`` to ``to_state``."""
    transition = TABLE.get(action)
    if transition is None:
        return False
    if action == "intake":
        return from_state is None and to_state == RECEIVED
    if from_state not in transition.sources:
        return False
    return to_state in {transition.target_for(from_state, t) for t in transition.targets}
