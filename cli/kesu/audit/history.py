"""Checks on the history as a whole: replacements, commits dated before their
parents, and a step cut off before its commit.

A step's own time is checked against its commit's time; these checks keep
that commit time honest: a commit dated before its parent is a forged
committer date (``GIT_COMMITTER_DATE`` set back to hide back-dating), and a
``git replace`` makes git show a tree other than the one stored.
"""

from __future__ import annotations

from datetime import datetime, timezone

from kesu import gitio, yamlio
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.vocab import label
from kesu.githistory import SHORT, Commit, first_parent_times, tree_blobs
from kesu.record import FUTURE_TOLERANCE


def history_findings(root, since: str | None, commits: list[Commit], checks) -> None:
    """Add the history-wide findings to ``checks``."""
    from kesu.audit.findings import case_of
    from kesu.journal import interrupted

    for rel in (interrupted(root) or {}).get("files", []):
        # The work tree holds a change no commit records; the history read here
        # is what the archive says happened, so the auditor must hear of it.
        checks.findings.append(_finding("-", case_of(rel) or "-", "interrupted",
                                        _("{path}: a kesu step was interrupted before it finished; the work tree "
                                          "may differ from the last commit (the next kesu step finishes or undoes "
                                          "it)").format(path=rel)))
    for ref in gitio.replace_refs(root):
        checks.findings.append(_finding(ref.rsplit("/", 1)[-1][:SHORT], "-", "replaced",
                                        _("{ref} replaces an object; kesu reads what is stored "
                                          "(git --no-replace-objects), and a replacement hides it").format(ref=ref)))
    cases = {c.sha: _case_named(c) for c in commits}
    line = first_parent_times(root, since)
    times = {sha: when for sha, _parent, when in line}
    for sha, parent, when in line:
        if parent in times and times[parent] - when > FUTURE_TOLERANCE.total_seconds():
            checks.findings.append(_finding(
                sha[:SHORT], cases.get(sha) or "-", "time-reversed",
                _("committed at {when}, before its parent {parent} ({parent_when}); a commit date set back hides "
                  "when a step was really recorded").format(when=_utc(when), parent=parent[:SHORT],
                                                            parent_when=_utc(times[parent]))))


#: Where ``kesu audit --anchor`` records the last tip it audited clean.
ANCHOR = "refs/kesu/audited"


def anchor_findings(root, checks) -> None:
    """History rewritten after it was audited: the anchor is no longer behind HEAD."""
    anchored = gitio.ref(root, ANCHOR)
    head = gitio.head(root)
    if anchored and head and not gitio.is_ancestor(root, anchored, head):
        checks.findings.append(_finding(
            anchored[:SHORT], "-", "rewritten",
            _("{anchor} (audited clean at {commit}) is no longer an ancestor of HEAD: "
              "history was rewritten after it was audited").format(anchor=ANCHOR, commit=anchored[:SHORT])))


def dropped_steps(root, checks) -> None:
    """A step recorded in history whose entry is missing from its case at HEAD: a merge
    that kept one side ("keep mine", ``-s ours``) dropped the other's work."""
    from kesu.audit.findings import case_of

    at_head = tree_blobs(root, "HEAD", "cases/")
    # A case stepped on one line of history whose last version is HEAD's holds every
    # step (each commit was replayed on the one before); only the others are read.
    differing = {p: at_head.get(p) for p, blob in checks.last_blob.items()
                 if p not in checks.gone and (at_head.get(p) != blob or p in checks.branched)}
    wanted = sorted({b for b in differing.values() if b})
    texts = dict(zip(wanted, gitio.read_objects(root, wanted)))
    head = (gitio.head(root) or "")[:SHORT]
    for path, blob in differing.items():
        present = _entries(texts.get(blob)) if blob else set()
        if present is None:
            checks.findings.append(_finding(head, case_of(path) or "-", "unreadable",
                                            _("{path} at HEAD is not a readable case file").format(path=path)))
            continue
        for key, step, short in checks.steps_on.get(path, []):
            if key in present:
                continue
            message = (_("the {action} by {actor} at {at} is in the history but its case file is no "
                         "longer in HEAD: a merge dropped it (resolve conflicts with kesu sync, not by "
                         "keeping one side)") if blob is None else
                       _("the {action} by {actor} at {at} is in the history but its timeline entry is "
                         "missing from the case at HEAD: a merge dropped it (resolve conflicts with kesu "
                         "sync, not by keeping one side)"))
            checks.findings.append(_finding(
                short, case_of(path) or "-", "step-dropped",
                message.format(action=label(step.action, language()), actor=step.actor, at=step.at)))


def _entries(data: bytes | None) -> set[str] | None:
    """Every timeline entry (``rules.entry_key``); None when the file does not read."""
    from kesu.audit.findings import entry_key

    try:
        case = yamlio.load(data or b"")
    except UsageError:
        return None
    timeline = case.get("timeline") if isinstance(case, dict) else None
    return {entry_key(e) for e in timeline or [] if isinstance(e, dict)}


def _case_named(commit: Commit) -> str | None:
    from kesu.trailers import read

    found = read(commit.trailers)
    return found.case if found else None


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _finding(commit: str, case: str, rule: str, message: str):
    from kesu.audit.findings import Finding

    return Finding(commit, case, rule, message)
