"""Checks on the history as a whole: replacements, and commits dated before their parents.

A step's own time is checked against its commit's time; these checks keep
that commit time honest: a commit dated before its parent is a forged
committer date (``GIT_COMMITTER_DATE`` set back to hide back-dating), and a
``git replace`` makes git show a tree other than the one stored.
"""

from __future__ import annotations

from datetime import datetime, timezone

from kesu import gitio
from kesu.githistory import SHORT, Commit, first_parent_times
from kesu.record import FUTURE_TOLERANCE


def history_findings(root, since: str | None, commits: list[Commit], checks) -> None:
    """Add the history-wide findings to ``checks``."""
    for ref in gitio.replace_refs(root):
        checks.findings.append(_finding(ref.rsplit("/", 1)[-1][:SHORT], "-", "replaced",
                                        f"{ref} replaces an object; kesu reads what is stored "
                                        "(git --no-replace-objects), and a replacement hides it"))
    cases = {c.sha: _case_named(c) for c in commits}
    line = first_parent_times(root, since)
    times = {sha: when for sha, _, when in line}
    for sha, parent, when in line:
        if parent in times and times[parent] - when > FUTURE_TOLERANCE.total_seconds():
            checks.findings.append(_finding(
                sha[:SHORT], cases.get(sha) or "-", "time-reversed",
                f"committed at {_utc(when)}, before its parent {parent[:SHORT]} ({_utc(times[parent])}); "
                "a commit date set back hides when a step was really recorded"))


def _case_named(commit: Commit) -> str | None:
    from kesu.trailers import read

    found = read(commit.trailers)
    return found.case if found else None


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _finding(commit: str, case: str, rule: str, message: str):
    from kesu.audit.rules import Finding

    return Finding(commit, case, rule, message)
