"""What ``kesu show`` adds for evidence, claimants and outside obligations.

``show`` is for the person handling the case, so claimants appear with their
names and contacts here; reports and library entries only ever count them.
"""

from __future__ import annotations

from kesu import claimants as claimant_rules


def obligation_rows(case: dict) -> list[tuple[str, str]]:
    rows = []
    for item in case.get("evidence") or []:
        note = f"  {item.get('note')}" if item.get("note") else ""
        rows.append(("evidence", f"{item.get('kind')}  {item.get('path')}  "
                                 f"sha256 {str(item.get('sha256'))[:12]}  {item.get('by')}{note}"))
    for item in case.get("report_back") or []:
        reference = f" ({item.get('reference')})" if item.get("reference") else ""
        rows.append(("reported back", f"{item.get('at')}  {item.get('body')} by {item.get('method')}"
                                      f"{reference}: {item.get('text')}"))
    for item in case.get("referrals") or []:
        reference = f" ({item.get('reference')})" if item.get("reference") else ""
        rows.append(("referred", f"{item.get('at')}  to {item.get('to')}{reference}: {item.get('text')}"))
    for number, item in enumerate(case.get("corrective") or [], start=1):
        done = f"done {item.get('done_at')}" if item.get("done_at") else f"due in {item.get('limit')}"
        rows.append((f"corrective {number}", f"{item.get('kind')}: {item.get('text')}  ({done})"))
    return rows


def claimant_lines(case: dict) -> list[str]:
    items = claimant_rules.claimants_of(case)
    if not items:
        return []
    counts = claimant_rules.summary(case)
    told = ", ".join(f"{k} {counts[k]}" for k in (*claimant_rules.OUTCOMES, "waiting"))
    lines = [f"claimants ({counts['claimants']}: {told}; amount {counts['amount']}):"]
    for c in items:
        amount = f"{float(c['amount']):.2f}" if c.get("amount") is not None else "-"
        status = (c.get("outcome") or {}).get("status") or "waiting"
        lines.append(f"  {c.get('ref')}  {c.get('name')}  {c.get('contact')}  "
                     f"{c.get('member_id') or '-'}  {amount}  {status}")
    return lines
