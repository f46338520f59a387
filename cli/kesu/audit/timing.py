"""The audit's checks of when a step happened and who signed it: a step's time
against its commit's (clock skew, back-dating) and, with --require-signed, the
commit's signature against the actor's key in the roster. Part of ``rules.Checks``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kesu.audit.findings import CLOCK_SKEW
from kesu.audit.signatures import SIGNATURE_STATUS, git_accepts, signer_problem
from kesu.githistory import Commit
from kesu.i18n import _
from kesu.trailers import Trailers
from kesu.values import format_span


class TimeChecks:
    """Needs of its host: ``_add``, ``policy_at``, ``max_backdate``, ``require_signed``,
    ``ssh_unverifiable``."""

    def _check_time(self, commit: Commit, step: Trailers, case: str) -> None:
        when = step.when
        # A step kesu sync carried over was first recorded on its desk (Recorded);
        # its back-dating is measured from there, and that time from the commit.
        recorded = step.first_recorded
        if recorded is not None and recorded - commit.committed > CLOCK_SKEW:
            self._add(commit, case, "future-event",
                      _("Recorded {recorded} is after the commit time {committed}").format(
                          recorded=step.recorded, committed=_local(commit.committed, recorded)))
        reference = recorded or commit.committed
        named = _("the time it was first recorded") if recorded else _("the commit time")
        ahead = when - reference
        if ahead > CLOCK_SKEW:
            self._add(commit, case, "future-event",
                      _("At {at} is {span} after {named} {reference} (clock skew allowed: {skew})").format(
                          at=step.at, span=_human(ahead), named=named, reference=_local(reference, when),
                          skew=_human(CLOCK_SKEW)))
        elif -ahead > (limit := self.max_backdate(self.policy_at(commit))):
            self._add(commit, case, "backdated",
                      _("At {at} is {span} before {named} {reference}; at most {limit} is expected "
                        "(--max-backdate, kesu.yaml audit.max_backdate)").format(
                          at=step.at, span=_human(ahead), named=named, reference=_local(reference, when),
                          limit=_human(limit)))

    def _check_signature(self, commit: Commit, step: Trailers, case: str,
                         policy=None) -> None:
        if not self.require_signed:
            return
        status = commit.signature
        if status == "N":
            hint = (_(" (or git could not check it: gpg.ssh.allowedSignersFile is not set)")
                    if self.ssh_unverifiable else "")
            self._add(commit, case, "unsigned", _("the commit is not signed{hint}; --require-signed wants every step "
                                                  "signed").format(hint=hint))
            return
        if not git_accepts(status, commit.signer):
            meaning = _(SIGNATURE_STATUS[status]) if status in SIGNATURE_STATUS else repr(status)
            self._add(commit, case, "bad-signature",
                      _("git verify-commit does not accept it: {meaning} (%G? = {status})").format(
                          meaning=meaning, status=status))
            return
        problem = signer_problem(policy or self.policy_at(commit), step.actor, commit.signer,
                                 commit.key, commit.fingerprint, trusted=status == "G")
        if problem:
            self._add(commit, case, "signer-mismatch", problem)


def _local(moment: datetime, like: datetime) -> str:
    """A commit time in the zone of the step's own time, so the two read side by side."""
    return moment.astimezone(like.tzinfo).isoformat(timespec="seconds")


def _human(delta: timedelta) -> str:
    return format_span(delta.total_seconds(), translate=True)
