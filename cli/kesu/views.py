"""What ``show``, ``list`` and ``history`` display, as plain data or text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kesu import lifecycle
from kesu.trailers import Trailers
from kesu.yamlio import money
from kesu.values import dig, format_span, local_minute

if TYPE_CHECKING:
    from kesu.githistory import LoggedStep

LIST_COLUMNS = ["id", "state", "received", "channel", "category", "severity", "owner",
                "light", "due", "summary"]


def list_rows(archive, states=None, owner=None, category=None, open_only=False,
              overdue_only=False) -> list[dict]:
    """The rows of ``kesu list``; files that cannot be read are left out and kept
    in ``archive.left_out`` for the command to name."""
    from kesu.deadlines import Deadlines

    engine = Deadlines(archive.policy.data)
    now = archive.now()
    rows = []
    for _, case, _ in archive.scan():
        if case is None:
            continue
        state = case.get("state")
        if states and state not in states:
            continue
        if open_only and state == lifecycle.CLOSED:
            continue
        if owner and dig(case, "assignment", "owner") != owner:
            continue
        if category and dig(case, "classification", "category") != category:
            continue
        light, due = _worst_timer(engine, case, now, archive.policy.tz)
        if overdue_only and light not in ("yellow", "red"):
            continue
        rows.append({
            "id": case.get("id"), "state": state,
            "received": str(case.get("received_at", ""))[:16].replace("T", " "),
            "channel": case.get("channel"),
            "category": dig(case, "classification", "category"),
            "severity": dig(case, "classification", "severity"),
            "owner": dig(case, "assignment", "owner"),
            "light": light, "due": due,
            "summary": dig(case, "complaint", "summary"),
        })
    rows.sort(key=lambda r: r["received"] or "", reverse=True)
    return rows


def _worst_timer(engine, case: dict, now: datetime, tz) -> tuple[str | None, str | None]:
    if case.get("state") == lifecycle.CLOSED:
        return None, None
    from kesu.deadlines import LIGHT_RANK, MALFORMED

    try:
        running = [t for t in engine.timers(case, now) if t.running]
    except MALFORMED:
        return None, None  # a malformed case has no deadline; validate reports it
    if not running:
        return None, None
    worst = min(running, key=lambda t: (LIGHT_RANK[t.light], t.deadline))
    return worst.light, local_minute(worst.deadline, tz)


def overdue_rows(archive, now: datetime, threshold: str = "yellow") -> list[dict]:
    """Running timers at or above ``threshold``, the latest first: sorted by the
    instant each was due, so a red light comes before every yellow one. Files that
    cannot be read are left out (``archive.left_out``)."""
    from kesu.deadlines import LIGHT_RANK, MALFORMED, Deadlines
    from kesu.obligations import open_corrective

    engine = Deadlines(archive.policy.data)
    limit = LIGHT_RANK[threshold]
    found = []
    for path, case, _ in archive.scan():
        if case is None or (case.get("state") == lifecycle.CLOSED and not open_corrective(case)):
            continue  # a closed case is late only with a corrective action still to do
        try:
            timers = engine.timers(case, now)
        except MALFORMED:
            continue  # a malformed case has no deadline; validate reports it
        found += [(timer, path, case) for timer in timers
                  if timer.running and LIGHT_RANK[timer.light] <= limit]
    found.sort(key=lambda item: (item[0].deadline, str(item[2].get("id")), item[0].name))
    return [{
        "id": case.get("id"), "path": archive.rel(path), "state": case.get("state"),
        "owner": dig(case, "assignment", "owner"), "timer": timer.name,
        "light": timer.light, "deadline": timer.deadline.isoformat(),
        "due": local_minute(timer.deadline, archive.policy.tz), "clock": timer.clock,
        "left_minutes": round(timer.left_minutes, 1), "left": timer.left_text,
        "extensions": timer.extended, "summary": dig(case, "complaint", "summary"),
    } for timer, path, case in found]


def case_text(archive, case: dict) -> str:
    """A readable page about one case, for the person handling it."""
    from kesu.showparts import claimant_lines, obligation_rows

    lines = []
    add = lines.append
    add(f"{case.get('id')}  [{case.get('state')}]  {dig(case, 'complaint', 'summary') or ''}")
    add("")
    rows = [
        ("received", case.get("received_at")), ("channel", case.get("channel")),
        ("store", case.get("store")),
        ("customer", " ".join(str(v) for v in (dig(case, "customer", "name"),
                                               dig(case, "customer", "contact")) if v)),
        ("facts", dig(case, "complaint", "facts")), ("demands", dig(case, "complaint", "demands")),
        ("emotion", dig(case, "complaint", "emotion")),
        ("where", dig(case, "complaint", "location")), ("when", dig(case, "complaint", "occurred_at")),
    ]
    for subject in dig(case, "complaint", "subjects") or []:
        rows.append((subject.get("kind"), " ".join(str(v) for v in (subject.get("ref"), subject.get("name")) if v)))
    classification = case.get("classification") or {}
    if classification:
        rows.append(("category", "/".join(str(v) for v in (classification.get("category"),
                                                             classification.get("subcategory")) if v)))
        rows.append(("risk/severity", f"{classification.get('risk')} / {classification.get('severity')}"))
    assignment = case.get("assignment") or {}
    if assignment:
        rows.append(("owner", f"{assignment.get('owner')} ({assignment.get('department') or '-'}, "
                              f"level {assignment.get('level', 1)})"))
    for finding in dig(case, "investigation", "findings") or []:
        rows.append(("finding", finding.get("text")))
    if dig(case, "investigation", "root_cause"):
        rows.append(("root cause", dig(case, "investigation", "root_cause")))
    plan = case.get("plan") or {}
    for i, step in enumerate(plan.get("steps") or [], 1):
        rows.append((f"plan {i}", step))
    for item in plan.get("compensation") or []:
        amount = f" {money(item['amount']):.2f}" if item.get("amount") is not None else ""
        rows.append(("compensation", f"{item.get('kind')}{amount}"))
    if plan.get("total") is not None:
        rows.append(("total", f"{money(plan['total']):.2f}"))
    approval = plan.get("approval") or {}
    if approval.get("required"):
        rows.append(("approval", f"approved by {approval['approved_by']} at {approval['approved_at']}"
                     if approval.get("approved_by") else "needed: " + "; ".join(approval.get("reasons") or [])))
    for objection in dig(case, "customer_response", "objections") or []:
        rows.append(("objection", objection.get("reason")))
    for action in case.get("actions") or []:
        rows.append(("done", f"{action.get('at')}  {action.get('text')}"))
    if dig(case, "resolution", "summary"):
        rows.append(("resolution", dig(case, "resolution", "summary")))
    if case.get("follow_up"):
        rows.append(("follow-up", dig(case, "follow_up", "satisfaction")))
    if case.get("closure"):
        rows.append(("closed", dig(case, "closure", "reason")))
    rows += obligation_rows(case)
    width = max(len(k or "") for k, _ in rows)
    for key, value in rows:
        if value not in (None, ""):
            text = str(value).rstrip().replace("\n", "\n" + " " * (width + 2))
            add(f"{key:<{width}}  {text}")
    claimants = claimant_lines(case)
    if claimants:
        add("")
        lines.extend(claimants)
    timers = _timer_lines(archive, case)
    if timers:
        add("")
        add("deadlines:")
        lines.extend(timers)
    add("")
    add("timeline:")
    for entry in case.get("timeline") or []:
        arrow = f"{entry.get('from')} -> {entry.get('to')}" if entry.get("from") else f"-> {entry.get('to')}"
        add(f"  {entry.get('at')}  {entry.get('action'):<11} {arrow:<34} {entry.get('by')}")
    return "\n".join(lines)


def _timer_lines(archive, case: dict) -> list[str]:
    from kesu.deadlines import CaseTimeError, Deadlines
    from kesu.errors import UsageError
    from kesu.values import format_left

    try:
        timers = Deadlines(archive.policy.data).timers(case, archive.now())
    except CaseTimeError as exc:
        raise UsageError(f"{exc.message}; its deadlines cannot be computed",
                         archive.case_relpath(case["id"])) from None
    lines = []
    for timer in timers:
        deadline = local_minute(timer.deadline, archive.policy.tz)
        extended = f"  (extended {', '.join(timer.extended)})" if timer.extended else ""
        if timer.running:
            left = format_left(abs(timer.left_minutes), timer.clock)
            when = f"{left} left" if timer.left_minutes > 0 else f"{left} overdue"
            lines.append(f"  {timer.name:<11} due {deadline}  {timer.light:<6} {when}{extended}")
        else:
            outcome = {True: "met", False: "missed", None: "stopped (closed)"}[timer.met]
            lines.append(f"  {timer.name:<11} due {deadline}  {outcome}{extended}")
    return lines


# ------------------------------------------------------------------ history
#: What a commit without kesu trailers says.
_NOTHING_SAID = Trailers(None, "", None, None, None, None)


def _step_row(logged: LoggedStep) -> dict:
    """One commit of ``kesu history``, in the documented JSON form."""
    said = logged.trailers or _NOTHING_SAID
    return {"commit": logged.commit, "committed_at": logged.committed.isoformat(),
            "case": said.case, "action": said.action or None, "from": said.from_state,
            "to": said.to_state, "actor": said.actor, "at": said.at}


def history_steps(archive, case_id: str) -> list[dict]:
    from kesu.githistory import step_log

    rel = archive.case_relpath(case_id)
    archive.existing_case_path(case_id)
    steps = [_step_row(logged) for logged in step_log(archive.root, [rel])]
    for step, following in zip(steps, steps[1:] + [None]):
        step["time_in_state"] = None
        if following and step.get("at") and following.get("at"):
            try:
                seconds = (datetime.fromisoformat(following["at"])
                           - datetime.fromisoformat(step["at"])).total_seconds()
            except ValueError:
                continue
            step["time_in_state"] = format_span(seconds)
    return steps
