"""Money rules: amounts as typed, who may grant how much, statutory compensation.

Amounts are ``Decimal`` with two places from the moment they are typed; the
policy caps them (``money.max_amount``), so every amount is exact to the cent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kesu import yamlio
from kesu.engine import Context
from kesu.errors import UsageError
from kesu.i18n import N_, _
from kesu.values import dig, shorten


def money_arg(text: Any, flag: str, policy) -> Decimal:
    """An amount the user typed, e.g. ``39.90``: two decimals at most, within the policy's maximum."""
    try:
        amount = yamlio.money(text)
    except UsageError:
        raise UsageError(_("{flag} {value} is not an amount like 39.90").format(flag=flag, value=shorten(text))) from None
    ceiling = policy.max_amount
    if amount > ceiling:
        raise UsageError(_("{flag} {amount} is above the largest amount kesu.yaml allows "
                           "(money.max_amount: {ceiling})").format(flag=flag, amount=amount, ceiling=ceiling))
    return amount


def case_money(doc: dict) -> Decimal:
    """All the money of a case: the plan's compensation and every statutory compensation paid."""
    total = yamlio.money(dig(doc, "plan", "total") or 0)
    for action in doc.get("actions") or []:
        paid = dig(action, "statutory", "compensation")
        if paid is not None:
            total += yamlio.money(paid)
    return total


#: Why a plan needs approval, as the step writes it into the case file: one
#: wording on every desk, whatever its language, so that the audit replaying a
#: step reads back the same record; ``reason_shown`` puts it in the reader's language.
OVER_LIMIT = N_("total {total} exceeds {actor}'s approval limit {limit}")
HIGH_RISK = N_("high-risk case")
_OVER_LIMIT = re.compile("^" + re.escape(OVER_LIMIT).replace(r"\{total\}", r"(?P<total>\S+)").replace(
    r"\{actor\}", r"(?P<actor>\S+)").replace(r"\{limit\}", r"(?P<limit>\S+)") + "$")


def approval_reasons(ctx: Context, total: Decimal, risk: str | None) -> list[str]:
    """Why a plan needs a second signature (001 §3.2, 000 §三), or [] when it does not."""
    reasons = []
    limit = ctx.policy.approval_limit(ctx.actor)
    if limit is not None and total > limit:
        reasons.append(OVER_LIMIT.format(total=f"{total:.2f}", actor=ctx.actor, limit=limit))
    if risk == "high":
        reasons.append(HIGH_RISK)
    return reasons


def reasons_shown(reasons: list[str] | None) -> str:
    """The recorded reasons for an approval in the reader's language (any other text as written)."""
    shown = []
    for reason in reasons or []:
        over = _OVER_LIMIT.match(reason) if isinstance(reason, str) else None
        if over:
            shown.append(_(OVER_LIMIT).format(**over.groupdict()))
        else:
            shown.append(_(HIGH_RISK) if reason == HIGH_RISK else str(reason))
    return _("; ").join(shown)


STATUTORY_MULTIPLE = Decimal(10)
STATUTORY_MINIMUM = Decimal("1000.00")


def statutory_compensation(price: Decimal) -> Decimal:
    """Food safety law: ten times the price paid, at least 1,000 yuan (退一赔十，不足千元按千元计)."""
    return max(price * STATUTORY_MULTIPLE, STATUTORY_MINIMUM).quantize(Decimal("0.01"))


def check_covered(doc: dict, ctx: Context, total: Decimal) -> None:
    """Money paid beyond the plan needs the authority of the actor or of the plan's approver."""
    approver = dig(doc, "plan", "approval", "approved_by")
    limits = [ctx.policy.approval_limit(who) for who in (ctx.actor, approver) if who]
    if any(limit is None or total <= limit for limit in limits):
        return
    words = (_("this brings the case's compensation to {total}, beyond {actor}'s approval limit and the plan "
               "approval; propose it in the plan (--compensation statutory=AMOUNT) and have it approved")
             if approver else
             _("this brings the case's compensation to {total}, beyond {actor}'s approval limit; propose it "
               "in the plan (--compensation statutory=AMOUNT) and have it approved"))
    raise UsageError(words.format(total=f"{total:.2f}", actor=ctx.actor))
