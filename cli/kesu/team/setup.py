"""Setting a clone up for working together: merge drivers, attributes, settings.

``kesu init`` does it for a new archive, ``kesu clone`` for a clone it makes,
``kesu setup`` for a clone made with plain ``git clone``. What it writes:

- ``.gitattributes`` (committed by ``kesu init``): case files merge with the
  ``kesu`` driver, rendered library files with ``kesu-library``. A clone of an
  archive that does not declare them gets the same lines in
  ``.git/info/attributes``, so nothing has to be committed first.
- ``.git/config``: the two drivers (this kesu, run by the Python that runs it
  now), and ``pull.rebase=false``: a plain ``git pull`` merges, so every step
  keeps the commit it was first recorded in.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from kesu import gitconfig, gitio
from kesu.errors import ArchiveError
from kesu.i18n import N_, _
from kesu.record import MERGE_DRIVER as CASE_DRIVER, MERGE_DRIVER_SECTION

LIBRARY_DRIVER = "kesu-library"

ATTRIBUTES = (f"cases/**/*.yaml merge={CASE_DRIVER}\n"
              f"library/*.md merge={LIBRARY_DRIVER}\n")
ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTES_HEADER = ("# kesu: merge case files step by step and render library files again\n"
                     "# (see docs/team.md); 'kesu setup' registers the drivers in .git/config.\n")

SETTINGS = {"pull.rebase": "false",
            # an archive grows to 100,000 files and more: git's settings for many files
            "feature.manyFiles": "true", "core.untrackedCache": "true"}


def driver_command(library: bool = False) -> str:
    """The command git runs for a conflicting file: this kesu, by the Python running it."""
    python = shlex.quote(sys.executable or "python3")
    option = " --library" if library else ""
    return f"{python} -m kesu merge-driver{option} %O %A %B %P"


def declares_attributes(text: str) -> bool:
    lines = {line.strip() for line in text.splitlines()}
    return all(line in lines for line in ATTRIBUTES.splitlines())


def attributes_text(existing: str = "") -> str:
    """``existing`` .gitattributes with kesu's lines added (unchanged when it has them)."""
    if declares_attributes(existing):
        return existing
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + ATTRIBUTES_HEADER + ATTRIBUTES


def register(root: Path) -> list[tuple[str, dict]]:
    """Write the drivers and settings into ``.git/config``, and the attributes into
    ``.git/info/attributes`` when the work tree's .gitattributes lacks them.
    Returns what it did, one line each: a message (marked for the catalog) and its
    values, said by the command in the language of the clone it set up."""
    done = []
    for name, library, title in ((CASE_DRIVER, False, "kesu: replay both sides' steps"),
                                 (LIBRARY_DRIVER, True, "kesu: render library files again")):
        gitconfig.config_set(root, f"merge.{name}.name", title)
        gitconfig.config_set(root, f"merge.{name}.driver", driver_command(library))
        done.append((N_("merge driver {name}: {command}"), {"name": name, "command": driver_command(library)}))
    settings = dict(SETTINGS)
    if gitconfig.has_fsmonitor(root):
        settings["core.fsmonitor"] = "true"
    for key, value in settings.items():
        gitconfig.config_set(root, key, value)
        done.append(("{key} = {value}", {"key": key, "value": value}))
    tracked = root / ATTRIBUTES_FILE
    if not (tracked.is_file() and declares_attributes(tracked.read_text(encoding="utf-8"))):
        info = gitio.git_dir(root) / "info" / "attributes"
        info.parent.mkdir(parents=True, exist_ok=True)
        existing = info.read_text(encoding="utf-8") if info.is_file() else ""
        if not declares_attributes(existing):
            info.write_text(attributes_text(existing), encoding="utf-8")
        done.append((N_("attributes in .git/info/attributes (commit them in {file} to share them)"),
                     {"file": ATTRIBUTES_FILE}))
    return done


def is_set_up(root: Path) -> bool:
    return gitconfig.has_local_config(root, MERGE_DRIVER_SECTION, "driver")


def set_up_existing(root: Path) -> list[tuple[str, dict]]:
    """``kesu setup``: register the drivers in the clone at ``root``."""
    if not gitio.is_repo(root):
        raise ArchiveError(_("{root} is not a git repository; 'kesu clone URL' makes one").format(root=root))
    return register(root)


def clone(url: str, directory: Path | None, progress: bool) -> tuple[Path, list[tuple[str, dict]]]:
    """``kesu clone``: clone ``url`` and set the clone up; (its root, what setup did)."""
    from kesu import gitremote
    from kesu.config import CONFIG_NAME

    target = directory if directory is not None else Path(_name_of(url))
    target = target.expanduser().resolve()
    if (target.is_dir() and any(target.iterdir())) or (target.exists() and not target.is_dir()):
        raise ArchiveError(_("{target} already exists and is not an empty folder").format(target=target))
    from kesu.team.sync import remember_sync

    target.parent.mkdir(parents=True, exist_ok=True)
    gitremote.clone(url, target, progress)
    if not (target / CONFIG_NAME).is_file():
        raise ArchiveError(_("cloned {url} into {target}, but it is not a kesu archive (no {config}); nothing was set "
                             "up").format(url=url, target=target, config=CONFIG_NAME))
    done = register(target)
    remember_sync(target, gitconfig.remotes(target)[0], gitio.head(target) or "")
    return target, done


def _name_of(url: str) -> str:
    """The folder ``git clone`` would pick: the last part of the URL without .git."""
    name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return name[:-4] if name.endswith(".git") else (name or "archive")
