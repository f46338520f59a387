"""Recording a step: change one case file and commit it, all or nothing.

Every command that changes a case ends here, so the rules of DESIGN §5 hold
in one place: the lock, the refusal to overwrite hand edits, one timeline
entry per step, one commit with kesu's trailers, and the rollback that leaves
files, index and HEAD as they were when anything fails (a hook, signing, a
full disk, Ctrl-C).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from kesu import gitio, lifecycle, yamlio
from kesu.archive import Archive, isoformat, write_atomic
from kesu.errors import ArchiveError, UsageError


@dataclass
class Change:
    """What an action did to a case, for the commit message and the state."""

    details: list[tuple[str, Any]] = field(default_factory=list)
    #: One of the transition's targets when it has several (follow-up).
    target: str | None = None
    #: Other files rendered by the command, by path relative to the archive.
    extra_files: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    case_id: str
    action: str
    from_state: str | None
    to_state: str
    commit: str
    path: str


def commit_message(case_id: str, action: str, from_state: str | None, to_state: str,
                   actor: str, at: str, details: list[tuple[str, Any]]) -> str:
    arrow = f"{from_state} -> {to_state}" if from_state else f"-> {to_state}"
    lines = [f"{case_id}: {action} ({arrow})", ""]
    if details:
        lines += [" ".join(f"{k}={_detail_value(v)}" for k, v in details), ""]
    trailers = [("Case", case_id), ("Action", action)]
    if from_state:
        trailers.append(("From", from_state))
    trailers += [("To", to_state), ("Actor", actor), ("At", at)]
    lines += [f"{k}: {v}" for k, v in trailers]
    return "\n".join(lines) + "\n"


def _detail_value(value: Any) -> str:
    text = " ".join(str(value).split())
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"' if (" " in text or not text) else text


def timeline_entry(action: str, from_state: str | None, to_state: str, actor: str, at: str) -> dict:
    entry = {"at": at, "action": action}
    if from_state:
        entry["from"] = from_state
    entry.update({"to": to_state, "by": actor})
    return entry


#: Top-level keys in the order a reader meets them; the timeline always last.
SECTION_ORDER = (
    "id", "schema_version", "state", "received_at", "channel", "store", "customer", "complaint",
    "acknowledgement", "classification", "assignment", "investigation", "plan",
    "customer_response", "escalations", "actions", "resolution", "follow_up", "closure",
    "reopenings", "extensions", "notes", "library",
)


#: Lists whose items are written one per line, so a step's diff is one added line.
FLOW_LISTS = (("timeline",), ("plan", "compensation"), ("complaint", "subjects"))


def case_yaml(document: dict) -> str:
    """The text of a case file in kesu's house style.

    Sections stand in the order a reader meets them, the timeline last;
    short records take one line each; money keeps its two decimals however
    the reader that loaded it typed it (libyaml hands back 39.9).
    """
    rank = {key: i for i, key in enumerate(SECTION_ORDER)}
    ordered = {key: document[key] for key in
               sorted(document, key=lambda k: (k == "timeline", rank.get(k, len(rank))))}
    for path in FLOW_LISTS:
        parent = _parent(ordered, path)
        if parent is not None and isinstance(parent.get(path[-1]), list):
            parent[path[-1]] = [yamlio.flow(i) if isinstance(i, dict) else i for i in parent[path[-1]]]
    for holder, key in _money_fields(ordered):
        try:
            holder[key] = yamlio.money(holder[key])
        except UsageError:
            pass  # not a valid amount: leave it for validate to report
    return yamlio.dump(ordered)


def _parent(document: dict, path: tuple[str, ...]) -> dict | None:
    for key in path[:-1]:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, dict) else None


def _money_fields(document: dict):
    plan = document.get("plan")
    if isinstance(plan, dict):
        if plan.get("total") is not None:
            yield plan, "total"
        for item in plan.get("compensation") or []:
            if isinstance(item, dict) and item.get("amount") is not None:
                yield item, "amount"
    for action in document.get("actions") or []:
        statutory = action.get("statutory") if isinstance(action, dict) else None
        if isinstance(statutory, dict):
            for key in ("price", "minimum", "compensation"):
                if statutory.get(key) is not None:
                    yield statutory, key


#: How far in the future ``--at`` may lie (clock skew between machines).
FUTURE_TOLERANCE = timedelta(minutes=5)


def check_time(archive: Archive, document: Any, at: datetime, rel: str) -> str:
    """``at`` as written in the case; refused when in the future or before the last step."""
    stamp = isoformat(at)
    if at - archive.now() > FUTURE_TOLERANCE:
        raise UsageError(f"--at {stamp} is in the future")
    timeline = document.get("timeline") or []
    if timeline:
        last = str(timeline[-1].get("at", ""))
        try:
            earlier = at < datetime.fromisoformat(last)
        except ValueError:
            raise UsageError(f"the last timeline entry has an unreadable time {last!r}", rel) from None
        if earlier:
            raise UsageError(f"--at {stamp} is before the case's last step ({last})", rel)
    return stamp


def check_actor(archive: Archive, actor: str | None) -> str:
    if not actor:
        raise UsageError("who is doing this? give --actor NAME, set KESU_ACTOR, "
                         "or set git's user.name")
    archive.policy.member(actor)
    return actor


def apply_step(archive: Archive, case_id: str, action: str, actor: str, at: datetime,
               change: Callable[[Any, str], Change]) -> Recorded:
    """Load ``case_id``, let ``change(document, from_state)`` edit it, record one step."""
    actor = check_actor(archive, actor)
    rel = archive.case_relpath(case_id)
    with archive.lock():
        path = archive.existing_case_path(case_id)
        text = archive.read_text(path)
        staged = refuse_hand_edits(archive, rel, text)
        document = yamlio.load(text, rel)
        if not isinstance(document, dict):
            raise UsageError("a case file must be a mapping", rel, 1)
        from_state = document.get("state")
        transition = lifecycle.check_step(action, from_state)
        outcome = change(document, from_state)
        to_state = transition.target_for(from_state, outcome.target)
        stamp = check_time(archive, document, at, rel)
        document["state"] = to_state
        document.setdefault("timeline", []).append(
            timeline_entry(action, from_state, to_state, actor, stamp))
        message = commit_message(case_id, action, from_state, to_state, actor, stamp,
                                 outcome.details)
        files = {rel: case_yaml(document), **outcome.extra_files}
        sha = commit_files(archive, files, message, staged=staged)
    return Recorded(case_id, action, from_state, to_state, sha, rel)


def record_intake(archive: Archive, case_id: str, document: dict, actor: str, at: str,
                  details: list[tuple[str, Any]]) -> Recorded:
    """Write a brand-new case file as its first commit."""
    actor = check_actor(archive, actor)
    rel = archive.case_relpath(case_id)
    with archive.lock():
        if (archive.root / rel).exists():
            raise ArchiveError(f"{rel} already exists", rel)
        document["timeline"] = [timeline_entry("intake", None, lifecycle.RECEIVED, actor, at)]
        message = commit_message(case_id, "intake", None, lifecycle.RECEIVED, actor, at, details)
        sha = commit_files(archive, {rel: case_yaml(document)}, message)
    return Recorded(case_id, "intake", None, lifecycle.RECEIVED, sha, rel)


def refuse_hand_edits(archive: Archive, rel: str, text: str) -> list[str]:
    """Refuse to overwrite a case file that differs from its last commit.

    Returns what the user has staged, which the commit needs to know too.
    """
    staged = gitio.staged_paths(archive.root)
    if rel in staged or not gitio.index_matches(archive.root, rel, text.encode("utf-8")):
        if rel in staged or gitio.dirty_paths(archive.root, [rel]):
            raise ArchiveError("has uncommitted changes; commit them (or 'git checkout -- "
                               f"{rel}') before kesu changes it", rel)
    return staged


def commit_files(archive: Archive, files: dict[str, str], message: str,
                 staged: list[str] | None = None) -> str:
    """Write ``files`` and commit them as one commit, or leave everything as it was.

    ``staged`` is what the user had staged, when the caller already asked git.
    """
    root = archive.root
    before_head = gitio.head(root)
    backups: dict[str, bytes | None] = {}
    for rel in files:
        target = root / rel
        backups[rel] = target.read_bytes() if target.exists() else None
    written: list[str] = []
    try:
        for rel, text in files.items():
            write_atomic(root / rel, text)
            written.append(rel)
        new = [rel for rel, content in backups.items() if content is None]
        return gitio.commit(root, list(files), message, new=new, staged=staged)
    except BaseException as exc:
        if gitio.head(root) != before_head:
            raise  # the commit landed (e.g. Ctrl-C right after it): keep it
        _restore(root, {rel: backups[rel] for rel in written})
        if isinstance(exc, OSError):
            raise ArchiveError(f"cannot write the case: {exc.strerror or exc}; nothing was changed") from None
        raise


def _restore(root: Path, backups: dict[str, bytes | None]) -> None:
    """Put back the files a failed step wrote (the others were never replaced)."""
    if not backups:
        return
    for rel, content in backups.items():
        target = root / rel
        if content is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, content)
    gitio.unstage(root, list(backups))
