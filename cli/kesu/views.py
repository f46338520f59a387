"""What ``show``, ``list`` and ``history`` display, as plain data or text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kesu.errors import UsageError
from kesu.i18n import N_, _, language
from kesu.index.record import LIST_ROW
from kesu.trailers import Trailers
from kesu.yamlio import money
from kesu.values import as_set, dig, format_span, local_minute, table_minute
from kesu.vocab import label

if TYPE_CHECKING:
    from kesu.githistory import LoggedStep

LIST_COLUMNS = list(LIST_ROW)
#: The table's headers; the columns whose codes are shown by their labels.
LIST_HEADERS = {"id": N_("id"), "state": N_("state"), "received": N_("received"), "channel": N_("channel"),
                "category": N_("category"), "severity": N_("severity"), "owner": N_("owner"),
                "light": N_("light"), "due": N_("due"), "summary": N_("summary")}
LABELLED = {"state", "channel", "category", "severity", "light"}
#: On a narrow terminal the summary is cut first, then these columns go, first named first.
LIST_LAYOUT = {"cut": (9,), "drop": (3, 5, 2, 4, 6), "lights": (7,)}


def list_rows(archive, states=None, owner=None, category=None, open_only=False,
              overdue_only=False, store=None, limit: int | None = None) -> list[dict]:
    """The rows of ``kesu list``, newest first, from the case index; files that
    cannot be read are left out and kept in ``archive.left_out`` for the command
    to name. ``store`` is a store code (``kesu.stores.resolve_store``). A state
    may be given by its code or its label; an unknown state, owner or category
    is refused rather than answered with an empty list."""
    return archive.case_index().list_rows(archive.now(), **_list_filters(
        archive, states=states, owner=owner, category=category, open_only=open_only,
        overdue_only=overdue_only, limit=limit, store=store))


def list_columns(archive, **filters) -> dict[str, list]:
    """``list_rows`` a list per column (``LIST_COLUMNS``), for a long table."""
    return archive.case_index().list_columns(archive.now(), **_list_filters(archive, **filters))


def _list_filters(archive, states=None, owner=None, category=None, **rest) -> dict:
    """The filters of ``kesu list`` with states as codes; refused when nothing could match."""
    policy = archive.policy
    states = [state_code(given, policy) for given in states or []] or None
    if owner:
        policy.member(owner)
    categories = policy.vocabulary("categories")
    if category and categories and category not in categories:
        raise UsageError(_("--category {value!r} is not one of: {allowed}").format(
            value=category, allowed=", ".join(categories)))
    return {"states": states, "owner": owner, "category": category, **rest}


def state_code(given: str, policy=None) -> str:
    """The state ``given`` names: its code, or its label in the desk's language."""
    from kesu.lifecycle import STATES

    if given in STATES:
        return given
    for state in STATES:
        if label(state, language(), policy) == given:
            return state
    raise UsageError(_("--state {value!r} is not a state; the states are: {allowed}").format(
        value=given, allowed=", ".join(f"{state} ({label(state, language(), policy)})" if language() != "en"
                                       else state for state in STATES)))


def overdue_rows(archive, now: datetime, threshold: str = "yellow", store: str | None = None,
                 owner: str | None = None) -> list[dict]:
    """Running timers at or above ``threshold``, the latest first: sorted by the
    instant each was due, so a red light comes before every yellow one. Only the
    cases of ``store`` (a code) and ``owner`` when given. Files that cannot be
    read are left out (``archive.left_out``)."""
    return archive.case_index().overdue_rows(now, threshold, store=store, owner=owner)


