"""A rebuildable cache of parsed case files, so a second scan reads only what changed.

Parsing YAML is the cost of every whole-archive read (list, validate, overdue,
reports): about 0.35 ms a case with libyaml, half a minute for 100,000 cases.
The cache keeps each file's parsed data as JSON under ``.git/kesu-cache/``,
keyed by the file's size, mtime and inode, the same stat data git trusts to
decide whether a file changed. It also remembers which files last validated
clean under which rules, so ``kesu validate`` re-checks only what changed.

The rules are kesu's own code and schemas as well as the archive's policy: a
file found clean is checked again when any of them changes, and parsed data
is thrown away when the code that parsed it changes (``rules_digest``).
Deleting the folder is always safe: the next scan rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kesu import __version__

FORMAT = 1


@lru_cache(maxsize=None)
def rules_digest() -> str:
    """A digest of the installed kesu: every ``.py`` of the package and every
    shipped JSON Schema, the files that decide how a case is read and judged.

    Read once per process (about a millisecond); a version number alone would
    miss a rule changed without a new release.
    """
    from kesu.resources import shipped

    package = Path(__file__).resolve().parent
    files = [(path.relative_to(package).as_posix(), path) for path in package.rglob("*.py")]
    files += [(f"schemas/{path.name}", path) for path in shipped("schemas").glob("*.json")]
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def verdict(policy_text: bytes) -> str:
    """The key of a "clean" verdict: the policy and the rules it was reached under."""
    return hashlib.sha1(policy_text + b"\0" + rules_digest().encode()).hexdigest()


def stat_key(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


class ScanCache:
    def __init__(self, file: Path):
        self.file = file
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
            if (stored.get("format") == FORMAT and stored.get("kesu") == __version__
                    and stored.get("rules") == rules_digest()):
                self.entries = stored["entries"]
        except (OSError, ValueError, KeyError, AttributeError):
            self.entries = {}

    def get(self, rel: str, key: list[int] | None) -> dict[str, Any] | None:
        entry = self.entries.get(rel)
        if entry is not None and key is not None and entry.get("key") == key:
            return entry
        return None

    def put(self, rel: str, key: list[int] | None, data: Any) -> None:
        if key is None:
            return
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            return  # something JSON cannot hold (e.g. !!binary): always parse it afresh
        self.entries[rel] = {"key": key, "data": data}
        self.dirty = True

    def mark_clean(self, rel: str, verdict: str) -> None:
        entry = self.entries.get(rel)
        if entry is not None and entry.get("clean") != verdict:
            entry["clean"] = verdict
            self.dirty = True

    def forget_missing(self, present: set[str]) -> None:
        gone = set(self.entries) - present
        for rel in gone:
            del self.entries[rel]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"format": FORMAT, "kesu": __version__, "rules": rules_digest(),
                                       "entries": self.entries}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that cannot be written only costs speed
        self.dirty = False


class NoCache:
    """Stands in for ``ScanCache`` when a check must not trust or change it
    (``kesu validate --no-cache``): it knows nothing and keeps nothing."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    def mark_clean(self, rel: str, verdict: str) -> None:
        pass

    def save(self) -> None:
        pass
