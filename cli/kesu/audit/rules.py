"""The audit's rules: what one commit may do to ``cases/``, and the findings when it does more.

``Checks`` looks at the commits of the history one by one, oldest first;
it remembers the paths earlier commits added (an ID names one complaint
for ever). Rule codes are stable (scripts match on them); ``RULES``
documents each.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from kesu import lifecycle
from kesu.i18n import _
from kesu.audit.casereader import ParsedCase, Unreadable
from kesu.audit.findings import Finding, case_of, entry_key
from kesu.audit.stepreplay import carried_findings, replay_findings
from kesu.audit.timing import TimeChecks
from kesu.githistory import Change, Commit
from kesu.engine import Step, timeline_entry
from kesu.config import CONFIG_NAME
from kesu.policychange import change_problems
from kesu.trailers import IMPORT, INIT, POLICY, Trailers

def expected_entry(step: Trailers) -> dict:
    """The timeline entry a step's trailers announce."""
    return timeline_entry(Step(step.action, step.actor, step.at), step.from_state, step.to_state)


def entry_matches_step(entry: Any, expected: dict) -> bool:
    """Whether the timeline entry a commit added is the one its trailers announce.

    An entry holds what the trailers say (time, action, states, actor) and
    the step's arguments, which the trailers do not carry.
    """
    if isinstance(entry, dict) and "args" in entry:
        entry = {k: v for k, v in entry.items() if k != "args"}
    return entry == expected


#: Loads the case file of a blob id: ``(blob, previous version, expected new entry)``.
CaseLoader = Callable[..., ParsedCase]


