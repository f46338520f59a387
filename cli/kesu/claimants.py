"""Mass complaints (群体投诉): one incident, many customers, one case.

A prepaid-card refund after a tenant left, or a double charge during a
payment upgrade, is one complaint with many claimants: one plan applies to
all of them, and each gets an outcome of their own (paid, refused,
unreachable) through ``act``. The case resolves only when every claimant has
an outcome. Claimants are customers: their names, contacts and member numbers
are as confidential as the customer's, and reports count them, never name them.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from kesu import yamlio
from kesu.i18n import _
from kesu.engine import Context, Outcome
from kesu.errors import UsageError
from kesu.money import money_arg

#: ``act --outcome``: what became of one claimant's claim.
OUTCOMES = ("paid", "refused", "unreachable")
#: An unreachable claimant may still be paid or refused later; the others are final.
FINAL_OUTCOMES = ("paid", "refused")
#: The fields of one claimant as ``claimant add`` flags name them, and their keys in the case.
FIELDS = {"customer": "name", "contact": "contact", "member": "member_id", "amount": "amount"}
#: CSV headers kesu understands for each flag, besides the flag's own name.
HEADERS = {"customer": ("name", "姓名", "客户", "顾客"),
           "contact": ("phone", "电话", "手机", "联系方式"),
           "member": ("member_id", "会员号", "卡号"),
           "amount": ("金额", "退款金额")}


def ref_of(number: int) -> str:
    return f"C{number:03d}"


def claimants_of(case: dict) -> list[dict]:
    return [c for c in case.get("claimants") or [] if isinstance(c, dict)]


# ------------------------------------------------------------------ steps
def claimant_add(doc, ctx: Context, *, claimants: list) -> Outcome:
    """Add claimants (each a mapping of customer, contact, member, amount)."""
    if not isinstance(claimants, list) or not claimants:
        raise UsageError(_("give at least one claimant"))
    current = [dict(c) for c in claimants_of(doc)]
    seen = {(c.get("contact"), c.get("member_id")) for c in current}
    for index, given in enumerate(claimants, start=1):
        where = _("claimant {index}: ").format(index=index) if len(claimants) > 1 else ""
        if not isinstance(given, dict) or set(given) - set(FIELDS):
            raise UsageError(where + _("a claimant has only {fields}").format(fields=", ".join(FIELDS)))
        name, contact = str(given.get("customer") or "").strip(), str(given.get("contact") or "").strip()
        if not name or not contact:
            raise UsageError(where + _("a claimant needs --customer NAME and --contact PHONE"))
        entry: dict[str, Any] = {"ref": ref_of(len(current) + 1), "name": name, "contact": contact}
        if given.get("member") not in (None, ""):
            entry["member_id"] = str(given["member"]).strip()
        if given.get("amount") not in (None, ""):
            entry["amount"] = money_arg(given["amount"], "--amount", ctx.policy)
        key = (entry["contact"], entry.get("member_id"))
        if key in seen:
            raise UsageError(where + _("{who} is already a claimant of this case").format(who=_hidden(entry)))
        seen.add(key)
        current.append(entry)
    doc["claimants"] = current
    return Outcome([("claimants", len(current)), ("added", len(claimants))])


def record_outcomes(doc: dict, ctx: Context, outcomes: list[str]) -> list[str]:
    """Apply ``REF=OUTCOME`` items (a ref, contact or member number) to the claimants."""
    items = [dict(c) for c in claimants_of(doc)]
    if not items:
        raise UsageError(_("this case has no claimants; --claimant and --outcome are for mass complaints"))
    index = _index(items)
    touched = []
    for spec in outcomes:
        who, sep, outcome = str(spec).rpartition("=")
        if not sep or outcome not in OUTCOMES:
            raise UsageError(_("{spec!r}: an outcome is one of {outcomes}").format(spec=spec, outcomes=", ".join(OUTCOMES)))
        if who == "all":
            targets = [i for i, c in enumerate(items) if _open(c)]
            if not targets:
                raise UsageError(_("every claimant has an outcome already"))
        elif who in index:
            targets = [index[who]]
        else:
            raise UsageError(_("no claimant {who!r} in this case (give its ref, e.g. C001, its contact or member "
                               "number)").format(who=who))
        for i in targets:
            previous = (items[i].get("outcome") or {}).get("status")
            if previous in FINAL_OUTCOMES:
                raise UsageError(_("claimant {ref} is already {outcome}").format(ref=items[i]["ref"], outcome=previous))
            items[i]["outcome"] = {"status": outcome, "at": ctx.at, "by": ctx.actor}
            touched.append(items[i]["ref"])
    doc["claimants"] = items
    return touched


def check_all_have_outcomes(doc: dict) -> None:
    waiting = [c["ref"] for c in claimants_of(doc) if not (c.get("outcome") or {}).get("status")]
    if waiting:
        shown = ", ".join(waiting[:10]) + (_(" and {count} more").format(count=len(waiting) - 10)
                                           if len(waiting) > 10 else "")
        raise UsageError(_("{count} claimant(s) have no outcome yet ({shown}); record each with kesu act ID TEXT "
                           "--claimant REF --outcome paid|refused|unreachable").format(count=len(waiting), shown=shown))


def _open(claimant: dict) -> bool:
    return (claimant.get("outcome") or {}).get("status") not in FINAL_OUTCOMES


def _index(items: list[dict]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, c in enumerate(items):
        for key in (c.get("member_id"), c.get("contact"), c.get("ref")):
            if key:
                index[str(key)] = i
    return index


def _hidden(entry: dict) -> str:
    """A claimant named without their personal data (for messages)."""
    contact = str(entry.get("contact") or "")
    return f"the claimant with contact ending {contact[-4:]}" if contact else "this claimant"


# ------------------------------------------------------------------ reading
def summary(case: dict) -> dict:
    """Counts only — what reports may show: how many claimants, per outcome, amount claimed."""
    items = claimants_of(case)
    counts = {o: 0 for o in OUTCOMES}
    waiting = 0
    total = Decimal("0.00")
    for c in items:
        status = (c.get("outcome") or {}).get("status")
        if status in counts:
            counts[status] += 1
        else:
            waiting += 1
        if c.get("amount") not in (None, ""):
            total += Decimal(str(c["amount"]))
    return {"claimants": len(items), **counts, "waiting": waiting, "amount": f"{total:.2f}"}


def read_csv(text: str, label: str) -> list[dict]:
    """Claimants from CSV text: a header row naming customer, contact, member, amount."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise UsageError(_("the file is empty; expected a header row (customer,contact,member,amount)"), label, 1)
    columns = {}
    for position, header in enumerate(rows[0]):
        name = header.strip().lower()
        flag = next((f for f in FIELDS if name == f or name in HEADERS.get(f, ())), None)
        if flag is None:
            raise UsageError(_("unknown column {header!r}; expected customer, contact, member, amount").format(
                header=header), label, 1)
        columns[flag] = position
    for needed in ("customer", "contact"):
        if needed not in columns:
            raise UsageError(_("no {column} column").format(column=needed), label, 1)
    claimants = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(rows[0]):
            raise UsageError(_("{cells} cells in a row of {columns} columns").format(cells=len(row), columns=len(rows[0])),
                             label, line)
        values = {flag: row[pos].strip() if pos < len(row) else "" for flag, pos in columns.items()}
        if not values["customer"] or not values["contact"]:
            raise UsageError(_("a claimant needs a customer and a contact"), label, line)
        if values.get("amount"):
            try:
                yamlio.money(values["amount"])
            except UsageError:
                raise UsageError(_("amount {value!r} is not an amount like 39.90").format(value=values["amount"]),
                                 label, line) from None
        claimants.append({k: v for k, v in values.items() if v})
    if not claimants:
        raise UsageError(_("no claimants in the file"), label, 2)
    return claimants


def read_outcomes(archive, name: str) -> list[str]:
    """``REF=OUTCOME`` items from a CSV file with the columns claimant,outcome."""
    from pathlib import Path

    path = Path(name)
    if not path.is_file():
        raise UsageError(_("{flag} {path}: no such file").format(flag="--outcomes-file", path=name))
    rows = list(csv.reader(io.StringIO(archive.read_text(path).lstrip("\ufeff"))))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "claimant" not in header or "outcome" not in header:
        raise UsageError(_("expected the columns claimant,outcome"), name, 1)
    who, what = header.index("claimant"), header.index("outcome")
    items = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if max(who, what) >= len(row) or row[what].strip() not in OUTCOMES:
            raise UsageError(_("an outcome is one of {outcomes}").format(outcomes=", ".join(OUTCOMES)), name, line)
        items.append(f"{row[who].strip()}={row[what].strip()}")
    return items
