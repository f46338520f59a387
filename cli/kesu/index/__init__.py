"""The case index: a rebuildable SQLite database under ``.git/kesu-index/``.

Whole-archive commands (list, overdue, reports, find, export) ask it instead
of parsing every case file: ``build`` keeps it in step with git, ``record``
says what a row holds, ``lights`` how a light is two comparisons, ``query``
answers the commands. See docs/scale.md.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kesu import gitio


def index_file(root: Path) -> Path:
    from kesu.index.build import FOLDER

    return gitio.git_dir(root) / FOLDER / "cases.sqlite"


def open_index(archive, progress=None):
    """The archive's index, brought up to date: a ``query.CaseIndex``."""
    from kesu.index.build import Refresh, connect, connect_memory, terminal_progress
    from kesu.index.query import CaseIndex

    file = index_file(archive.root)
    for attempt in ("file", "again", "memory"):
        try:
            conn = connect(file) if attempt != "memory" else connect_memory()
            Refresh(archive.root, archive.policy.data, conn, progress or terminal_progress).run()
            return CaseIndex(conn, archive)
        except (sqlite3.DatabaseError, OSError):
            if attempt == "memory":
                raise
            if attempt == "file":
                # a damaged index is only a cache: start it again
                for suffix in ("", "-wal", "-shm"):
                    try:
                        Path(f"{file}{suffix}").unlink(missing_ok=True)
                    except OSError:
                        pass
            # then, where .git cannot be written (a read-only copy), work in memory
