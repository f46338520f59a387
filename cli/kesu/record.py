"""Recording a step: lock, apply it through the engine, write, commit — all or nothing.

Every command that changes a case ends here, so the rules of DESIGN §5 hold
in one place: the lock, the refusal to overwrite hand edits, one commit with
kesu's trailers, and the rollback that leaves files, index and HEAD as they
were when anything fails (a hook, signing, a full disk, Ctrl-C). What a step
does to the case is the engine's business (``engine.apply``); this module
adds only what needs the world: the clock, the files and git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable, Union

from kesu import engine, gitconfig, gitio, journal, trailers, yamlio
from kesu.archive import Archive, write_atomic, write_new
from kesu.casefile import case_text, load_case
from kesu.config import default_setting, wall_duration
from kesu.errors import ArchiveError, UsageError
from kesu.i18n import N_, _
from kesu.values import as_set, dig, parse_time


@dataclass
class Recorded:
    case_id: str
    action: str
    from_state: str | None
    to_state: str
    commit: str
    path: str


#: How far in the future ``--at`` may lie by default (clock skew between machines);
#: ``future_tolerance`` in kesu.yaml sets it for an archive.
FUTURE_TOLERANCE: timedelta = wall_duration(default_setting("future_tolerance"), "future_tolerance")

#: A step, or a function that makes one from the case's current text (``kesu edit``
#: shows the text to an editor first).
StepSource = Union[engine.Step, Callable[[str], engine.Step]]
#: Files a step renders besides the case (library entries), from the new case.
ExtraFiles = Callable[[dict], dict[str, str]]


#: The case files' merge driver (``kesu setup``); a clone whose .git/config
#: lacks it is not set up.
MERGE_DRIVER = "kesu"
MERGE_DRIVER_SECTION = f'merge "{MERGE_DRIVER}"'


#: git's operations under way, as a sentence names them (the git command stays in Chinese).
_OPERATIONS_SAID = {"merge": N_("a merge"), "rebase": N_("a rebase"), "cherry-pick": N_("a cherry-pick"),
                    "revert": N_("a revert")}


def refuse_unsafe_state(root: Path) -> None:
    """Refuse to change anything while git is in the middle of something, on a
    detached HEAD, or in a clone that is not set up for working together.

    A step committed during a merge or rebase would mix with its resolution
    (and git refuses a partial commit then anyway); on a detached HEAD it
    would be lost on the next checkout. Files only, no git process: every
    step asks.
    """
    operation = gitio.operation_in_progress(root)
    if operation:
        raise ArchiveError(_("{operation} is in progress; finish it or abort it ('git status' says how) "
                             "before kesu changes anything").format(operation=_(_OPERATIONS_SAID[operation])))
    if gitio.head(root) is not None and gitio.current_branch(root) is None:
        raise ArchiveError(_("HEAD is detached (not on a branch); 'git switch main' (or your "
                             "branch) before kesu changes anything"))
    if gitconfig.has_remote(root) and not gitconfig.has_local_config(root, MERGE_DRIVER_SECTION, "driver"):
        raise ArchiveError(_("this clone is not set up for working together (no merge driver for "
                             "case files); run 'kesu setup' once, then try again"))


def check_actor(archive: Archive, actor: str | None) -> str:
    if not actor:
        raise UsageError(_("who is doing this? give --actor NAME, set KESU_ACTOR, or set git's user.name"))
    archive.policy.member(actor)
    return actor


def check_not_future(archive: Archive, at: str | None, flag: str = "--at") -> None:
    """Refuse an event dated later than now plus the archive's ``future_tolerance``."""
    when = parse_time(at)
    if when is not None and when - archive.now() > archive.policy.future_tolerance:
        raise UsageError(_("{flag} {at} is in the future (more than {tolerance} ahead of this computer's "
                           "clock)").format(flag=flag, at=at, tolerance=as_set(archive.policy.setting("future_tolerance"))))


def record_step(archive: Archive, case_id: str, step: StepSource,
                extra_files: ExtraFiles | None = None) -> Recorded | None:
    """Apply ``step`` to ``case_id`` and commit it; None when a made step changes nothing."""
    rel = archive.case_relpath(case_id)
    refuse_unsafe_state(archive.root)
    with archive.lock():
        path = archive.existing_case_path(case_id)
        text = archive.read_text(path)
        staged = refuse_hand_edits(archive, rel, text)
        if callable(step):
            step = step(text)
            if step is None:
                return None
        check_actor(archive, step.actor)
        try:
            applied = engine.apply(load_case(text, rel), step, archive.policy)
        except engine.CaseContentError as exc:
            raise UsageError(exc.message, rel, exc.line) from None
        check_not_future(archive, step.at)
        files = {rel: case_text(applied.case), **(extra_files(applied.case) if extra_files else {})}
        sha = commit_files(archive, files, _message(case_id, step, applied), staged=staged)
    return Recorded(case_id, step.action, applied.from_state, applied.to_state, sha, rel)


