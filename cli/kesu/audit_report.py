"""``kesu audit --report``: what auditors read, built from the replayed history.

Per case: its steps with actor, time and commit, the time spent in each
state, its deadlines met or missed (when kesu's deadline engine is
installed), its extensions and escalations, and the audit's findings; totals
at the top. The customer's name, contact and member number are never
written: the report uses no customer field, and any free text that quotes
one (a reason, a summary) is masked before it leaves this module.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from kesu import lifecycle
from kesu.i18n import _, language
from kesu.audit import SHORT, audit
from kesu.errors import UsageError
from kesu.neutral import markdown
from kesu.masking import customer_masks, masked
from kesu.values import dig, format_span, parse_time, say_duration, table_minute
from kesu.vocab import label

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def build_report(archive, month: str | None = None, case_id: str | None = None,
                 require_signed: bool = False, max_backdate: str | None = None) -> dict:
    """The report as plain data (the JSON form); ``report_markdown`` renders it."""
    if month is not None and not _MONTH.match(month):
        raise UsageError(_("--month {month!r} is not a month like 2026-11").format(month=month))
    result = audit(archive, case_id=case_id, require_signed=require_signed,
                   max_backdate=max_backdate, keep_cases=True)
    now = archive.now()
    engine = _deadline_engine(archive.policy)
    cases = []
    for cid, document in sorted(result.cases.items()):
        if month and _month_of(cid) != month:
            continue
        if _left_out(archive, cid, document):
            continue
        findings = [f.as_dict() for f in result.findings if f.case == cid]
        cases.append(_case_report(cid, document, result.step_commits, findings, engine, now))
    # Findings about cases no longer in the archive (deleted, renamed) count too.
    findings = [f.as_dict() for f in result.findings if not month or _month_of(f.case) == month]
    actors = Counter(step["actor"] for case in cases for step in case["steps"])
    roster = archive.policy.roster
    return {
        "month": month,
        "generated_at": now.isoformat(timespec="seconds"),
        "head": (result.head or "")[:SHORT],
        "org": archive.policy.get("org"),
        "commits_checked": result.commits_checked,
        "deadlines": engine is not None,
        "totals": {
            "cases": len(cases),
            "steps": sum(len(case["steps"]) for case in cases),
            "findings": len(findings),
            "steps_by_actor": [{"actor": actor, "name": (roster.get(actor) or {}).get("name"),
                                "steps": count}
                               for actor, count in sorted(actors.items(), key=lambda a: (-a[1], a[0]))],
        },
        "findings": [masked(f, customer_masks(result.cases.get(f["case"]))) for f in findings],
        "cases": cases,
    }


def _left_out(archive, case_id: str, document: Any) -> bool:
    """True when the case's shape cannot be relied on: it is named in
    ``archive.left_out`` (the command says so) instead of being reported."""
    try:
        path = archive.case_path(case_id)
    except UsageError:
        return False  # not a case ID kesu would make; the audit reports it
    flaw = archive.shape_error(path, document)
    if flaw is not None:
        archive.left_out[flaw.path or archive.rel(path)] = flaw
    return flaw is not None


def _month_of(case_id: str) -> str | None:
    """The month a case was received in, read from its ID (``KS-YYYYMMDD-…``)."""
    from kesu import ids

    try:
        return f"{ids.parse_id(case_id)[1]:%Y-%m}"
    except UsageError:
        return None


def _deadline_engine(policy):
    """kesu's deadline engine, or None where this kesu has none (the report leaves deadlines out)."""
    try:
        from kesu.stores import deadlines_for
    except ImportError:
        return None
    return lambda case: deadlines_for(policy, case)  # each case on its store's calendar




