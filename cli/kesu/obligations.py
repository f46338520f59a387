"""What a desk owes others besides the customer: outside bodies and corrective actions.

003: a complaint the consumer association (消协) or 12315 transferred is
reported back to it once handled, and an unlawful event goes to the police.
000: staff retraining within 3 working days, a non-cash voucher within one
working day. ``report-back`` and ``refer`` record the first two; a case from
an outside body cannot close without a report-back. ``corrective`` records a
corrective action with its own deadline (kesu.yaml ``obligations.corrective``),
which ``kesu overdue`` shows like any other deadline, even after the case
closed, until the action is recorded as done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu.i18n import _, language
from kesu.vocab import label
from kesu.engine import Context, Outcome
from kesu.errors import UsageError

#: Channels whose complaint came from an outside body, with the body's name.
OUTSIDE_BODIES = {"consumer_association": "消费者协会 (consumer association)",
                  "platform_12315": "12315"}
#: ``report-back --method``: how the body was told.
REPORT_METHODS = ("platform", "phone", "letter", "email", "in_person", "other")
#: ``refer --to``: whom an unlawful event or a regulatory matter went to.
REFER_TO = ("police", "market_regulator", "food_safety", "consumer_association", "other")


def _entry(ctx: Context, **fields: Any) -> dict:
    return {"at": ctx.at, "by": ctx.actor, **{k: v for k, v in fields.items() if v is not None}}


def _listed(doc: dict, key: str) -> list:
    return list(doc[key]) if isinstance(doc.get(key), list) else []


def _choice(value: str, allowed, flag: str) -> None:
    if value not in allowed:
        raise UsageError(_("{flag} {value!r} is not one of: {allowed}").format(
            flag=flag, value=value, allowed=", ".join(allowed)))


# ------------------------------------------------------------------ steps
def report_back(doc, ctx: Context, *, method: str, text: str,
                reference: str | None = None) -> Outcome:
    """The body that transferred the complaint was told how it ended."""
    _choice(method, REPORT_METHODS, "--method")
    channel = doc.get("channel")
    if channel not in _report_channels(ctx.policy):
        raise UsageError(_("the complaint came in through {channel}, not from an outside body; "
                           "nobody is owed a report-back").format(channel=label(channel, language())))
    doc["report_back"] = [*_listed(doc, "report_back"),
                          _entry(ctx, body=channel, method=method, text=text, reference=reference)]
    return Outcome([("body", channel), ("method", method)])


def refer(doc, ctx: Context, *, to: str, text: str, reference: str | None = None) -> Outcome:
    """The event went to the police or a regulator (003: 违法行为…与当地的派出所联系)."""
    _choice(to, REFER_TO, "--to")
    doc["referrals"] = [*_listed(doc, "referrals"),
                        _entry(ctx, to=to, text=text, reference=reference)]
    return Outcome([("to", to)])


def corrective(doc, ctx: Context, *, text: str, kind: str | None = None,
               due: str | None = None, done: str | None = None) -> Outcome:
    """A new corrective action (``kind``, due by policy or ``due``), or item ``done`` finished."""
    from kesu.deadlines import parse_duration

    items = [dict(i) for i in _listed(doc, "corrective")]
    if done is not None:
        if kind or due:
            raise UsageError(_("--done marks an action finished; --kind and --due go with a new one"))
        number = int(done) if str(done).isdigit() else 0
        if not 1 <= number <= len(items):
            raise UsageError(_("--done {done}: the case has corrective actions 1 to {count}").format(
                done=done, count=len(items)) if items else _("the case has no corrective actions yet"))
        if items[number - 1].get("done_at"):
            raise UsageError(_("corrective action {number} was already done").format(number=number))
        items[number - 1].update(done_at=ctx.at, done_by=ctx.actor, done_note=text)
        doc["corrective"] = items
        return Outcome([("done", number), ("kind", items[number - 1].get("kind"))])
    limits = ctx.policy.setting("obligations", "corrective") or {}
    if not kind:
        raise UsageError(_("give --kind ({kinds}) for a new corrective action").format(kinds=", ".join(limits)))
    _choice(kind, list(limits), "--kind")
    limit = str(due or limits[kind])
    parse_duration(limit)
    items.append(_entry(ctx, kind=kind, text=text, limit=limit))
    doc["corrective"] = items
    return Outcome([("kind", kind), ("limit", limit), ("number", len(items))])


# ------------------------------------------------------------------ checks
def _report_channels(policy) -> list[str]:
    return list(policy.setting("obligations", "report_back_channels") or [])


def check_can_close(doc: dict, policy) -> None:
    """Refuse to close a complaint an outside body transferred before it was told."""
    channel = doc.get("channel")
    if channel in _report_channels(policy) and not _listed(doc, "report_back"):
        body = OUTSIDE_BODIES.get(channel, channel)
        raise UsageError(_("this complaint was transferred by {body}; report back to it before the case closes: "
                           "kesu report-back ID --method platform --text \"处理结果已反馈\"").format(
            body=label(channel, language()) if language() == "zh-CN" else body))


def open_corrective(case: dict) -> bool:
    return any(isinstance(i, dict) and not i.get("done_at") for i in case.get("corrective") or [])


def corrective_timers(deadlines, case: dict, now: datetime) -> list:
    """A deadline per corrective action, as the stage timers have (``kesu overdue``)."""
    from kesu.deadlines import TimerStatus, _when, parse_duration

    statuses = []
    for number, item in enumerate(case.get("corrective") or [], start=1):
        if not isinstance(item, dict):
            continue
        started = _when(str(item.get("at")))
        limit = str(item.get("limit"))
        amount, unit = parse_duration(limit)
        clock = "working_days" if unit == "wd" else "wall"
        deadline = deadlines._move(clock, started, amount, unit)
        stopped = _when(str(item["done_at"])) if item.get("done_at") else None
        status = TimerStatus(f"{item.get('kind')}#{number}", started, limit, clock, deadline,
                             stopped, None, stopped is None, None, None, None, [])
        if stopped is not None:
            status.met = stopped <= deadline
        elif now is not None:  # the case index stores timers without a light
            deadlines._light(status, now)
        statuses.append(status)
    return statuses