def record_intake(archive: Archive, step: engine.Step,
                  check: Callable[[dict], None] | None = None) -> Recorded:
    """Write a brand-new case file as its first commit; ``check`` may refuse the new case."""
    refuse_unsafe_state(archive.root)
    check_actor(archive, step.actor)
    case_id = step.args["id"]
    rel = archive.case_relpath(case_id)
    applied = engine.apply(None, step, archive.policy)
    if check is not None:
        check(applied.case)
    check_not_future(archive, step.at)
    check_not_future(archive, dig(applied.case, "complaint", "occurred_at"), "--occurred-at")
    with archive.lock():
        if (archive.root / rel).exists():
            raise ArchiveError(_("already exists"), rel)
        sha = commit_files(archive, {rel: case_text(applied.case)},
                           _message(case_id, step, applied))
    return Recorded(case_id, "intake", None, applied.to_state, sha, rel)


def record_policy(archive: Archive, edit: Callable[[str], str], actor: str, at: str,
                  approver: str | None = None) -> str | None:
    """Let ``edit`` change kesu.yaml's text; check and commit it as a policy step.

    Returns the commit, or None when nothing changed. The change is judged
    by the policy in force before it (kesu.policychange)."""
    from kesu import policychange, yamlio
    from kesu.config import CONFIG_NAME
    from kesu.policycheck import policy_text_findings

    check_actor(archive, actor)
    check_not_future(archive, at)
    with archive.lock():
        before = archive.read_text(archive.root / CONFIG_NAME)
        staged = refuse_hand_edits(archive, CONFIG_NAME, before)
        after = edit(before)
        if after == before:
            return None
        findings = policy_text_findings(after)
        if findings:
            more = _(" (and {count} more)").format(count=len(findings) - 1) if len(findings) > 1 else ""
            raise UsageError(_("{problem}{more}; nothing was changed").format(problem=findings[0].message, more=more),
                             CONFIG_NAME, findings[0].line)
        new = yamlio.load(after, CONFIG_NAME)
        problems = policychange.change_problems(archive.policy, new, actor, approver)
        if problems:
            raise UsageError(_("{problem}{more}; nothing was changed").format(problem="; ".join(problems), more=""))
        changed = ",".join(policychange.changed_keys(archive.policy.data, new))
        message = trailers.policy_message(f"kesu.yaml: policy change by {actor}", actor, at,
                                          approver, f"changed={changed}")
        return commit_files(archive, {CONFIG_NAME: after}, message, staged=staged)


def _message(case_id: str, step: engine.Step, applied: engine.Applied) -> str:
    return trailers.step_message(case_id, step.action, applied.from_state, applied.to_state,
                                 step.actor, step.at, applied.details)


def refuse_hand_edits(archive: Archive, rel: str, text: str) -> list[str]:
    """Refuse to overwrite a case file that differs from its last commit.

    Returns what the user has staged, which the commit needs to know too.
    """
    staged = gitio.staged_paths(archive.root)
    if rel in staged or not gitio.index_matches(archive.root, rel, text.encode("utf-8")):
        if rel in staged or gitio.dirty_paths(archive.root, [rel]):
            raise ArchiveError(_("has uncommitted changes; commit them (or 'git checkout -- {path}') "
                                 "before kesu changes it").format(path=rel), rel)
    return staged


def commit_files(archive: Archive, files: dict[str, str], message: str,
                 staged: list[str] | None = None, bulk: bool = False) -> str:
    """Write ``files`` and commit them as one commit, or leave everything as it was.

    ``staged`` is what the user had staged, when the caller already asked git.
    ``bulk``: many new files at once (an import), each created as it is
    (``write_new``: no fsync and no rename each, which would cost more than
    everything else). The journal still removes them when kesu is killed; a
    power cut is left to git's own care of its objects, as for any commit.
    """
    root = archive.root
    refuse_unsafe_state(root)
    for rel, text in files.items():
        if rel.endswith(".yaml") and len(text.encode("utf-8")) > yamlio.MAX_BYTES:
            # kesu would refuse to read it back: the case would drop out of every command.
            raise UsageError(_("this step would make the file larger than {size} KiB, the most kesu reads; "
                               "nothing was changed").format(size=yamlio.MAX_BYTES // 1024), rel)
    before_head = gitio.head(root)
    new = [rel for rel in files if not (root / rel).exists()]
    try:
        journal.begin(root, list(files), before_head)
    except OSError as exc:
        journal.end(root)
        raise ArchiveError(_("cannot write the case: {reason}; nothing was changed").format(
            reason=exc.strerror or exc)) from None
    try:
        # all new (an import): git may take their bytes from us rather than read them back
        contents = {rel: text.encode("utf-8") for rel, text in files.items()} if len(new) == len(files) else None
        fresh = set(new) if bulk else set()
        for rel, text in files.items():
            if rel in fresh:
                write_new(root / rel, contents[rel] if contents else text)
            else:
                write_atomic(root / rel, text)
        sha = gitio.commit(root, list(files), message, new=new, staged=staged, contents=contents)
    except BaseException as exc:
        if gitio.head(root) != before_head:
            journal.end(root)
            raise  # the commit landed (e.g. Ctrl-C right after it): keep it
        journal.undo(root, list(files))  # renames only: works on a full disk too
        if isinstance(exc, OSError):
            raise ArchiveError(_("cannot write the case: {reason}; nothing was changed").format(
                reason=exc.strerror or exc)) from None
        raise
    journal.end(root)
    return sha

