"""``kesu audit``: replay the history of ``cases/`` and check every commit against kesu's rules.

Auditors read the git history to learn who did what, when, following which
rules, and whether anything was changed behind the tool's back. Every kesu
step is one commit on one case file whose trailers (Case/Action/From/To/
Actor/At) say what happened; the audit takes each commit that touches
``cases/`` and checks that its trailers, its diff and its times tell the
same story, and that the story is one the transition table allows.

It has to be fast enough for CI on a busy archive, so it asks git for the
history once (one ``git log --raw``: trailers, committer time, signature
status and the blob ids of every file a commit changed) and fetches only
the blobs it compares, all through one ``git cat-file --batch`` process.
Parsing is the remaining cost, and a step changes two or three of a case's
twenty sections, so a case file is read section by section
(``casereader``) and only the sections whose text changed are parsed.

The parts: ``replay`` drives the audit over the history (read through
kesu.githistory), ``rules`` holds the checks on one commit and the rule
codes (``RULES``), ``casereader`` reads case files, ``signatures`` ties a
signature to its actor. Rule codes are stable (scripts match on them).
"""

from __future__ import annotations

from datetime import timedelta

from kesu import gitio
from kesu.audit.history import ANCHOR
from kesu.audit.replay import AuditResult, Replay
from kesu.audit.findings import RULES, Finding
from kesu.errors import UsageError
from kesu.i18n import _
from kesu.githistory import SHORT

__all__ = ["RULES", "SHORT", "AuditResult", "Finding", "audit", "max_backdate_of",
           "parse_duration"]

DEFAULT_MAX_BACKDATE = "24h"


def parse_duration(text: str, what: str = "--max-backdate") -> timedelta:
    """``90m``, ``24h`` or ``3d``: the duration grammar of kesu.yaml's timers,
    in wall time (back-dating is measured on the clock, not in working days)."""
    from kesu.deadlines import duration_minutes, parse_duration as parse_amount

    try:
        minutes = duration_minutes(*parse_amount(text))
    except UsageError:
        minutes = None
    if minutes is None:
        raise UsageError(_("{what} {text!r} is not a duration like 90m, 24h or 3d").format(what=what, text=text))
    return timedelta(minutes=minutes)


def max_backdate_of(policy, given: str | None) -> timedelta:
    """``--max-backdate``, else ``audit.max_backdate`` of kesu.yaml, else 24h."""
    if given is not None:
        return parse_duration(given)
    configured = (policy.get("audit") or {}).get("max_backdate")
    if configured is None:
        return parse_duration(DEFAULT_MAX_BACKDATE)
    try:
        return parse_duration(configured, "audit.max_backdate")
    except UsageError as exc:
        raise UsageError(exc.message, "kesu.yaml") from None


def _limit_in(policy) -> timedelta:
    """A past policy's back-dating limit; one that does not parse counts as the default."""
    try:
        return max_backdate_of(policy, None)
    except UsageError:
        return parse_duration(DEFAULT_MAX_BACKDATE)


def audit(archive, since: str | None = None, case_id: str | None = None,
          require_signed: bool = False, max_backdate: str | None = None,
          keep_cases: bool = False, anchor: bool = False) -> AuditResult:
    """Replay the history of ``cases/`` (or of one case, or since a commit) and
    return every finding, oldest commit first."""
    if since is not None and (not since.strip() or since.startswith("-")):
        raise UsageError(_("--since {since!r} is not a commit").format(since=since))
    # The case's own path (from the date in its ID): git prunes a plain path
    # far faster than a pattern. The full audit also finds an ID filed twice.
    case_path = archive.case_relpath(case_id) if case_id is not None else None
    max_backdate_of(archive.policy, max_backdate)  # a bad value is the user's error, now
    # Each step is judged by the limit in force before it, unless the auditor gives one.
    given = parse_duration(max_backdate) if max_backdate is not None else None
    replay = Replay(archive.root, archive.policy, since, case_id, case_path, require_signed,
                    lambda policy: given or _limit_in(policy), keep_cases)
    result = replay.run()
    if anchor and not result.findings and result.head:
        gitio.set_ref(archive.root, ANCHOR, result.head, "kesu audit: clean")
    return result


def anchored(archive) -> str | None:
    """The tip ``kesu audit --anchor`` last recorded, for ``--since-anchor``."""
    return gitio.ref(archive.root, ANCHOR)
