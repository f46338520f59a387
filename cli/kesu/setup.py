"""Creating an archive, set up for working together from the start."""

from __future__ import annotations

from pathlib import Path

from kesu import gitio, trailers
from kesu.i18n import _
from kesu.archive import write_atomic
from kesu.config import CONFIG_NAME, default_policy_text
from kesu.errors import ArchiveError
from kesu.team import setup as team_setup


def init_archive(directory: Path) -> Path:
    """Create ``directory`` as an archive and commit its ``kesu.yaml``; return its root."""
    root = directory.expanduser().resolve()
    config = root / CONFIG_NAME
    if config.exists():
        raise ArchiveError(_("{root} is already a kesu archive; not touching its {config}").format(
            root=root, config=CONFIG_NAME), str(config))
    if root.exists() and not root.is_dir():
        raise ArchiveError(_("{root} exists and is not a folder").format(root=root))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # /proc/x, a read-only disk: the user's to fix, not kesu's bug
        raise ArchiveError(_("cannot create the folder {root}: {reason}").format(
            root=root, reason=exc.strerror or exc)) from None
    if not gitio.is_repo(root):
        gitio.run(root, "init", "-q")
    attributes = root / team_setup.ATTRIBUTES_FILE
    had_attributes = attributes.read_bytes() if attributes.is_file() else None
    try:
        write_atomic(config, default_policy_text())
        existing = had_attributes.decode("utf-8") if had_attributes is not None else ""
        write_atomic(attributes, team_setup.attributes_text(existing))
    except OSError as exc:
        config.unlink(missing_ok=True)
        raise ArchiveError(_("cannot write {file}: {reason}").format(
            file=exc.filename or config, reason=exc.strerror or exc)) from None
    files = [CONFIG_NAME, team_setup.ATTRIBUTES_FILE]
    try:
        gitio.commit(root, files, trailers.init_message("Start the kesu complaint archive"),
                     new=files)
    except BaseException:
        config.unlink(missing_ok=True)
        if had_attributes is None:
            attributes.unlink(missing_ok=True)
        else:
            write_atomic(attributes, had_attributes)
        gitio.unstage(root, files)
        raise
    team_setup.register(root)
    return root
