"""Creating an archive."""

from __future__ import annotations

from pathlib import Path

from kesu import gitio, trailers
from kesu.archive import write_atomic
from kesu.config import CONFIG_NAME, default_policy_text
from kesu.errors import ArchiveError


def init_archive(directory: Path) -> Path:
    """Create ``directory`` as an archive and commit its ``kesu.yaml``; return its root."""
    root = directory.expanduser().resolve()
    config = root / CONFIG_NAME
    if config.exists():
        raise ArchiveError(f"{root} is already a kesu archive; not touching its {CONFIG_NAME}",
                           str(config))
    if root.exists() and not root.is_dir():
        raise ArchiveError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    if not gitio.is_repo(root):
        gitio.run(root, "init", "-q")
    write_atomic(config, default_policy_text())
    try:
        gitio.commit(root, [CONFIG_NAME], trailers.init_message("Start the kesu complaint archive"),
                     new=[CONFIG_NAME])
    except BaseException:
        config.unlink(missing_ok=True)
        gitio.unstage(root, [CONFIG_NAME])
        raise
    return root
