"""Intake (受理): what the customer said, turned into a new case.

``FIELDS`` names what an intake asks for (flags, prompts, import columns);
``intake`` is the engine's rule that builds the case from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu import ids
from kesu.engine import Context, Outcome
from kesu.errors import UsageError
from kesu.i18n import _
from kesu.stores import check_case_store
from kesu.values import isoformat, read_time

#: Intake fields: flag name -> (path in the case file, required, prompt text)
FIELDS: dict[str, tuple[tuple[str, ...], bool, str]] = {
    "channel": (("channel",), True, "Channel (counter, hotline, app, email, ...)"),
    "customer": (("customer", "name"), True, "Customer name"),
    "contact": (("customer", "contact"), True, "Customer contact (phone or e-mail)"),
    "member": (("customer", "member_id"), False, "Member number"),
    "summary": (("complaint", "summary"), True, "Summary (one line)"),
    "facts": (("complaint", "facts"), True, "Facts: what happened, as the customer tells it"),
    "demands": (("complaint", "demands"), False, "Demands: what the customer wants"),
    "emotion": (("complaint", "emotion"), True, "Emotion (calm, anxious, angry, very_angry)"),
    "location": (("complaint", "location"), False, "Where it happened"),
    "occurred_at": (("complaint", "occurred_at"), False, "When it happened"),
    "store": (("store",), False, "Store / site"),
}

SCHEMA_VERSION = 1


def get_path(data: dict, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def set_path(data: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def missing_fields(data: dict) -> list[str]:
    return [flag for flag, (path, required, _) in FIELDS.items()
            if required and get_path(data, path) in (None, "")]


def intake(doc: dict, ctx: Context, *, id: str, channel: Any = None, store: Any = None,
           customer: Any = None, complaint: Any = None) -> Outcome:
    """Build a new case in ``doc`` from case-shaped intake data; received when the step happened."""
    policy = ctx.policy
    ids.parse_id(id)
    data = {"channel": channel, "customer": customer or {}, "complaint": complaint or {}}
    for section in ("customer", "complaint"):
        if not isinstance(data[section], dict):
            raise UsageError(_("{section} must be a mapping of fields, not {kind}").format(
                section=section, kind=type(data[section]).__name__))
    missing = missing_fields(data)
    if missing:
        raise UsageError(_("missing intake fields: {options}").format(
            options=", ".join(f"--{m.replace('_', '-')}" for m in missing)))
    policy.check_choice("channels", channel, "--channel")
    check_case_store(policy, store)
    complaint = dict(data["complaint"])
    policy.check_choice("emotions", complaint["emotion"], "--emotion")
    if complaint.get("occurred_at"):
        complaint["occurred_at"] = isoformat(read_time(str(complaint["occurred_at"]), policy.tz,
                                                             "--occurred-at"))
    doc["id"] = id
    doc["schema_version"] = SCHEMA_VERSION
    doc["received_at"] = isoformat(datetime.fromisoformat(ctx.at).astimezone(policy.tz))
    doc["channel"] = channel
    if store:
        doc["store"] = str(store)
    doc["customer"] = {k: str(v) for k, v in data["customer"].items() if v not in (None, "")}
    complaint.setdefault("subjects", [])
    doc["complaint"] = {k: v for k, v in complaint.items() if v not in (None, "")}
    return Outcome([("channel", channel), ("summary", doc["complaint"]["summary"])])

