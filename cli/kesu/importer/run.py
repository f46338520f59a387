"""``kesu import``: a whole ledger checked, then written as one commit — or nothing.

Every row is read, built into a case through the engine and checked like a
new case before anything is written, so a dry run and a real run find the
same problems. A duplicate (the same contact, time received and summary as a
case already in the archive, or as an earlier row) is reported and left out;
a row with a problem stops the import. The cases are written by the recorder
in one commit with ``Action: import`` trailers (docs/audit.md), so the audit
accepts it, and a failed commit leaves files and HEAD as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kesu import ids, lifecycle
from kesu.i18n import _
from kesu.errors import UsageError
from kesu.importer import build, cores, table
from kesu.importer.convert import Converter, Entry, check_times
from kesu.importer.mapping import Mapping
from kesu.values import dig

#: States an imported case may arrive in: those the walk of ``build`` reaches.
IMPORTABLE = (lifecycle.RECEIVED, *build.REACHES.values(), lifecycle.CLOSED)


@dataclass
class Problem:
    row: int
    message: str
    #: A note is worth reading but does not stop the import (a value read through "*").
    note: bool = False


@dataclass
class Plan:
    """What an import would write, and what it found on the way."""

    rows: int = 0
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    stores: dict[str, int] = field(default_factory=dict)


def duplicate_key(contact, received, summary) -> tuple:
    """Two records of one complaint: the same contact (digits), time received and summary."""
    digits = re.sub(r"\D", "", str(contact or "")) or str(contact or "").strip().casefold()
    return digits, str(received or "")[:19], " ".join(str(summary or "").split())


def plan(archive, path: Path, label: str, mapping: Mapping, actor: str, owner: str,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """Read, convert and build every row; nothing is written.

    Three passes: every row read and given a case ID (one process), the cases
    built (on every core, ``cores``), then, in the rows' order, each case kept
    or left out as a duplicate of an earlier row."""
    rows = table.read_rows(path, label)
    header_index = table.header_row(rows, set(mapping.columns))
    header = rows[header_index].cells
    converter = Converter(mapping, archive.policy, header)
    missing = [f for f in ("at",) if f not in converter.fields.values()]
    if missing:
        raise UsageError(_("no column for {fields} (when each complaint was received); the header row names "
                           "{header}").format(fields=", ".join(missing), header=", ".join(map(str, header))),
                         label, rows[header_index].number)
    seen = _existing(archive)
    taken: set[str] = set()
    result = Plan()
    now = archive.now()
    body = [r for r in rows[header_index + 1:] if not all(map(table.blank, r.cells))]
    jobs: list[_Job] = []
    for row in body:
        result.rows += 1
        entry = converter.entry(row.number, row.cells)
        check_times(entry, now, archive.policy.future_tolerance)
        if entry.get("at") is None and not any(p.startswith("at ") for p in entry.problems):
            entry.problems.append(_("no date received (at)"))
        result.notes += [Problem(row.number, n, note=True) for n in entry.notes]
        if entry.problems:
            result.problems += [Problem(row.number, p) for p in entry.problems]
            continue
        key = duplicate_key(entry.get("contact"), _iso(entry, archive), entry.get("summary"))
        if key in seen:
            result.duplicates.append(_duplicate(row.number, seen[key]))
            continue
        case_id = _free_id(archive, entry, taken)
        taken.add(case_id)
        jobs.append(_Job(entry, case_id, archive.case_relpath(case_id), key, actor, owner,
                         archive.policy, Path(label).name))
    built = cores.map_in_order(_build, jobs)
    for done, (job, (text, store, problems)) in enumerate(zip(jobs, built, strict=True), 1):
        if progress and (done % 50 == 0 or done == len(jobs)):
            progress(done, len(jobs))
        row = job.entry.row
        if job.key in seen:  # an earlier row of this ledger, built without a problem
            result.duplicates.append(_duplicate(row, seen[job.key]))
        elif problems:
            result.problems += [Problem(row, message) for message in problems]
        else:
            seen[job.key] = _("row {n}").format(n=row)
            result.files[job.rel] = text
            if store:
                result.stores[store] = result.stores.get(store, 0) + 1
    return result


@dataclass(frozen=True)
class _Job:
    """One row to build into a case: all a worker process needs."""

    entry: Entry
    case_id: str
    rel: str
    key: tuple
    actor: str
    owner: str
    policy: object
    source: str


def _build(job: _Job) -> tuple[str | None, str | None, list[str]]:
    """A row's case as (its file's text, its store, no problems), or its problems."""
    from kesu.casefile import case_text
    from kesu.validate import case_problems

    state = build.target_state(job.entry)
    if state not in IMPORTABLE:
        return None, None, [_("state {state} cannot be imported (importable: {states})").format(
            state=state, states=", ".join(IMPORTABLE))]
    try:
        case = build.build(job.entry, job.case_id, job.actor, job.owner, job.policy, job.source)
    except UsageError as exc:
        return None, None, [exc.message]
    # judged as the file reads back: amounts are numbers there, not Decimals
    problems = case_problems(_as_read(case), job.rel, job.policy)
    if problems:
        return None, None, [message for _, message in problems]
    return case_text(case, quick=True), case.get("store"), []


def _duplicate(row: int, of: str) -> Problem:
    return Problem(row, _("duplicate of {case} (same contact, time and summary); not imported").format(case=of),
                   note=True)


def _as_read(value):
    """``value`` as YAML reads it back: Decimal amounts become numbers."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _as_read(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value


def _iso(entry: Entry, archive) -> str:
    from kesu.values import isoformat

    return isoformat(entry.get("at").astimezone(archive.policy.tz)) if entry.get("at") else ""


def _existing(archive) -> dict[tuple, str]:
    """The duplicate keys of the cases already in the archive."""
    found = {}
    for _path, case, _error in archive.scan():
        if case is not None:
            key = duplicate_key(dig(case, "customer", "contact"), case.get("received_at"),
                                dig(case, "complaint", "summary"))
            found.setdefault(key, str(case.get("id")))
    return found


def _free_id(archive, entry: Entry, taken: set[str]) -> str:
    day = entry.get("at").astimezone(archive.policy.tz).date()
    for _attempt in range(20):
        case_id = ids.new_id(archive.policy.id_prefix, day)
        if case_id not in taken and not archive.case_path(case_id).exists():
            return case_id
    raise UsageError(_("could not find a free case ID; try again"))


def commit(archive, result: Plan, actor: str, at: str, source: str) -> str:
    """Write every case of ``result`` in one commit with the import trailers."""
    from kesu import record, trailers

    record.refuse_unsafe_state(archive.root)
    stores = ", ".join(f"{s} {n}" for s, n in sorted(result.stores.items()))
    subject = f"Import {len(result.files)} complaints from {source}"
    message = trailers.import_message(f"{subject}\n\nstores: {stores}" if stores else subject, actor, at)
    with archive.lock():
        clash = next((rel for rel in result.files if (archive.root / rel).exists()), None)
        if clash:
            raise UsageError(_("{path} already exists; nothing was imported").format(path=clash))
        return record.commit_files(archive, result.files, message, bulk=True)