def case_text(archive, case: dict, paint=None, width: int | None = None) -> str:
    """A readable page about one case, for the person handling it; ``paint(light, text)``
    colours each deadline's light (``kesu.tables.LightMarks``). With a ``width`` (a
    terminal's), long values are wrapped and long paths cut to fit it."""
    from kesu.money import reasons_shown  # show only: list and overdue do without it
    from kesu.showparts import claimant_lines, obligation_rows

    lines = []
    add = lines.append
    tz, policy, lang = archive.policy.tz, archive.policy, language()

    def said(code):
        return label(code, lang, policy) if code else ""

    add(_fitted(f"{case.get('id')}  [{said(case.get('state'))}]  {dig(case, 'complaint', 'summary') or ''}",
                width, "  "))
    add("")
    rows = [
        (_("received"), table_minute(case.get("received_at"), tz)), (_("channel"), said(case.get("channel"))),
        (_("store"), case.get("store")),
        (_("customer"), " ".join(str(v) for v in (dig(case, "customer", "name"),
                                                  dig(case, "customer", "contact")) if v)),
        (_("facts"), dig(case, "complaint", "facts")), (_("demands"), dig(case, "complaint", "demands")),
        (_("emotion"), said(dig(case, "complaint", "emotion"))),
        (_("where"), dig(case, "complaint", "location")),
        (_("when"), table_minute(dig(case, "complaint", "occurred_at"), tz) or None),
    ]
    for subject in dig(case, "complaint", "subjects") or []:
        kind = {"product": _("product"), "staff": _("staff"), "order": _("order")}.get(subject.get("kind"),
                                                                                     subject.get("kind"))
        rows.append((kind, " ".join(str(v) for v in (subject.get("ref"), subject.get("name")) if v)))
    classification = case.get("classification") or {}
    if classification:
        rows.append((_("category"), "/".join(said(v) for v in (classification.get("category"),
                                                                 classification.get("subcategory")) if v)))
        rows.append((_("risk/severity"), f"{said(classification.get('risk'))} / "
                                         f"{said(classification.get('severity'))}"))
    assignment = case.get("assignment") or {}
    if assignment:
        department = said(assignment.get("department"))
        rows.append((_("owner"), (_("{owner} ({department}, level {level})") if department
                                  else _("{owner} (level {level})")).format(
            owner=assignment.get("owner"), department=department, level=assignment.get("level", 1))))
    for finding in dig(case, "investigation", "findings") or []:
        rows.append((_("finding"), finding.get("text")))
    if dig(case, "investigation", "root_cause"):
        rows.append((_("root cause"), dig(case, "investigation", "root_cause")))
    if dig(case, "investigation", "responsibility"):
        rows.append((_("responsible"), said(dig(case, "investigation", "responsibility"))))
    plan = case.get("plan") or {}
    for i, step in enumerate(plan.get("steps") or [], 1):
        rows.append((_("plan {number}").format(number=i), step))
    for item in plan.get("compensation") or []:
        amount = f" {money(item['amount']):.2f}" if item.get("amount") is not None else ""
        rows.append((_("compensation"), f"{said(item.get('kind'))}{amount}"))
    if plan.get("total") is not None:
        rows.append((_("total"), f"{money(plan['total']):.2f}"))
    if plan.get("commitment"):
        rows.append((_("commitment"), plan["commitment"]))
    approval = plan.get("approval") or {}
    if approval.get("required"):
        rows.append((_("approval"), _("approved by {name} at {time}").format(
            name=approval["approved_by"], time=table_minute(approval["approved_at"], tz))
            if approval.get("approved_by") else _("needed: {reasons}").format(
                reasons=reasons_shown(approval.get("reasons")))))
    for objection in dig(case, "customer_response", "objections") or []:
        rows.append((_("objection"), objection.get("reason")))
    for action in case.get("actions") or []:
        rows.append((_("done"), f"{table_minute(action.get('at'), tz)}  {action.get('text')}"))
    if dig(case, "resolution", "summary"):
        rows.append((_("resolution"), dig(case, "resolution", "summary")))
    if case.get("follow_up"):
        rows.append((_("follow-up"), said(dig(case, "follow_up", "satisfaction"))))
    if case.get("closure"):
        rows.append((_("closed"), said(dig(case, "closure", "reason"))))
    rows += obligation_rows(case, tz, policy, width)
    lines.extend(_key_lines(rows, width))
    claimants = claimant_lines(case, policy)
    if claimants:
        add("")
        lines.extend(_fitted(line, width, "      ") for line in claimants)
    timers = _timer_lines(archive, case, paint, width)
    if timers:
        add("")
        add(_("deadlines:"))
        lines.extend(timers)
    add("")
    add(_("timeline:"))
    steps = [[table_minute(entry.get("at"), tz), said(entry.get("action")),
              (f"{said(entry.get('from'))} -> {said(entry.get('to'))}" if entry.get("from")
               else f"-> {said(entry.get('to'))}"), str(entry.get("by") or "")]
             for entry in case.get("timeline") or []]
    lines.extend(_aligned(steps, width))
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    from kesu.tables import cells

    return text + " " * max(width - cells(text), 0)


