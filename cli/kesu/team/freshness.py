"""How fresh this clone's view is: when it last synced with its remote.

``kesu list`` and ``kesu overdue`` say it in a clone, because a list made
from a clone that has not synced all day misses what the other desks did.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from kesu import gitconfig, gitio


def ago(seconds: float) -> str:
    """``just now``, ``12 min ago``, ``3 h ago``, ``4 d ago``."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def freshness_line(root: Path, now: datetime | None = None) -> str | None:
    """One line for a clone ("last sync 3 h ago with origin"), None without a remote."""
    if not gitconfig.has_remote(root):
        return None
    from kesu.team.sync import last_sync

    now = now or datetime.now(timezone.utc)
    synced = last_sync(root)
    if synced is not None:
        remote, when = synced
        line = f"last sync {ago((now - when).total_seconds())} with {remote}"
    else:
        fetched = gitio.git_dir(root) / "FETCH_HEAD"
        try:
            when = datetime.fromtimestamp(fetched.stat().st_mtime, timezone.utc)
            line = f"never synced with 'kesu sync'; last fetch {ago((now - when).total_seconds())}"
        except OSError:
            line = "never synced: run 'kesu sync'"
    ahead = gitio.run(root, "rev-list", "--count", "@{upstream}..HEAD", check=False).strip()
    if ahead.isdigit() and int(ahead):
        line += f"; {ahead} commit{'s' if int(ahead) > 1 else ''} not pushed yet"
    return line
