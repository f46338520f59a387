"""What a repository's git configuration says, and setting it (kesu init, setup,
sync): its remotes, kesu's own keys, whether this git has a file-system monitor.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from kesu.gitio import GIT, git_dir, run


def _config_texts(root: Path) -> list[str] | None:
    """The repository's own config file(s), read directly; None when git must be asked
    (the file includes others)."""
    gdir = git_dir(root)
    common = gdir
    try:
        common = (gdir / (gdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except OSError:
        pass
    texts = []
    for folder, name in ((common, "config"), (gdir, "config.worktree")):
        try:
            texts.append((folder / name).read_text(encoding="utf-8"))
        except OSError:
            continue
    if any("[include" in text.lower() for text in texts):
        return None
    return texts


def has_remote(root: Path) -> bool:
    """True when the repository knows a remote (it is a clone, or pushes somewhere)."""
    texts = _config_texts(root)
    if texts is None:
        return bool(run(root, "remote", check=False).strip())
    return any(re.search(r'^\s*\[remote\s+"', text, re.M) for text in texts)


def has_local_config(root: Path, section: str, key: str) -> bool:
    """True when the repository's config sets ``section.key`` (``merge "kesu"``, ``driver``)
    — read from the file without a git process, as every step asks."""
    texts = _config_texts(root)
    if texts is None:
        name, _, sub = section.partition(" ")
        full = f"{name}.{sub.strip(chr(34))}.{key}" if sub else f"{name}.{key}"
        return bool(run(root, "config", "--local", "--get", full, check=False).strip())
    pattern = re.compile(r"^\s*\[" + re.escape(section) + r"\]\s*$(.*?)(?=^\s*\[|\Z)", re.M | re.S)
    for text in texts:
        for block in pattern.findall(text):
            if re.search(r"^\s*" + re.escape(key) + r"\s*=", block, re.M | re.I):
                return True
    return False


def config_set(root: Path, key: str, value: str) -> None:
    run(root, "config", "--local", key, value)


def remotes(root: Path) -> list[str]:
    return run(root, "remote").split()


def has_fsmonitor(root: Path) -> bool:
    """True when this git has its own file-system monitor (macOS and Windows builds)."""
    proc = subprocess.run([*GIT, "fsmonitor--daemon", "status"], cwd=root, capture_output=True,
                          text=True)
    return "not supported" not in (proc.stderr + proc.stdout) and proc.returncode in (0, 1) \
        and "unknown" not in proc.stderr and "is not a git command" not in proc.stderr


def config_get(root: Path, key: str) -> str | None:
    value = run(root, "config", "--get", key, check=False).strip()
    return value or None
