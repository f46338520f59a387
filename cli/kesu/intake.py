"""Intake (受理): turning what the customer said into a new case document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu import ids
from kesu.archive import Archive, isoformat
from kesu.errors import UsageError

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


def build_case(archive: Archive, data: dict, received: datetime) -> tuple[str, dict]:
    """Check the intake ``data`` (case-shaped) and return (ID, new case document)."""
    policy = archive.policy
    for section in ("customer", "complaint"):
        if not isinstance(data.get(section, {}), dict):
            raise UsageError(f"{section} must be a mapping of fields, not {type(data[section]).__name__}")
    missing = missing_fields(data)
    if missing:
        raise UsageError("missing intake fields: " + ", ".join(f"--{m.replace('_', '-')}" for m in missing))
    policy.check_choice("channels", data["channel"], "--channel")
    complaint = dict(data["complaint"])
    policy.check_choice("emotions", complaint["emotion"], "--emotion")
    if complaint.get("occurred_at"):
        complaint["occurred_at"] = isoformat(archive.parse_time(str(complaint["occurred_at"]),
                                                                "--occurred-at"))
    received = received.astimezone(policy.tz)
    document: dict[str, Any] = {}
    for _ in range(20):  # a clash within one archive is astronomically rare; retry anyway
        case_id = ids.new_id(policy.id_prefix, received.date())
        if not archive.case_path(case_id).exists():
            break
    else:
        raise UsageError("could not find a free case ID; try again")
    document["id"] = case_id
    document["schema_version"] = 1
    document["state"] = "received"
    document["received_at"] = isoformat(received)
    document["channel"] = data["channel"]
    if data.get("store"):
        document["store"] = str(data["store"])
    document["customer"] = {k: str(v) for k, v in data["customer"].items() if v not in (None, "")}
    complaint.setdefault("subjects", [])
    document["complaint"] = {k: v for k, v in complaint.items() if v not in (None, "")}
    return case_id, document
