"""``kesu sync [REMOTE]``: fetch, carry this desk's steps onto the remote's tip, push.

The order matters. The carried commits are built off to the side
(``carry.Carrier``) and pushed first; only when the remote has taken them does
this clone's branch move to them. So a clash, a refused push or a network
failure leaves this clone exactly as it was, and nothing half-done reaches
the remote. When someone else pushed between our fetch and our push, the
remote refuses ours (never forced); sync fetches again and carries the same
local commits onto the new tip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kesu import gitconfig, gitio
from kesu.errors import ArchiveError, GitError, UsageError
from kesu.i18n import _
from kesu.team.carry import Carrier, Resolution

#: How often sync carries its steps onto a tip that moved while it pushed.
ATTEMPTS = 5
#: Where sync notes when it last succeeded, for ``list`` and ``overdue``.
MARKER = "kesu-last-sync.json"


@dataclass
class SyncResult:
    remote: str
    branch: str
    #: What happened: "up to date", "fast-forward", "pushed", "carried"
    outcome: str
    head: str
    received: int = 0
    pushed: int = 0
    attempts: int = 1
    #: (original short id, new short id or None, what happened), for the report
    commits: list[tuple[str, str | None, str]] = field(default_factory=list)
    renumbered: dict[str, str] = field(default_factory=dict)


def refuse_unsafe(root: Path) -> str:
    """The branch to sync, after refusing what sync must not run on."""
    from kesu.record import refuse_unsafe_state

    refuse_unsafe_state(root)
    branch = gitio.current_branch(root)
    changed = gitio.tracked_changes(root)
    if changed:
        listed = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
        raise ArchiveError(_("uncommitted changes in {files}; commit them (or 'git stash') before 'kesu sync'").format(
            files=listed))
    return branch


def upstream_of(root: Path, branch: str, remote: str | None) -> tuple[str, str]:
    """(remote, branch on it): the one given, else the branch's upstream, else the only
    remote (or origin), with the same branch name."""
    configured = gitconfig.config_get(root, f"branch.{branch}.remote")
    merge = gitconfig.config_get(root, f"branch.{branch}.merge") or ""
    names = gitconfig.remotes(root)
    chosen = remote or configured or ("origin" if "origin" in names else
                                      names[0] if len(names) == 1 else None)
    if chosen is None:
        raise UsageError(_("this clone has no remote to sync with") if not names else
                         _("which remote? this clone has {names}: 'kesu sync REMOTE'").format(names=", ".join(names)))
    if chosen not in names:
        raise UsageError(_("no remote named {name!r}; this clone has {names} ('git remote add NAME URL' adds one)").format(
            name=chosen, names=", ".join(names) or _("none")))
    if chosen == configured and merge.startswith("refs/heads/"):
        return chosen, merge[len("refs/heads/"):]
    return chosen, branch


def sync(archive, remote: str | None = None, progress: bool = False,
         resolution: Resolution = Resolution()) -> SyncResult:
    root = archive.root
    branch = refuse_unsafe(root)
    with archive.lock():
        name, theirs = upstream_of(root, branch, remote)
        for attempt in range(1, ATTEMPTS + 1):
            from kesu import gitremote

            gitremote.fetch(root, name, progress)
            result = _attempt(archive, name, branch, theirs, progress, resolution)
            if result is not None:
                result.attempts = attempt
                remember_sync(root, name, result.head)
                _track(root, branch, name, theirs)
                return result
    raise GitError(_("{name} kept moving: {count} pushes in a row found newer steps there; run 'kesu sync' again "
                     "in a moment").format(name=name, count=ATTEMPTS))


def _attempt(archive, remote: str, branch: str, theirs: str, progress: bool,
             resolution: Resolution) -> SyncResult | None:
    """One fetch-carry-push round; None when the remote moved before our push."""
    root = archive.root
    head = gitio.head(root)
    tip = gitio.rev_parse(root, f"refs/remotes/{remote}/{theirs}")
    if head is None:
        raise ArchiveError(_("this clone has no commits yet; 'kesu clone URL' starts one from the remote"))
    if tip is None or gitio.is_ancestor(root, tip, head):
        if head == tip:
            return SyncResult(remote, branch, "up to date", head)
        pushed = _count(root, tip, head)
        if not _push(root, remote, head, theirs, tip, progress):
            return None
        return SyncResult(remote, branch, "pushed", head, pushed=pushed)
    if gitio.is_ancestor(root, head, tip):
        received = _count(root, head, tip)
        gitio.fast_forward(root, tip)
        return SyncResult(remote, branch, "fast-forward", tip, received=received)
    carried = Carrier(archive, tip, head, remote, resolution).run()
    received = _count(root, gitio.merge_base(root, head, tip), tip)
    done = [(c.short, new[:10] if new else None, what) for c, new, what in carried.commits]
    pushed = sum(1 for _case, new, _sha in done if new)
    if carried.head != tip and not _push(root, remote, carried.head, theirs, tip, progress):
        return None
    gitio.move_branch(root, branch, carried.head)
    return SyncResult(remote, branch, "carried", carried.head, received, pushed, commits=done,
                      renumbered=carried.renumbered)


def _push(root: Path, remote: str, commit: str, theirs: str, tip: str | None,
          progress: bool) -> bool:
    """Push; False when the remote moved meanwhile (fetch and carry again)."""
    from kesu import gitremote

    pushed = gitremote.push(root, remote, commit, theirs, progress)
    if pushed.ok or pushed.stale:
        return pushed.ok
    gitremote.fetch(root, remote, progress)
    if gitio.rev_parse(root, f"refs/remotes/{remote}/{theirs}") != tip:
        return False
    raise GitError(_("{remote} refused the push: {summary}; nothing was pushed, and this clone is as it was").format(
        remote=remote, summary=pushed.summary))


def _count(root: Path, since: str | None, until: str) -> int:
    revs = [f"{since}..{until}"] if since else [until]
    return int(gitio.run(root, "rev-list", "--count", *revs).strip() or 0)


def _track(root: Path, branch: str, remote: str, theirs: str) -> None:
    """Make ``remote/theirs`` the branch's upstream when it has none (first sync)."""
    if not gitconfig.config_get(root, f"branch.{branch}.remote"):
        gitconfig.config_set(root, f"branch.{branch}.remote", remote)
        gitconfig.config_set(root, f"branch.{branch}.merge", f"refs/heads/{theirs}")


def remember_sync(root: Path, remote: str, head: str) -> None:
    marker = gitio.git_dir(root) / MARKER
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    marker.write_text(json.dumps({"remote": remote, "at": stamp, "head": head}) + "\n",
                      encoding="utf-8")


def last_sync(root: Path) -> tuple[str, datetime] | None:
    """(remote, when) of this clone's last successful sync, or None."""
    try:
        data = json.loads((gitio.git_dir(root) / MARKER).read_text(encoding="utf-8"))
        return data["remote"], datetime.fromisoformat(data["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