def _case_report(cid: str, case: dict, step_commits: dict, findings: list[dict], engine,
                 now: datetime) -> dict:
    timeline = [e for e in case.get("timeline") or [] if isinstance(e, dict)]
    steps = []
    handed_out: dict[tuple, int] = {}
    for e in timeline:
        # Steps sharing a key were committed in timeline order: hand out their commits in turn.
        key = (cid, str(e.get("at")), e.get("action"), e.get("by"))
        shas, turn = step_commits.get(key, []), handed_out.get(key, 0)
        handed_out[key] = turn + 1
        steps.append({"at": key[1], "action": key[2], "from": e.get("from"), "to": e.get("to"),
                      "actor": key[3], "commit": shas[turn] if turn < len(shas) else None})
    report = {
        "id": cid,
        "state": case.get("state"),
        "received_at": case.get("received_at"),
        "channel": case.get("channel"),
        "store": case.get("store"),
        "summary": dig(case, "complaint", "summary"),
        "category": dig(case, "classification", "category"),
        "subcategory": dig(case, "classification", "subcategory"),
        "severity": dig(case, "classification", "severity"),
        "risk": dig(case, "classification", "risk"),
        "owner": dig(case, "assignment", "owner"),
        "level": dig(case, "assignment", "level"),
        "steps": steps,
        "time_in_state": time_in_states(timeline, now),
        "extensions": [{"at": e.get("at"), "timer": e.get("timer"), "duration": e.get("duration"),
                        "reason": e.get("reason"), "requested_by": e.get("by"),
                        "approved_by": e.get("approved_by")}
                       for e in case.get("extensions") or [] if isinstance(e, dict)],
        "escalations": [{"at": e.get("at"), "level": e.get("level"), "from_owner": e.get("from_owner"),
                         "to_owner": e.get("to_owner"), "reason": e.get("reason"), "by": e.get("by")}
                        for e in case.get("escalations") or [] if isinstance(e, dict)],
        "findings": findings,
    }
    if engine is not None:
        report["deadlines"] = _deadlines(engine(case), case, now)
    return masked(report, customer_masks(case))


def time_in_states(timeline: list[dict], now: datetime) -> list[dict]:
    """Minutes spent in each state, in the order first reached; the state a
    case is still in counts up to ``now`` and is marked ``current``."""
    totals: dict[str, float] = {}
    current = None
    for entry, following in zip(timeline, timeline[1:] + [None]):
        state = entry.get("to")
        start = _time(entry.get("at"))
        end = _time(following.get("at")) if following else (None if state == lifecycle.CLOSED else now)
        if state is None:
            continue
        totals.setdefault(state, 0.0)
        if start is not None and end is not None:
            totals[state] += max((end - start).total_seconds(), 0) / 60
        if following is None and state != lifecycle.CLOSED:
            current = state
    return [{"state": state, "minutes": round(minutes), "current": state == current}
            for state, minutes in totals.items()]


def _time(text: Any) -> datetime | None:
    value = parse_time(text)
    return value if value is not None and value.tzinfo else None


def _deadlines(engine, case: dict, now: datetime) -> list[dict]:
    try:
        timers = list(engine.timers(case, now))
    except Exception:  # noqa: BLE001 - a malformed case has no deadlines; validate reports it
        return []
    rows = []
    for timer in timers:
        deadline = getattr(timer, "deadline", None)
        if getattr(timer, "running", False):
            outcome = f"running ({getattr(timer, 'light', '')})".replace(" ()", "")
        else:
            outcome = "met" if getattr(timer, "met", False) else "missed"
        rows.append({"timer": getattr(timer, "name", None),
                     "deadline": deadline.isoformat(timespec="minutes")
                     if isinstance(deadline, datetime) else deadline,
                     "outcome": outcome})
    return rows


# ------------------------------------------------------------------ markdown
def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return markdown(" ".join(str(value).split())).replace("|", "\\|")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _minutes(minutes: int) -> str:
    return format_span(minutes * 60, translate=True)


def _outcome(text: Any) -> str:
    """A deadline's outcome as the JSON has it (``met``, ``missed``, ``running (red)``), in words."""
    light = re.fullmatch(r"running(?: \((\w*)\))?", str(text or ""))
    if light:
        return _("running ({light})").format(light=_said(light[1])) if light[1] else _("running")
    return {"met": _("met"), "missed": _("missed")}.get(text, str(text or ""))


def _said(code: Any, policy=None) -> str | None:
    return label(code, language(), policy) if code not in (None, "") else None


