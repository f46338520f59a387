"""Driving the audit over the history: read it, fetch the blobs, check each commit.

The history comes from one ``git log`` (githistory.read_history). Before
checking anything, every commit is planned: its trailers are read and the
case files its checks compare are listed, so that all the blobs come from
one ``git cat-file --batch`` process and each is dropped as soon as no later
commit needs it, keeping memory flat on a long history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kesu import gitconfig, gitio, lifecycle, yamlio
from kesu.i18n import _
from kesu.config import CONFIG_NAME, Policy
from kesu.audit.casereader import CaseReader, ParsedCase, Unreadable
from kesu.audit.evidence import evidence_findings
from kesu.audit.history import anchor_findings, dropped_steps, history_findings
from kesu.audit.findings import Finding, case_of
from kesu.audit.rules import Checks
from kesu.audit.stepreplay import merge_findings
from kesu.errors import GitError, UsageError
from kesu.githistory import SHORT, Change, Commit, paths_added, read_history
from kesu.trailers import IMPORT, Trailers, parse as parse_trailers


@dataclass
class AuditResult:
    commits_checked: int
    findings: list[Finding]
    #: Filled when the caller asked to keep them (the report): each case's
    #: last committed content by case ID, and the commits of the steps keyed
    #: (case, at, action, actor), in history order: two steps can share a key
    #: (the same person notifying twice within a minute).
    cases: dict[str, dict] = field(default_factory=dict)
    step_commits: dict[tuple, list[str]] = field(default_factory=dict)
    head: str | None = None

    def as_dict(self) -> dict:
        """The documented JSON form: ``{"commits_checked": N, "findings": [...]}``."""
        return {"commits_checked": self.commits_checked,
                "findings": [f.as_dict() for f in self.findings]}


@dataclass
class Plan:
    """What a commit is, and which case files its checks compare, before any blob is fetched."""

    step: Trailers | None
    problem: str | None
    compare: list[Change] = field(default_factory=list)


class _Blobs:
    """The case files the checks compare, fetched in one batch and each parsed once."""

    def __init__(self) -> None:
        self.reader = CaseReader()
        self.blobs: dict[str, bytes | None] = {}
        self.parsed: dict[str, ParsedCase | None] = {}
        #: commit index -> blobs no commit after it compares
        self.drop_after: dict[int, list[str]] = {}

    def fetch(self, root, last_use: dict[str, int]) -> None:
        """Every blob in ``last_use`` (blob id -> index of the last commit that needs it)."""
        for oid, index in last_use.items():
            self.drop_after.setdefault(index, []).append(oid)
        names = list(last_use)
        self.blobs = dict(zip(names, gitio.read_objects(root, names)))

    def forget(self, index: int) -> None:
        """Drop blobs and parsed cases no commit after ``index`` compares."""
        for oid in self.drop_after.pop(index, ()):
            self.blobs.pop(oid, None)
            self.parsed.pop(oid, None)

    def case(self, oid: str, previous: ParsedCase | None = None,
             expected_entry: dict | None = None) -> ParsedCase:
        if oid in self.parsed:
            cached = self.parsed[oid]
            if cached is None:
                raise Unreadable(_("unreadable"))
            return cached
        data = self.blobs.get(oid)
        if data is None:
            raise Unreadable(_("blob {oid} is missing from the repository").format(oid=oid[:SHORT]))
        try:
            case = self.reader.read(data, previous, expected_entry)
        except Unreadable:
            self.parsed[oid] = None
            raise
        self.parsed[oid] = case
        return case


class Replay:
    def __init__(self, root, policy, since, case_id, case_path, require_signed, max_backdate,
                 keep_cases):
        self.root = root
        self.policy = policy
        self.since = since
        self.case_id = case_id
        self.case_path = case_path
        self.require_signed = require_signed
        self.max_backdate = max_backdate
        self.keep_cases = keep_cases
        self.blobs = _Blobs()
        self.final: dict[str, str | None] = {}

    def run(self) -> AuditResult:
        head = gitio.head(self.root)
        if head is None:
            return AuditResult(0, [])
        checks = Checks(self.policy, self.max_backdate, self.require_signed,
                        self.require_signed and self._ssh_unverifiable(), self.keep_cases,
                        self.blobs.case)
        commits = self._history(checks)
        before, after = self._policies(commits)
        checks.policy_at = lambda commit: before.get(commit.sha, self.policy)
        checks.policy_after = lambda commit: after.get(commit.sha)
        checks.merged_by_kesu = lambda commit, change: self._merge_problem(
            commit, change, before.get(commit.sha, self.policy))
        shallow = gitio.shallow_commits(self.root)
        plans = [_plan(commit, shallow) for commit in commits]
        self._fetch(commits, plans)
        for index, (commit, plan) in enumerate(zip(commits, plans)):
            if commit.sha in shallow:
                # A shallow clone's oldest commit shows every file as new: its
                # history is not here to check, so the replay starts after it.
                checks.skip(commit)
            else:
                checks.check(commit, plan.step, plan.problem, plan.compare)
            self.blobs.forget(index)
        history_findings(self.root, self.since, commits, checks)
        dropped_steps(self.root, checks)
        anchor_findings(self.root, checks)
        evidence_findings(self.root, plans, checks)
        result = AuditResult(len(commits), self._filtered(checks.findings), head=head)
        if self.keep_cases:
            result.cases = self._final_cases()
            result.step_commits = checks.step_commits
        return result

    def _history(self, checks: Checks) -> list[Commit]:
        """The commits to check; with ``--since``, the paths added before it are remembered."""
        path = self.case_path or "cases/"
        # The policy's history too: every change to it is a step the audit checks.
        paths = [path] if self.case_path else [path, CONFIG_NAME]
        try:
            commits = read_history(self.root, paths, self.since, self.require_signed)
            if self.since:
                for added, sha in paths_added(self.root, self.since, path).items():
                    checks.remember(added, sha[:SHORT])
        except GitError as exc:
            if self.since:
                raise UsageError(_("--since {since}: not a commit of this archive ({reason})").format(
                    since=self.since, reason=exc.message)) from None
            raise
        return commits

    def _policies(self, commits: list[Commit]) -> tuple[dict[str, Policy], dict[str, Policy]]:
        """The policy in force before each commit (its first parent's kesu.yaml), and
        after each commit that changes kesu.yaml.

        A step is judged by the rules of its day, so raising one's own limit
        in kesu.yaml does not make an earlier (or the same) step legal."""
        before_names = [f"{c.parents[0] if c.parents else c.sha}:{CONFIG_NAME}" for c in commits]
        changing = [c for c in commits if any(ch.path == CONFIG_NAME for ch in c.changes)]
        blobs = gitio.object_ids(self.root, before_names + [f"{c.sha}:{CONFIG_NAME}"
                                                            for c in changing])
        unique = sorted({b for b in blobs if b})
        policies: dict[str, Policy] = {}
        for oid, data in zip(unique, gitio.read_objects(self.root, unique)):
            try:
                loaded = yamlio.load(data or b"", CONFIG_NAME)
            except UsageError:
                continue  # an unreadable policy: judged by today's (validate reports it)
            if isinstance(loaded, dict):
                policies[oid] = Policy(loaded)
        before = {c.sha: policies[b] for c, b in zip(commits, blobs) if b in policies}
        after = {c.sha: policies[b] for c, b in zip(changing, blobs[len(commits):])
                 if b in policies}
        return before, after

    def _merge_problem(self, commit: Commit, change: Change, policy) -> str | None:
        """Why a merge's version of a case file is not the union of both sides' steps
        (what kesu sync and kesu's merge driver make), or None when it is."""
        ours, theirs = commit.parents[:2]
        base = gitio.merge_base(self.root, ours, theirs)
        path = change.path
        names = [f"{rev}:{path}" for rev in (base, ours, theirs, commit.sha) if rev]
        texts = dict(zip(names, gitio.read_objects(self.root, names)))

        def version(rev: str | None) -> dict | None:
            data = texts.get(f"{rev}:{path}") if rev else None
            try:
                loaded = yamlio.load(data, path) if data else None
            except UsageError:
                return None
            return loaded if isinstance(loaded, dict) else None

        result = version(commit.sha)
        if result is None:
            return "the merged file is not a readable case"
        return merge_findings(version(base), version(ours), version(theirs), result, policy)

    def _ssh_unverifiable(self) -> bool:
        """git reports SSH signatures it cannot check as "N", like no signature."""
        return (gitconfig.config_get(self.root, "gpg.format") == "ssh" and not
                gitconfig.config_get(self.root, "gpg.ssh.allowedSignersFile"))

    def _filtered(self, findings: list[Finding]) -> list[Finding]:
        if not self.case_id:
            return findings
        return [f for f in findings if f.case == self.case_id]

    def _fetch(self, commits: list[Commit], plans: list[Plan]) -> None:
        """Every blob the checks compare (and the report's last versions), in one batch."""
        last_use: dict[str, int] = {}
        for index, plan in enumerate(plans):
            for change in plan.compare:
                for oid in (change.old, change.new):
                    if oid:
                        last_use[oid] = index
        if self.keep_cases:
            self.final = _last_versions(commits)
            for oid in self.final.values():
                if oid:
                    last_use[oid] = len(plans)  # kept to the end
        self.blobs.fetch(self.root, last_use)

    def _final_cases(self) -> dict[str, dict]:
        cases = {}
        for path, oid in sorted(self.final.items()):
            case = case_of(path)
            if not oid or not case or (self.case_id and case != self.case_id):
                continue
            try:
                cases[case] = self.blobs.case(oid).sections
            except Unreadable:
                continue
        return cases


def _plan(commit: Commit, shallow: set[str]) -> Plan:
    """What a commit is and which case files its checks compare, before fetching any."""
    step, problem = _read_step(commit.trailers)
    plan = Plan(step, problem)
    if len(commit.parents) > 1 or step is None or commit.sha in shallow:
        return plan
    for change in commit.changes:
        case = case_of(change.path)
        if case is None or change.status not in ("A", "M", "T"):
            continue
        if step.action == IMPORT or case == step.case:
            plan.compare.append(change)
    return plan


def _read_step(text: str) -> tuple[Trailers | None, str | None]:
    """A commit's trailers read strictly: ``(step, None)``, ``(None, None)`` without
    any, ``(None, problem)`` when they do not parse."""
    return parse_trailers(text, lifecycle.TABLE, lifecycle.STATES, _id_problem)


def _id_problem(case_id: str) -> str | None:
    from kesu import ids

    try:
        ids.parse_id(case_id)
    except UsageError as exc:
        return exc.message
    return None


def _last_versions(commits: list[Commit]) -> dict[str, str | None]:
    """Each case path's blob after the last commit that touched it (None: gone)."""
    final: dict[str, str | None] = {}
    for commit in commits:
        for change in commit.changes:
            if change.status == "R":
                final[change.path] = None
                final[change.new_path] = change.new
            elif case_of(change.path):
                final[change.path] = change.new
    return final