class Checks(TimeChecks):
    """The checks on each commit of the history, given oldest first."""

    def __init__(self, policy, max_backdate: Callable[[Any], timedelta], require_signed: bool,
                 ssh_unverifiable: bool, keep_steps: bool, load_case: CaseLoader) -> None:
        self.policy = policy
        #: The policy in force before a commit (its parent's kesu.yaml); the replay judges by it.
        self.policy_at: Callable[[Commit], Any] = lambda commit: policy
        #: The policy a commit that changes kesu.yaml leaves (None: unreadable).
        self.policy_after: Callable[[Commit], Any] = lambda commit: None
        #: Why a merge's version of a case is not the union of both sides (None: it is).
        self.merged_by_kesu: Callable[[Commit, Change], str | None] = lambda commit, change: (
            "resolved by hand")
        self.max_backdate = max_backdate
        self.require_signed = require_signed
        #: git reports SSH signatures it cannot check as "N", like no signature.
        self.ssh_unverifiable = ssh_unverifiable
        self.keep_steps = keep_steps
        self._case = load_case
        self.findings: list[Finding] = []
        #: path -> short commit that added it (every case path ever seen)
        self.existed: dict[str, str] = {}
        #: case ID -> (path, short commit) where it first appeared
        self.id_paths: dict[str, tuple[str, str]] = {}
        #: (case, at, action, actor) -> the commits of those steps, when keep_steps
        self.step_commits: dict[tuple, list[str]] = {}
        #: case path -> [(entry key, trailers, short commit)] of every step recorded on it
        self.steps_on: dict[str, list[tuple[tuple, str]]] = {}
        #: case path -> the blob its last step left (history order)
        self.last_blob: dict[str, str] = {}
        #: case paths stepped on more than one line of history (merged since)
        self.branched: set[str] = set()
        #: case paths deleted or moved (reported as such, not as dropped steps)
        self.gone: set[str] = set()

    def _add(self, commit: Commit, case: str, rule: str, message: str) -> None:
        self.findings.append(Finding(commit.short, case, rule, message))

    # ---------------------------------------------------------- one commit
    def check(self, commit: Commit, step: Trailers | None, problem: str | None,
              compare: list[Change]) -> None:
        """Check one commit; ``step``/``problem`` are its trailers read strictly
        (kesu.trailers.parse), ``compare`` the case files whose versions its checks compare."""
        if len(commit.parents) > 1:
            for change in commit.changes:
                case = case_of(change.path)
                problem = case and self.merged_by_kesu(commit, change)
                if case and problem:
                    self._add(commit, case, "merge-edit",
                              _("the merge changes {path} beyond what either parent had ({problem}); two clones "
                                "changed this case: run kesu sync (or git pull with kesu's merge driver) instead "
                                "of resolving it by hand").format(path=change.path, problem=problem))
            return
        cases: list[Change] = []
        others: list[Change] = []
        for change in commit.changes:
            (cases if case_of(change.path) or case_of(change.new_path) else others).append(change)
        if not cases:
            if any(change.path == CONFIG_NAME for change in commit.changes):
                self._check_policy(commit, step, problem)
            return  # nothing under cases/ is a case file (a README, say)
        for change in cases:
            self._track(commit, change)
        live = [c for c in cases if c.status in ("A", "M", "T")]
        if step is None:
            rule = "bad-trailers" if problem else "no-trailers"
            message = (_("the trailers do not parse: {problem}").format(problem=problem) if problem else
                       _("changes the case without kesu's trailers (Case, Action, From, To, Actor, At): every "
                         "change to a case must be a kesu step"))
            for change in live:
                self._add(commit, case_of(change.path), rule, message)
            return
        if step.action == IMPORT:
            self._check_import(commit, step, live, others)
        else:
            self._check_step_commit(commit, step, cases, others, compare)

    def skip(self, commit: Commit) -> None:
        """A commit whose history is not here (a shallow clone's cut): only note its paths."""
        for change in commit.changes:
            if case_of(change.path):
                self.remember(change.path, commit.short)

    # ---------------------------------------------------------- paths
    def _track(self, commit: Commit, change: Change) -> None:
        """Deletions, renames and reused IDs: never legitimate, with or without trailers."""
        case = case_of(change.path)
        if change.status in ("D", "R"):
            self.gone.add(change.path)
        if change.status == "D":
            self._add(commit, case, "deleted",
                      _("{path} was deleted; kesu never deletes a case (close it instead)").format(path=change.path))
        elif change.status == "R":
            self._add(commit, case or case_of(change.new_path), "renamed",
                      _("{path} was renamed to {new_path}; a case keeps its path for life").format(
                          path=change.path, new_path=change.new_path))
            if case_of(change.new_path):
                self._check_new_path(commit, change.new_path, moved_from=change.path)
        elif change.status == "A":
            self._check_new_path(commit, change.path)
        else:
            self.remember(change.path, commit.short)

    def remember(self, path: str, short: str) -> None:
        """Note that ``path`` exists, added by commit ``short`` (unless known earlier)."""
        self.existed.setdefault(path, short)
        case = case_of(path)
        if case:
            self.id_paths.setdefault(case, (path, short))

    def _check_new_path(self, commit: Commit, path: str, moved_from: str | None = None) -> None:
        case = case_of(path)
        if moved_from and self.id_paths.get(case, ("",))[0] == moved_from:
            # The move itself is the finding ("renamed"); the ID now lives here.
            self.id_paths[case] = (path, commit.short)
        if path in self.existed:
            self._add(commit, case, "id-reused",
                      _("{path} is added again, but it existed earlier in history (added in {commit}); an ID "
                        "names one complaint for ever").format(path=path, commit=self.existed[path]))
        elif case in self.id_paths and self.id_paths[case][0] != path:
            other, where = self.id_paths[case]
            self._add(commit, case, "id-reused",
                      _("{path} is added, but the same ID already lives at {other} (added in {commit})").format(
                          path=path, other=other, commit=where))
        self.remember(path, commit.short)

    # ---------------------------------------------------------- a step
    def _check_step_commit(self, commit: Commit, step: Trailers, cases: list[Change],
                           others: list[Change], compare: list[Change]) -> None:
        touched = list(dict.fromkeys(case_of(c.path) or case_of(c.new_path) for c in cases))
        if touched != [step.case]:
            for case in touched:
                if case == step.case:
                    rest = ", ".join(c for c in touched if c != case)
                    message = _("the commit also changes {cases}; a step changes one case").format(cases=rest)
                else:
                    message = _("changed by a commit recorded as {action} of {case}; a step changes one case").format(
                        action=step.action, case=step.case)
                self._add(commit, case, "multi-case", message)
        allowed = {f"library/{step.case}.md"}
        if step.action == "attach":  # the evidence file comes with its step; never replaced
            allowed |= {c.path for c in others if c.status == "A"
                        and c.path.startswith(f"evidence/{step.case}/")}
        self._check_others(commit, step.case, others, allowed=allowed)
        for change in compare:
            self._check_diff(commit, step, change)
            if change.path in self.last_blob and change.old != self.last_blob[change.path]:
                self.branched.add(change.path)  # two lines of history stepped this case
            self.last_blob[change.path] = change.new
        self._check_time(commit, step, step.case)
        self._check_signature(commit, step, step.case)
        if self.keep_steps:
            self.step_commits.setdefault((step.case, step.at, step.action, step.actor),
                                         []).append(commit.short)

    def _check_others(self, commit: Commit, case: str, others: list[Change],
                      allowed: set[str]) -> None:
        allowed = allowed | {"library/README.md"}
        foreign = {path for c in others for path in (c.path, c.new_path)
                   if path and path not in allowed}
        if foreign:
            self._add(commit, case, "foreign-file",
                      _("the commit also changes {files}; a step commits only its case file (and "
                        "library/{case}.md, library/README.md)").format(files=", ".join(sorted(set(foreign))), case=case))

    def _check_diff(self, commit: Commit, step: Trailers, change: Change) -> None:
        case = step.case
        try:
            before = self._case(change.old) if change.old else None
        except Unreadable:
            return  # the commit that wrote it was reported (or lies before --since)
        expected = expected_entry(step)
        try:
            after = self._case(change.new, before, expected)
        except Unreadable as exc:
            self._add(commit, case, "unreadable", _("{path} as committed is unreadable: {reason}").format(
                path=change.path, reason=exc))
            return
        if before is not None and after.sections.get("timeline"):
            carried = carried_findings(step.action, before.sections, after.sections,
                                       self.policy_at(commit))
            if carried is not None:
                # kesu sync put this step inside the timeline, among steps recorded
                # elsewhere meanwhile: checked as the union of both, replayed.
                for rule, message in carried:
                    self._add(commit, case, rule, message)
                self._remember_step(change, step, commit, after)
                return
        found_before = len(self.findings)
        state = before.sections.get("state") if before else None
        if step.action == "intake" and before is not None:
            self._add(commit, case, "illegal-transition",
                      _("intake of {path}, which already exists (state {state})").format(path=change.path, state=state))
        elif before is None and step.action != "intake":
            self._add(commit, case, "illegal-transition",
                      _("{path} appears with a {action} step; a case starts with intake").format(
                          path=change.path, action=step.action))
        elif not lifecycle.is_legal(step.action, state, step.to_state):
            allowed = ", ".join(lifecycle.actions_from(state)) if state else "intake"
            self._add(commit, case, "illegal-transition",
                      _("{action} from {state} to {to_state} is not in the transition table (allowed from "
                        "{state}: {allowed})").format(action=step.action, state=state, to_state=step.to_state,
                                                      allowed=allowed))
        if before is not None and step.action != "intake" and step.from_state != state:
            self._add(commit, case, "from-mismatch",
                      _("From: {from_state}, but the case was {state} before this commit").format(
                          from_state=step.from_state, state=state))
        if after.sections.get("state") != step.to_state:
            self._add(commit, case, "state-mismatch",
                      _("To: {to_state}, but the case's state after the commit is {state}").format(
                          to_state=step.to_state, state=after.sections.get("state")))
        self._check_timeline(commit, step, expected, before, after)
        self._remember_step(change, step, commit, after)
        self._check_sections(commit, step, before, after)
        if len(self.findings) == found_before:
            # Nothing the shape of the commit gives away: replay the step itself.
            for rule, message in replay_findings(step.action, before.sections if before else None,
                                                 after.sections, self.policy_at(commit)):
                self._add(commit, case, rule, message)

    def _remember_step(self, change: Change, step: Trailers, commit: Commit,
                       after: ParsedCase) -> None:
        """Note the entry this commit recorded, to find it again in the case at HEAD."""
        timeline = after.sections.get("timeline")
        if not isinstance(timeline, list) or not timeline:
            return
        before = self.steps_on.get(change.path, [])
        known = {key for key, _, _ in before}
        added = [e for e in timeline if entry_key(e) not in known]
        entry = next((e for e in added if isinstance(e, dict) and e.get("at") == step.at
                      and e.get("action") == step.action), timeline[-1])
        self.steps_on.setdefault(change.path, []).append((entry_key(entry), step, commit.short))

    def _check_timeline(self, commit: Commit, step: Trailers, expected: dict,
                        before: ParsedCase | None, after: ParsedCase) -> None:
        old = before.sections.get("timeline") if before else []
        new = after.sections.get("timeline")
        shown = _entry_text(expected)
        if not isinstance(new, list) or not isinstance(old or [], list):
            self._add(commit, step.case, "timeline-mismatch",
                      _("the timeline is not a list; expected it to end with {entry}").format(entry=shown))
            return
        old = old or []
        changed = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), None)
        if changed is not None or len(new) < len(old):
            where = (_("entry {number}").format(number=changed + 1) if changed is not None
                     else _("entries were removed"))
            self._add(commit, step.case, "timeline-mismatch",
                      _("earlier timeline entries were changed ({where}); the timeline is append-only").format(
                          where=where))
        elif len(new) != len(old) + 1:
            self._add(commit, step.case, "timeline-mismatch",
                      _("the timeline grew by {count} entries; a step adds exactly one: {entry}").format(
                          count=len(new) - len(old), entry=shown))
        elif not entry_matches_step(new[-1], expected):
            self._add(commit, step.case, "timeline-mismatch",
                      _("the new timeline entry {entry} does not match the trailers: expected {expected}").format(
                          entry=_entry_text(new[-1]), expected=shown))

    def _check_sections(self, commit: Commit, step: Trailers, before: ParsedCase | None,
                        after: ParsedCase) -> None:
        writes = lifecycle.TABLE[step.action].writes
        allowed = set(writes) | set(lifecycle.BOOKKEEPING)
        base = before or ParsedCase({}, {})
        keys = list(dict.fromkeys([*base.sections, *after.sections]))
        foreign = [k for k in keys if k not in allowed and not base.same(after, k)]
        if foreign:
            self._add(commit, step.case, "foreign-section",
                      _("{action} may write {sections} (plus state, timeline), but the commit also changes "
                        "{foreign}").format(action=step.action, sections=", ".join(writes), foreign=", ".join(foreign)))

    # ---------------------------------------------------------- the policy
    def _check_policy(self, commit: Commit, step: Trailers | None, problem: str | None) -> None:
        """A change to kesu.yaml is a step: recorded by kesu, by someone allowed, seconded
        when it serves its author."""
        if step is not None and step.action == INIT and not commit.parents:
            return
        if step is None or step.action != POLICY:
            why = (_("its trailers do not parse: {problem}").format(problem=problem) if problem else
                   _("it is recorded as {action}").format(action=step.action) if step
                   else _("it has no kesu trailers"))
            self._add(commit, "-", "policy-unrecorded",
                      _("kesu.yaml was changed outside 'kesu policy edit' ({why})").format(why=why))
            return
        after = self.policy_after(commit)
        if after is None:
            self._add(commit, "-", "policy-unrecorded", _("the kesu.yaml it commits is unreadable"))
            return
        for reason in change_problems(self.policy_at(commit), after.data, step.actor,
                                      step.approver):
            self._add(commit, "-", "policy-refused", _("{actor}'s change of kesu.yaml: {reason}").format(
                actor=step.actor, reason=reason))
        self._check_time(commit, step, "-")
        # Judged by the identities the change leaves, so the commit that first pins
        # its author's key can be checked; pinning one's own key needs a second person.
        self._check_signature(commit, step, "-", after)

    # ---------------------------------------------------------- an import
    def _check_import(self, commit: Commit, step: Trailers, live: list[Change],
                      others: list[Change]) -> None:
        from kesu.casechecks import timeline_findings

        added = [c for c in live if c.status == "A"]
        for change in live:
            if change.status != "A":
                self._add(commit, case_of(change.path), "bad-import",
                          _("an import may only add case files, but it changes {path}").format(path=change.path))
        for change in added:
            case = case_of(change.path)
            try:
                document = self._case(change.new)
            except Unreadable as exc:
                self._add(commit, case, "unreadable", _("{path} as imported is unreadable: {reason}").format(
                    path=change.path, reason=exc))
                continue
            problems = timeline_findings(document.sections)
            if problems:
                self._add(commit, case, "bad-import",
                          _("the imported timeline is not a legal walk: {problems}").format(
                              problems="; ".join(message for _key, message in problems)))
            if self.keep_steps:
                self._keep_imported_steps(commit, case, document)
        first = case_of(added[0].path) if added else (case_of(live[0].path) if live else "-")
        allowed = {f"library/{case_of(c.path)}.md" for c in added}
        self._check_others(commit, first, others, allowed)
        for change in added or live[:1]:
            self._check_time(commit, step, case_of(change.path))
            self._check_signature(commit, step, case_of(change.path))

    def _keep_imported_steps(self, commit: Commit, case: str, document: ParsedCase) -> None:
        for entry in document.sections.get("timeline") or []:
            if isinstance(entry, dict):
                self.step_commits.setdefault(
                    (case, str(entry.get("at")), entry.get("action"), entry.get("by")),
                    []).append(commit.short)


def _entry_text(entry: Any) -> str:
    if not isinstance(entry, dict):
        return repr(entry)
    return "{" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}"