def report_markdown(data: dict, policy=None) -> str:
    """The report for auditors, in kesu's language; codes by their labels, rule codes as they are."""
    def said(code):
        return _said(code, policy)

    tz = policy.tz if policy is not None else None

    def when(value):  # JSON keeps ISO 8601; people read 2026-11-02 15:00
        return table_minute(value, tz) if value else value

    none = _("none")
    totals = data["totals"]
    scope = (_("cases received in {month}").format(month=data["month"]) if data["month"]
             else _("all cases"))
    out = [_("# kesu audit report — {scope}").format(scope=scope), ""]
    org = f"{data['org']} · " if data.get("org") else ""
    out += [org + _("history up to commit {commit} · generated {time}").format(
        commit=data["head"] or "—", time=when(data["generated_at"])), ""]
    out += ["## " + _("Totals"), ""]
    out += _table([_("cases"), _("steps"), _("findings"), _("commits checked")],
                  [[totals["cases"], totals["steps"], totals["findings"], data["commits_checked"]]])
    out += ["", _("Steps by actor:"), ""]
    out += _table([_("actor"), _("name"), _("steps")],
                  [[a["actor"], a["name"], a["steps"]] for a in totals["steps_by_actor"]])
    if data["findings"]:
        out += ["", "## " + _("Findings"), ""]
        out += _table([_("commit"), _("case"), _("rule"), _("message")],
                      [[f["commit"], f["case"], f["rule"], f["message"]] for f in data["findings"]])
    for case in data["cases"]:
        out += ["", f"## {case['id']} — {said(case['state']) or '—'}", ""]
        facts = [
            "/".join(said(v) for v in (case["category"], case["subcategory"]) if v) or None,
            _("severity {severity}").format(severity=said(case["severity"])) if case["severity"] else None,
            _("risk {risk}").format(risk=said(case["risk"])) if case["risk"] else None,
            _("owner {owner} (level {level})").format(owner=case["owner"], level=case["level"] or 1)
            if case["owner"] else None,
            _("channel {channel}").format(channel=said(case["channel"])) if case["channel"] else None,
            _("store {store}").format(store=case["store"]) if case["store"] else None,
            _("received {time}").format(time=when(case["received_at"])) if case["received_at"] else None,
        ]
        out += [" · ".join(_cell(f) for f in facts if f), ""]
        if case["summary"]:
            out += [_("Summary: {summary}").format(summary=_cell(case["summary"])), ""]
        out += [_("Steps:"), ""]
        out += _table(["#", _("at"), _("action"), _("from → to"), _("actor"), _("commit")],
                      [[i, when(s["at"]), said(s["action"]), f"{said(s['from']) or '—'} → {said(s['to']) or '—'}",
                        s["actor"], s["commit"]] for i, s in enumerate(case["steps"], 1)])
        out += ["", _("Time in each state:"), ""]
        out += _table([_("state"), _("time")],
                      [[said(t["state"]), _minutes(t["minutes"]) + (_(" (so far)") if t["current"] else "")]
                       for t in case["time_in_state"]])
        if "deadlines" in case:
            out += ["", _("Deadlines:"), ""]
            out += (_table([_("timer"), _("deadline"), _("outcome")],
                           [[said(d["timer"]), when(d["deadline"]), _outcome(d["outcome"])] for d in case["deadlines"]])
                    if case["deadlines"] else [none])
        out += ["", _("Extensions:"), ""]
        out += (_table([_("at"), _("timer"), _("by"), _("reason"), _("requested by"), _("approved by")],
                       [[when(e["at"]), said(e["timer"]), say_duration(e["duration"]), e["reason"], e["requested_by"],
                         e["approved_by"]] for e in case["extensions"]])
                if case["extensions"] else [none])
        out += ["", _("Escalations:"), ""]
        out += (_table([_("at"), _("level"), _("owner"), _("reason"), _("by")],
                       [[when(e["at"]), e["level"], f"{e['from_owner'] or '—'} → {e['to_owner'] or '—'}",
                         e["reason"], e["by"]] for e in case["escalations"]])
                if case["escalations"] else [none])
        if case["findings"]:
            out += ["", _("Findings:"), ""]
            out += _table([_("commit"), _("rule"), _("message")],
                          [[f["commit"], f["rule"], f["message"]] for f in case["findings"]])
    return "\n".join(out) + "\n"
