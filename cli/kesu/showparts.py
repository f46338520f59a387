"""What ``kesu show`` adds for evidence, claimants and outside obligations.

``show`` is for the person handling the case, so claimants appear with their
names and contacts here; reports and library entries only ever count them.
Codes are shown by their labels and times as every table shows them.
"""

from __future__ import annotations

from kesu import claimants as claimant_rules
from kesu.i18n import _, language
from kesu.tables import ELLIPSIS
from kesu.values import say_duration, table_minute
from kesu.vocab import label


#: On a terminal, an evidence file's path keeps at most this many cells (``--wide``: all of it).
PATH_CELLS = 32


def obligation_rows(case: dict, tz=None, policy=None, width: int | None = None) -> list[tuple[str, str]]:
    """``width``: a terminal's, where long paths are cut to fit (None: everything in full)."""
    from kesu.tables import cut

    lang = language()

    def said(code):
        return label(code, lang, policy)

    def when(value):
        return table_minute(value, tz) if tz is not None else str(value or "")

    def reference(item):
        return _(" ({reference})").format(reference=item["reference"]) if item.get("reference") else ""

    rows = []
    for item in case.get("evidence") or []:
        note = f"  {item.get('note')}" if item.get("note") else ""
        path = str(item.get("path"))
        path = path if width is None else ELLIPSIS + cut(path[::-1], PATH_CELLS)[:-1][::-1] if len(path) > PATH_CELLS else path
        rows.append((_("evidence"), f"{said(item.get('kind'))}  {path}  "
                                    f"SHA-256 {str(item.get('sha256'))[:12]}  {item.get('by')}{note}"))
    for item in case.get("report_back") or []:
        rows.append((_("reported back"), _("{time}  {body}, by {method}{reference}: {text}").format(
            time=when(item.get("at")), body=said(item.get("body")), method=said(item.get("method")),
            reference=reference(item), text=item.get("text"))))
    for item in case.get("referrals") or []:
        rows.append((_("referred"), _("{time}  to {to}{reference}: {text}").format(
            time=when(item.get("at")), to=said(item.get("to")), reference=reference(item),
            text=item.get("text"))))
    for number, item in enumerate(case.get("corrective") or [], start=1):
        done = (_("done {time}").format(time=when(item.get("done_at"))) if item.get("done_at")
                else _("due within {time}").format(time=say_duration(item.get("limit"))))
        rows.append((_("corrective {number}").format(number=number),
                     _("{kind}: {text}").format(kind=said(item.get("kind")), text=item.get("text"))
                     + "  " + _("({state})").format(state=done)))
    return rows


def claimant_lines(case: dict, policy=None) -> list[str]:
    items = claimant_rules.claimants_of(case)
    if not items:
        return []
    lang = language()
    counts = claimant_rules.summary(case)
    told = _(", ").join(f"{label(k, lang, policy)} {counts[k]}" for k in (*claimant_rules.OUTCOMES, "waiting"))
    lines = [_("claimants ({count}: {outcomes}; amount {amount}):").format(
        count=counts["claimants"], outcomes=told, amount=counts["amount"])]
    for c in items:
        amount = f"{float(c['amount']):.2f}" if c.get("amount") is not None else "-"
        status = (c.get("outcome") or {}).get("status") or "waiting"
        lines.append(f"  {c.get('ref')}  {c.get('name')}  {c.get('contact')}  "
                     f"{c.get('member_id') or '-'}  {amount}  {label(status, lang, policy)}")
    return lines
