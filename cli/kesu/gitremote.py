"""Talking to a remote: clone, fetch, push — part of kesu's git module.

These are the slow, networked git commands, so on a terminal they show
progress: GitPython runs them then and reads git's progress lines. Without a
terminal (scripts, CI, tests) there is nothing to show, and the git command
line is quicker by the cost of GitPython's own bookkeeping, so they run
through gitio quietly. Only ``kesu clone`` and ``kesu sync`` import this
module: importing GitPython costs more than a whole step, so it stays off the
single-step path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kesu import gitconfig
from kesu.errors import GitError
from kesu.i18n import _

#: How long one fetch, push or clone may take before kesu gives up on it.
TIMEOUT_SECONDS = 600


def _progress(show: bool):
    """A GitPython progress printer writing one updating line to stderr, or None."""
    if not show:
        return None
    from git import RemoteProgress

    class Printer(RemoteProgress):
        def update(self, op_code, cur_count, max_count=None, message=""):
            stage = self._cur_line.split(":", 1)[0].strip() if self._cur_line else _("working")
            share = f"{100 * cur_count / max_count:3.0f}%" if max_count else f"{cur_count:.0f}"
            end = "\n" if op_code & RemoteProgress.END else ""
            sys.stderr.write(_("{stage}: {share} {message}").format(stage=stage, share=share, message=message or "").rstrip()
                             .join(("\r", end)))
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
        raise GitError(_("{root} is not a git repository: {reason}").format(root=root, reason=exc)) from None


def clone(url: str, target: Path, progress: bool) -> None:
    if not progress:
        _quietly(target.parent, "clone", "-q", "--end-of-options", url, str(target))
        return
    import git

    try:
        git.Repo.clone_from(url, str(target), progress=_progress(progress),
                            kill_after_timeout=TIMEOUT_SECONDS)
    except git.exc.GitCommandError as exc:
        raise GitError(_("git clone {url} failed: {reason}").format(url=url, reason=_explain(exc))) from None


def fetch(root: Path, remote: str, progress: bool) -> None:
    """Fetch ``remote``'s branches into its remote-tracking refs."""
    if not progress:
        if remote not in gitconfig.remotes(root):
            raise GitError(_("no remote named {name!r}; 'git remote -v' lists this clone's remotes").format(name=remote))
        _quietly(root, "fetch", "-q", remote)
        return
    import git

    repo = _repo(root)
    try:
        repo.remote(remote).fetch(progress=_progress(progress), kill_after_timeout=TIMEOUT_SECONDS)
    except ValueError:
        raise GitError(_("no remote named {name!r}; 'git remote -v' lists this clone's remotes").format(name=remote)) from None
    except git.exc.GitCommandError as exc:
        raise GitError(_("git fetch {remote} failed: {reason}").format(remote=remote, reason=_explain(exc))) from None


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
    from kesu import gitio

    if not progress:
        _, out, err = run_network(root, "push", "--porcelain", remote,
                                        f"{commit}:refs/heads/{branch}", timeout=TIMEOUT_SECONDS)
        return _parse_porcelain(out, err, remote)
    import git
    from git.remote import PushInfo

    repo = _repo(root)
    gitio.run(root, "update-ref", "--no-deref", PUSH_REF, commit)
    try:
        infos = repo.remote(remote).push(f"{PUSH_REF}:refs/heads/{branch}",
                                         progress=_progress(progress),
                                         kill_after_timeout=TIMEOUT_SECONDS)
    except ValueError:
        raise GitError(_("no remote named {name!r}; 'git remote -v' lists this clone's remotes").format(name=remote)) from None
    except git.exc.GitCommandError as exc:
        raise GitError(_("git push {remote} failed: {reason}").format(remote=remote, reason=_explain(exc))) from None
    finally:
        gitio.run(root, "update-ref", "-d", PUSH_REF, check=False)
    if not infos:
        error = getattr(infos, "error", None)
        raise GitError(_("git push {remote} failed: {reason}").format(
            remote=remote, reason=_explain(error) if error else _("no answer")))
    info = infos[0]
    if info.flags & PushInfo.REJECTED:
        return Pushed(False, True, info.summary.strip())
    if info.flags & (PushInfo.ERROR | PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE):
        # Also what a remote answers when its branch moved between our look and our
        # update ("failed to update ref"); the caller fetches to tell the two apart.
        return Pushed(False, False, info.summary.strip())
    return Pushed(True, False, info.summary.strip())


def run_network(root: Path, *args: str, timeout: float) -> tuple[int, str, str]:
    """Run a git command that talks to a remote: (exit code, stdout, stderr), with a
    time limit; raises ``GitError`` only when it does not finish in time."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=timeout,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH")) from None
    except subprocess.TimeoutExpired:
        raise GitError(_("git {command} gave no answer within {seconds} s; is the remote reachable?").format(
            command=args[0], seconds=f"{timeout:.0f}")) from None
    return proc.returncode, proc.stdout, proc.stderr


def _quietly(root: Path, *args: str) -> None:
    code, _out, err = run_network(root, *args, timeout=TIMEOUT_SECONDS)
    if code != 0:
        raise GitError(_("git {command} failed: {reason}").format(command=args[0], reason=_explain(err)))


def _parse_porcelain(out: str, err: str, remote: str) -> Pushed:
    """Read ``git push --porcelain``: ``<flag>\\t<from>:<to>\\t<summary>`` per ref."""
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and ":" in parts[1]:
            flag, summary = parts[0], parts[2].strip()
            if flag == "!":
                return Pushed(False, summary.startswith("[rejected]"), summary)
            return Pushed(True, False, summary)
    raise GitError(_("git push {remote} failed: {reason}").format(
        remote=remote, reason=_explain(err) if err.strip() else _("no answer")))
