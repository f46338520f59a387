"""The one error family of kesu.

The core raises these; only ``kesu.cli.main`` turns them into output and exit
codes, so every command reports problems the same way.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130


class KesuError(Exception):
    """A problem the user can act on. ``str()`` is the one line we print."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class UsageError(KesuError):
    """Bad flag value, unknown ID, illegal transition, invalid input file."""


class ArchiveError(KesuError):
    """The archive is missing, locked, or in a state we must not touch."""


class GitError(KesuError):
    """git refused (a hook, signing, a full disk); nothing was changed."""