def _fitted(line: str, width: int | None, indent: str) -> str:
    """``line`` wrapped to ``width`` when it is wider, its next lines indented."""
    from kesu.helpformat import fit_line

    text = line.lstrip()
    return fit_line(text, width, line[:len(line) - len(text)], indent)


def _aligned(rows: list[list[str]], width: int | None, paints: list | None = None,
             indent: str = "  ") -> list[str]:
    """``rows`` in columns lined up by terminal cells; the last column wraps to ``width``.
    ``paints[n]``, when given, colours row n's third column once it is laid out."""
    from kesu.helpformat import fit_line
    from kesu.tables import cells

    if not rows:
        return []
    widths = [max(cells(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for n, row in enumerate(rows):
        cols = [_pad(text, widths[i]) + "  " for i, text in enumerate(row[:-1])]
        start = indent + "".join(cols)
        line = fit_line(row[-1], width, start, " " * (len(indent) + sum(widths) + 2 * len(widths)))
        if paints and paints[n]:
            cols[2] = paints[n](cols[2].rstrip()) + " " * (len(cols[2]) - len(cols[2].rstrip()))
            line = indent + "".join(cols) + line[len(start):]
        lines.append(line.rstrip())
    return lines


def _key_lines(rows: list[tuple[str, Any]], width: int | None) -> list[str]:
    """``key  value`` lines, the values lined up; a value on several lines keeps its line breaks."""
    from kesu.helpformat import fit_line
    from kesu.tables import cells

    rows = [(key, str(value).rstrip()) for key, value in rows if value not in (None, "")]
    if not rows:
        return []
    keys = max(cells(key or "") for key, _v in rows)
    lines = []
    for key, value in rows:
        start = _pad(key, keys) + "  "
        for n, part in enumerate(value.split("\n")):
            first = start if n == 0 else " " * (keys + 2)
            lines.append(fit_line(part, width, first, " " * (keys + 2)))
    return lines


def _timer_lines(archive, case: dict, paint=None, width: int | None = None) -> list[str]:
    from kesu.deadlines import CaseTimeError
    from kesu.stores import deadlines_for
    from kesu.values import format_left

    try:
        timers = deadlines_for(archive.policy, case).timers(case, archive.now())
    except CaseTimeError as exc:
        raise UsageError(_("{problem}; its deadlines cannot be computed").format(problem=exc.message),
                         archive.case_relpath(case["id"])) from None
    lang = language()
    rows, paints = [], []
    for timer in timers:
        deadline = _("due {time}").format(time=local_minute(timer.deadline, archive.policy.tz))
        extended = ("  " + _("(extended {by})").format(by=_(", ").join(as_set(e, timer.clock) for e in timer.extended))) if timer.extended else ""
        name = label(timer.name, lang, archive.policy)
        if timer.running:
            left = format_left(abs(timer.left_minutes), timer.clock, translate=True)
            when = (_("{time} left") if timer.left_minutes > 0 else _("{time} overdue")).format(time=left)
            rows.append([name, deadline, label(timer.light, lang), when + extended])
            paints.append((lambda text, light=timer.light: paint(light, text)) if paint else None)
        else:
            outcome = {True: _("met"), False: _("missed"), None: _("stopped (closed)")}[timer.met]
            rows.append([name, deadline, outcome, extended.strip()])
            paints.append(None)
    return _aligned(rows, width, paints)


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
