"""A case file's canonical text: the one layout kesu writes (docs/case-format.md).

Replaying a step reproduces a committed file byte for byte only because
every writer goes through ``case_text``: sections in the order a reader
meets them, the timeline last; one line for each timeline entry,
compensation item and subject; money with two decimals however the reader
that loaded it typed it.
"""

from __future__ import annotations

from typing import Any

from kesu import yamlio
from kesu.i18n import _
from kesu.errors import UsageError
from kesu.values import deep_copy, dig

#: Top-level keys in the order a reader meets them; the timeline always last.
SECTION_ORDER = (
    "id", "schema_version", "state", "received_at", "channel", "store", "customer", "claimants",
    "complaint",
    "acknowledgement", "classification", "assignment", "investigation", "plan",
    "customer_response", "escalations", "actions", "resolution", "follow_up", "closure",
    "reopenings", "extensions", "notes", "evidence", "report_back", "referrals", "corrective",
    "library",
)
_RANK = {key: i for i, key in enumerate(SECTION_ORDER)}

#: Lists whose items are written one per line, so a step's diff is one added line.
FLOW_LISTS = (("timeline",), ("plan", "compensation"), ("complaint", "subjects"), ("claimants",),
              ("evidence",))


def case_text(document: dict, quick: bool = False) -> str:
    """The text of a case file in kesu's canonical layout (``document`` is left as it is).

    ``quick``: written by kesu.yamlfast when it is sure of the very bytes
    yamlio.dump writes (a bulk import writes thousands)."""
    document = deep_copy(document)
    ordered = {key: document[key] for key in
               sorted(document, key=lambda k: (k == "timeline", _RANK.get(k, len(_RANK))))}
    for path in FLOW_LISTS:
        parent = dig(ordered, *path[:-1]) if len(path) > 1 else ordered
        if isinstance(parent, dict) and isinstance(parent.get(path[-1]), list):
            parent[path[-1]] = [yamlio.flow(i) if isinstance(i, dict) else i
                                for i in parent[path[-1]]]
    for holder, key in _money_fields(ordered):
        try:
            holder[key] = yamlio.money(holder[key])
        except UsageError:
            pass  # not a valid amount: leave it for validate to report
    if quick:
        from kesu import yamlfast

        text = yamlfast.dump(ordered)
        if text is not None:
            return text
    return yamlio.dump(ordered)


def _money_fields(document: dict):
    plan = document.get("plan")
    if isinstance(plan, dict):
        if plan.get("total") is not None:
            yield plan, "total"
        for item in plan.get("compensation") or []:
            if isinstance(item, dict) and item.get("amount") is not None:
                yield item, "amount"
    for claimant in document.get("claimants") or []:
        if isinstance(claimant, dict) and claimant.get("amount") is not None:
            yield claimant, "amount"
    for action in document.get("actions") or []:
        statutory = action.get("statutory") if isinstance(action, dict) else None
        if isinstance(statutory, dict):
            for key in ("price", "minimum", "compensation"):
                if statutory.get(key) is not None:
                    yield statutory, key


def load_case(text: str, path: str | None = None) -> dict:
    """A case file's document; refused when it is not a mapping."""
    document: Any = yamlio.load(text, path)
    if not isinstance(document, dict):
        raise UsageError(_("a case file must be a mapping"), path, 1)
    return document
