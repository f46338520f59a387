"""kesu init."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kesu.i18n import _


def init(
    directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="Folder of the new archive.")] = Path("."),
) -> None:
    """Create a complaint archive: git repository, kesu.yaml policy, first commit.

    Example: kesu init complaints && cd complaints && kesu new --help
    """
    from kesu.setup import init_archive

    root = init_archive(directory)
    print(_("Created a kesu archive in {folder} and committed its kesu.yaml.").format(folder=root))
    print(_("Next: set org, roster and calendar in kesu.yaml, commit, then record complaints with 'kesu new'."))


COMMANDS = {"init": init}
