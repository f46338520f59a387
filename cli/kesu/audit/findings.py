"""The audit's vocabulary: its findings, their stable rule codes, and how it names things.

Rule codes never change meaning: scripts match on them (docs/audit.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kesu.audit.stepreplay import MISMATCH, REFUSED
from kesu.record import FUTURE_TOLERANCE

#: Every finding's rule code, with what it means. Codes never change meaning.
RULES: dict[str, str] = {
    "no-trailers": "a commit changes a case file without kesu's trailers",
    "bad-trailers": "a commit has kesu trailers that do not parse (missing, repeated or invalid values)",
    "multi-case": "a commit changes more than one case, or a case other than the one its trailers name",
    "foreign-file": "a step commit also changes files other than its case file and its library entry",
    "bad-import": "an 'Action: import' commit changes an existing case, or adds one whose timeline "
                  "is not a legal walk",
    "merge-edit": "a merge commit changes a case file beyond what its parents had",
    "illegal-transition": "the transition table does not allow the action from the case's state",
    "from-mismatch": "the From trailer is not the state the case was in before the commit",
    "state-mismatch": "the case's state after the commit is not the To trailer",
    "timeline-mismatch": "the timeline did not grow by exactly one entry equal to the trailers, "
                         "or earlier entries changed",
    "foreign-section": "the commit changes sections its action does not write",
    REFUSED: "replayed under the policy of the commit's parent, the step is not allowed "
             "(an approval limit, a role, the order of steps)",
    MISMATCH: "the case file the commit wrote differs from what its step makes of the version "
              "before it (a changed amount, a forged approval, a rewritten record)",
    "policy-unrecorded": "kesu.yaml was changed other than by 'kesu policy edit'",
    "policy-refused": "a policy change by someone the policy before it does not allow, or one "
                      "serving its author without a second person's approval",
    "step-dropped": "a step in the history is missing from its case at HEAD (a merge kept one "
                    "side and dropped the other's step)",
    "rewritten": "the tip recorded by 'kesu audit --anchor' is no longer in HEAD's history",
    "time-reversed": "a commit is dated before its parent (a forged committer date)",
    "replaced": "refs/replace/ holds replacements, which make git show other objects than "
                "those stored",
    "interrupted": "a kesu step was cut off before its commit (killed, power lost): the work tree "
                   "holds a change the history does not; the next kesu step finishes or undoes it",
    "unreadable": "the case file the commit wrote is not a readable YAML mapping",
    "deleted": "a case file was deleted",
    "renamed": "a case file was renamed or moved",
    "id-reused": "a case file was added at a path that existed earlier, or an ID lives under two paths",
    "future-event": "the step's time (At) is later than the commit time, beyond the clock skew allowed",
    "backdated": "the step's time (At) is earlier than the commit time by more than the maximum back-dating",
    "unsigned": "with --require-signed: a kesu commit carries no signature git could check",
    "bad-signature": "with --require-signed: git verify-commit does not accept the commit's signature",
    "signer-mismatch": "with --require-signed: the signer is not the actor's key or e-mail in the roster",
    "evidence-missing": "an evidence file a case records is not at HEAD",
    "evidence-altered": "an evidence file at HEAD is not the one attached (its SHA-256 differs from "
                        "the one its case records)",
    "evidence-unrecorded": "a file under evidence/ is not recorded by any case's attach step",
}

#: How far an event may lie after its commit: the clocks of two machines
#: disagree a little, and kesu itself accepts ``--at`` this far ahead.
CLOCK_SKEW = FUTURE_TOLERANCE

_CASE_PATH = re.compile(r"^cases/(?:.*/)?([^/]+)\.yaml$")


@dataclass(frozen=True)
class Finding:
    commit: str
    case: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.commit} {self.case} {self.rule}: {self.message}"

    def as_dict(self) -> dict:
        return {"commit": self.commit, "case": self.case, "rule": self.rule,
                "message": self.message}


def case_of(path: str | None) -> str | None:
    """The case ID of a case file's path, or None for any other path."""
    match = _CASE_PATH.match(path or "")
    return match.group(1) if match else None


def entry_key(entry: Any) -> Any:
    """One timeline entry as a comparable value: the step's identity as kesu sync
    sees it (``team.union.step_key``); an entry that is no mapping, as itself."""
    import json

    from kesu.team.union import step_key

    if isinstance(entry, dict):
        return step_key(entry)
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
