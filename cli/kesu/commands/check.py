"""kesu validate."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _, ngettext
from kesu.commands.common import ArchiveOpt, NoPagerOpt, github_annotation, open_archive, page_lines, print_json


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"



def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        metavar="[PATH]...", help="Case files or folders to check (default: kesu.yaml and every case).")] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="text, json, or github (CI annotations).")] = CheckFormat.text,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Check every file from scratch instead of skipping files that passed "
                           "before and have not changed. Slower; use it if a result looks out of date.")] = False,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> int:
    """Check case files: YAML, schema, vocabularies, ID and file name, the timeline.

    Prints every finding as path:line: message. Exit 0 when clean, 1 when
    anything was found. Example: kesu validate --format github
    """
    from kesu.validate import check_archive

    arch = open_archive(archive)
    checked, findings = check_archive(arch, _expand(arch, paths) if paths else None, use_cache=not no_cache)
    if fmt is CheckFormat.json:
        print_json({"checked": checked, "findings": [f.as_dict() for f in findings]})
    elif fmt is CheckFormat.github:
        for f in findings:
            print(github_annotation("error", f.path, f.line or 1, f.message))
    else:
        page_lines(map(str, findings))
        bad = len({f.path for f in findings})
        summary = _("{checked}, {findings} in {files}").format(
            checked=ngettext("{n} case file checked", "{n} case files checked", checked).format(n=checked),
            findings=ngettext("{n} finding", "{n} findings", len(findings)).format(n=len(findings)),
            files=ngettext("{n} file", "{n} files", bad).format(n=bad))
        typer.echo(summary, err=True)
    return 1 if findings else 0


def _expand(arch, paths: list[Path]) -> list[Path]:
    from kesu.errors import UsageError

    files: list[Path] = []
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            files.extend(sorted(path.rglob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(_("{path}: no such file or folder").format(path=given))
    return files


COMMANDS = {"validate": validate}
