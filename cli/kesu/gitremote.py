"""Talking to a remote: clone, fetch, push — part of kesu's git module.

These are the slow, networked git commands, so they show progress on a
terminal; GitPython reads git's progress lines for that. Only ``kesu clone``
and ``kesu sync`` import this module: importing GitPython costs more than a
whole step, so it stays off the single-step path (gitio drives the git
command line directly).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from kesu.errors import GitError

#: How long one fetch, push or clone may take before kesu gives up on it.
TIMEOUT_SECONDS = 600


def _progress(show: bool):
    """A GitPython progress printer writing one updating line to stderr, or None."""
    if not show:
        return None
    from git import RemoteProgress

    class Printer(RemoteProgress):
        def update(self, op_code, cur_count, max_count=None, message=""):
            stage = self._cur_line.split(":", 1)[0].strip() if self._cur_line else "working"
            share = f"{100 * cur_count / max_count:3.0f}%" if max_count else f"{cur_count:.0f}"
            end = "\n" if op_code & RemoteProgress.END else ""
            sys.stderr.write(f"\r{stage}: {share} {message or ''}".rstrip() + end)
            sys.stderr.flush()

    return Printer()


def _explain(exc) -> str:
    """The telling line of git's complaint inside a GitPython error."""
    text = str(getattr(exc, "stderr", "") or exc)
    lines = []
    for line in text.splitlines():
        line = line.strip().removeprefix("stderr:").strip().strip("'").strip()
        if line:
            lines.append(line)
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else str(exc)


def _repo(root: Path):
    import git

    try:
        return git.Repo(root)
    except git.exc.GitError as exc:  # not a repository
        raise GitError(f"{root} is not a git repository: {exc}") from None


def clone(url: str, target: Path, progress: bool) -> None:
    import git

    try:
        git.Repo.clone_from(url, str(target), progress=_progress(progress),
                            kill_after_timeout=TIMEOUT_SECONDS)
    except git.exc.GitCommandError as exc:
        raise GitError(f"git clone {url} failed: {_explain(exc)}") from None


def fetch(root: Path, remote: str, progress: bool) -> None:
    """Fetch ``remote``'s branches into its remote-tracking refs."""
    import git

    repo = _repo(root)
    try:
        repo.remote(remote).fetch(progress=_progress(progress), kill_after_timeout=TIMEOUT_SECONDS)
    except ValueError:
        raise GitError(f"no remote named {remote!r}; 'git remote -v' lists this clone's remotes") from None
    except git.exc.GitCommandError as exc:
        raise GitError(f"git fetch {remote} failed: {_explain(exc)}") from None


@dataclass(frozen=True)
class Pushed:
    ok: bool
    #: True when the remote had moved on (someone pushed first): fetch and try again.
    stale: bool
    summary: str


#: The ref a push goes out from (GitPython reports on a push of a ref, not of a bare commit id).
PUSH_REF = "refs/kesu/outgoing"


def push(root: Path, remote: str, commit: str, branch: str, progress: bool) -> Pushed:
    """Push ``commit`` to ``branch`` on ``remote``, never forcing."""
    import git
    from git.remote import PushInfo

    from kesu import gitio

    repo = _repo(root)
    gitio.run(root, "update-ref", "--no-deref", PUSH_REF, commit)
    try:
        infos = repo.remote(remote).push(f"{PUSH_REF}:refs/heads/{branch}",
                                         progress=_progress(progress),
                                         kill_after_timeout=TIMEOUT_SECONDS)
    except ValueError:
        raise GitError(f"no remote named {remote!r}; 'git remote -v' lists this clone's remotes") from None
    except git.exc.GitCommandError as exc:
        raise GitError(f"git push {remote} failed: {_explain(exc)}") from None
    finally:
        gitio.run(root, "update-ref", "-d", PUSH_REF, check=False)
    if not infos:
        error = getattr(infos, "error", None)
        raise GitError(f"git push {remote} failed: {_explain(error) if error else 'no answer'}")
    info = infos[0]
    if info.flags & PushInfo.REJECTED:
        return Pushed(False, True, info.summary.strip())
    if info.flags & (PushInfo.ERROR | PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE):
        raise GitError(f"the remote {remote} refused the push: {info.summary.strip()}")
    return Pushed(True, False, info.summary.strip())
