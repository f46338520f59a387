"""How fresh this clone's view is: when it last synced with its remote.

``kesu list`` and ``kesu overdue`` say it in a clone, because a list made
from a clone that has not synced all day misses what the other desks did.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from kesu import gitconfig, gitio
from kesu.i18n import _, ngettext


def ago(seconds: float) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, ``4 d ago``, in the desk's language."""
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("{n} min ago").format(n=int(seconds // 60))
    if seconds < 48 * 3600:
        return _("{n} h ago").format(n=int(seconds // 3600))
    return _("{n} d ago").format(n=int(seconds // 86400))


def freshness_line(root: Path, now: datetime | None = None) -> str | None:
    """One line for a clone ("last sync 3 h ago with origin"), None without a remote."""
    if not gitconfig.has_remote(root):
        return None
    from kesu.team.sync import last_sync

    now = now or datetime.now(timezone.utc)
    synced = last_sync(root)
    if synced is not None:
        remote, when = synced
        line = _("last sync {ago} with {remote}").format(ago=ago((now - when).total_seconds()), remote=remote)
    else:
        fetched = gitio.git_dir(root) / "FETCH_HEAD"
        try:
            when = datetime.fromtimestamp(fetched.stat().st_mtime, timezone.utc)
            line = _("never synced with 'kesu sync'; last fetch {ago}").format(ago=ago((now - when).total_seconds()))
        except OSError:
            line = _("never synced: run 'kesu sync'")
    ahead = gitio.run(root, "rev-list", "--count", "@{upstream}..HEAD", check=False).strip()
    if ahead.isdigit() and int(ahead):
        line += ngettext("; {n} commit not pushed yet", "; {n} commits not pushed yet", int(ahead)).format(n=ahead)
    return line
