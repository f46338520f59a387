"""What was already sent: the ledger on the git ref ``refs/kesu/alerts``.

Why a ref of its own, not a file on the branch: the ledger changes on every
run that sends something (every 15 minutes), from CI, which only reads the
desk's branch and never records steps on it. A ref beside the branch keeps
those writes out of the case history (and out of ``kesu audit``, ``kesu sync``
and the desks' pulls), and git still stores, transfers and protects it like
any branch. Each write is a commit whose tree holds one file, ``sent.json``.

Two clones running ``kesu alert`` at once: a push of the ref is accepted only
as a fast-forward of what the remote holds, so git itself decides who wrote
first. Before sending, a run *claims* its messages (pushes the ledger with
them marked claimed); a run that loses the race fetches again and leaves out
what the other claimed. So a message is sent by one run only. A claim that is
never settled (the run was killed) lapses after ``LEASE``; a message that
failed is unclaimed, so the next run tries it again.

Without a remote (one desk, tests), the same is done on the local ref with
``git update-ref NEW OLD``, which only moves a ref that still holds OLD.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kesu import gitio
from kesu.i18n import _
from kesu.errors import GitError

REF = "refs/kesu/alerts"
#: Where a fetch of the remote's ledger lands, before it is read.
FETCHED = "refs/kesu/alerts-fetched"
FILE = "sent.json"
FORMAT = 1
#: How long a claim holds when its run never settles it.
LEASE = timedelta(minutes=30)
#: Records older than this are dropped once their timer is no longer lit.
KEEP = timedelta(days=90)
#: How long one fetch or push of the ledger may take.
NETWORK_SECONDS = 120
#: Commits of the ledger say who wrote them, whatever the clone's git identity (CI has none).
IDENTITY = {"GIT_AUTHOR_NAME": "kesu alert", "GIT_AUTHOR_EMAIL": "kesu-alert@localhost",
            "GIT_COMMITTER_NAME": "kesu alert", "GIT_COMMITTER_EMAIL": "kesu-alert@localhost"}
SENT, CLAIMED = "sent", "claimed"


def delivery_token(item_key: str, recipient: str, channel: str) -> str:
    """One message line: this lit timer, to this person, on this channel."""
    return f"{item_key}|{recipient}|{channel}"


@dataclass
class Ledger:
    #: token -> {"status": sent|claimed, "at": ISO time, "run": run id}
    entries: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> "Ledger":
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            raise GitError(_("{ref}:{file} is not JSON; delete the ref to start afresh ('git update-ref -d {ref}')").format(
                ref=REF, file=FILE)) from None
        entries = data.get("entries") if isinstance(data, dict) else None
        return cls({k: v for k, v in (entries or {}).items() if isinstance(v, dict)})

    def dump(self) -> str:
        return json.dumps({"format": FORMAT, "entries": self.entries}, ensure_ascii=False,
                          indent=1, sort_keys=True) + "\n"

    def merged(self, other: "Ledger") -> "Ledger":
        """Both ledgers: a sent record beats a claim, the earlier send the later one."""
        entries = dict(self.entries)
        for token, theirs in other.entries.items():
            ours = entries.get(token)
            if ours is None or _stronger(theirs, ours):
                entries[token] = theirs
        return Ledger(entries)

    def taken(self, token: str, now: datetime, run: str) -> bool:
        """Sent already, or claimed by another run whose claim still holds."""
        entry = self.entries.get(token)
        if entry is None:
            return False
        if entry.get("status") == SENT:
            return True
        if entry.get("run") == run:
            return False
        return now - _time(entry.get("at")) < LEASE

    def mark(self, tokens, status: str, now: datetime, run: str) -> None:
        for token in tokens:
            self.entries[token] = {"status": status, "at": now.isoformat(), "run": run}

    def release(self, tokens, run: str) -> None:
        for token in tokens:
            if self.entries.get(token, {}).get("run") == run and self.entries[token]["status"] == CLAIMED:
                del self.entries[token]

    def prune(self, lit: set[str], now: datetime) -> None:
        """Forget old records of timers no longer lit (a lit one would be sent again)."""
        for token in list(self.entries):
            if token.rsplit("|", 2)[0] not in lit and now - _time(self.entries[token].get("at")) > KEEP:
                del self.entries[token]


def _time(text) -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def _strength(entry: dict) -> tuple:
    """Which of two records of one message stands: a send beats a claim, the earlier
    send the later one, the later claim the earlier one; ties go by run, so merging
    gives the same ledger in whatever order clones merge."""
    seconds = _time(entry.get("at")).timestamp()
    if entry.get("status") == SENT:
        return (1, -seconds, str(entry.get("run")))
    return (0, seconds, str(entry.get("run")))


def _stronger(a: dict, b: dict) -> bool:
    return _strength(a) > _strength(b)


class Store:
    """The ledger of one archive: on its remote when it has one, else on the local ref."""

    def __init__(self, root: Path, remote: str | None):
        self.root = root
        self.remote = remote
        self.base: str | None = None
        #: The remote lacks records this clone kept when a push failed.
        self.behind = False

    def where(self) -> str:
        return f"{self.remote} {REF}" if self.remote else REF

    def load(self) -> Ledger:
        """The newest ledger; with a remote, the remote's with anything kept only here."""
        local = Ledger.parse(self._read(gitio.ref(self.root, REF)))
        if not self.remote:
            self.base = gitio.ref(self.root, REF)
            return local
        code, _, err = self._network("fetch", "--no-tags", "-q", self.remote, f"+{REF}:{FETCHED}")
        if code != 0:
            if "couldn't find remote ref" not in err.lower():
                raise GitError(_("git fetch {remote} failed: {reason}").format(
                    remote=f"{self.remote} {REF}", reason=_last_line(err)))
            gitio.run(self.root, "update-ref", "-d", FETCHED, check=False)
        self.base = gitio.ref(self.root, FETCHED)
        remote = Ledger.parse(self._read(self.base))
        merged = remote.merged(local)
        self.behind = merged.entries != remote.entries
        return merged

    def publish(self, ledger: Ledger, message: str) -> bool:
        """Write ``ledger`` on top of what ``load`` read; False when someone wrote first."""
        commit = self._commit(ledger, message)
        if not self.remote:
            try:  # moves the ref only if it still holds what load read
                gitio.run(self.root, "update-ref", "-m", message, REF, commit, self.base or "0" * 40)
            except GitError:
                pass
            ok = gitio.ref(self.root, REF) == commit
        else:
            code, out, err = self._network("push", "--porcelain", self.remote, f"{commit}:{REF}")
            rejected = any(line.startswith("!") for line in out.splitlines())
            if code != 0 and not rejected:
                raise GitError(_("git push {remote} failed: {reason}").format(
                    remote=f"{self.remote} {REF}", reason=_last_line(err)))
            ok = not rejected
        if ok:
            self.base = commit
        return ok

    def keep_locally(self, ledger: Ledger, message: str) -> None:
        """Keep records the remote would not take, for the next run on this clone."""
        gitio.run(self.root, "update-ref", "-m", message, REF, self._commit(ledger, message))

    def settle_local(self) -> None:
        """After a push, the local ref is the remote's."""
        if self.remote and self.base:
            gitio.run(self.root, "update-ref", "-m", "kesu alert: as pushed", REF, self.base)

    def _read(self, commit: str | None) -> str | None:
        if not commit:
            return None
        return gitio.run(self.root, "show", f"{commit}:{FILE}", check=False) or None

    def _commit(self, ledger: Ledger, message: str) -> str:
        blob = gitio.run(self.root, "hash-object", "-w", "--stdin", stdin=ledger.dump()).strip()
        tree = gitio.run(self.root, "mktree", stdin=f"100644 blob {blob}\t{FILE}\n").strip()
        parents = ["-p", self.base] if self.base else []
        return gitio.run(self.root, "commit-tree", tree, *parents, "-m", message, env=IDENTITY).strip()

    def _network(self, *args: str) -> tuple[int, str, str]:
        from kesu.gitremote import run_network

        return run_network(self.root, *args, timeout=NETWORK_SECONDS)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return next((l for l in lines if l.lower().startswith(("fatal:", "error:"))), lines[-1] if lines else "no answer")
