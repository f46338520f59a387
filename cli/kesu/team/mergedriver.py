"""What ``git merge`` and ``git rebase`` run for kesu's files (``kesu merge-driver``).

git calls a merge driver for a file both sides changed, with the common
ancestor's version (%O), ours (%A, where the result goes) and theirs (%B).

- A case file becomes the union of both sides' steps replayed through the
  engine (``union.merge_case``): the same result ``kesu sync`` gives. Steps
  that cannot both stand leave a conflict whose text says why and how to
  resolve it.
- A rendered library file (an entry, the index) is rendered again from the
  merged cases, never merged as text. Which cases those are, the driver reads
  from git: ours is HEAD; theirs is the commit being merged (``git merge``
  names it in ``GITHEAD_<id>``) or picked (``git rebase`` lists it last in
  its ``done`` file).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kesu import gitio
from kesu.casefile import case_text, load_case
from kesu.errors import KesuError
from kesu.team.union import Clash, merge_case

CONFLICT = "<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"
ABORT_HINT = ("# Abort this ('git merge --abort' or 'git rebase --abort') and run 'kesu sync':\n"
              "# it names the one command that resolves it.\n")


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _conflict(result_path: str, ours: str, theirs: str, reason: str) -> int:
    lines = "".join(f"# {line}\n" for line in reason.splitlines())
    text = (f"# kesu could not merge this file:\n{lines}{ABORT_HINT}"
            + CONFLICT.format(ours=_ending(ours), theirs=_ending(theirs)))
    Path(result_path).write_text(text, encoding="utf-8")
    return 1


def _ending(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def merge_case_file(root: Path, base_path: str, ours_path: str, theirs_path: str,
                    name: str) -> int:
    """Merge one case file in place (``ours_path``); 0 when merged, 1 when it conflicts."""
    from kesu.archive import Archive

    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    if ours == theirs or theirs == base:
        return 0
    if ours == base:
        Path(ours_path).write_text(theirs, encoding="utf-8")
        return 0
    try:
        policy = Archive(root).policy
        docs = [load_case(text, name) if text.strip() else None for text in (base, ours, theirs)]
        merged = merge_case(docs[0], docs[1], docs[2], policy)
    except Clash as clash:
        return _conflict(ours_path, ours, theirs, clash.describe())
    except KesuError as exc:
        return _conflict(ours_path, ours, theirs, f"{name}: cannot be merged step by step: {exc}")
    Path(ours_path).write_text(case_text(merged.case), encoding="utf-8")
    return 0


# ------------------------------------------------------------------ library files
LIBRARY_ENTRY = re.compile(r"^library/([^/]+)\.md$")
INDEX = "library/README.md"


def merge_sides(root: Path) -> tuple[str | None, str, str] | None:
    """(base, ours, theirs) commits of the merge or rebase git is running, or None."""
    ours = gitio.rev_parse(root, "HEAD")
    heads = [key[len("GITHEAD_"):] for key in os.environ
             if key.startswith("GITHEAD_") and re.fullmatch(r"[0-9a-f]{40,64}", key[8:])]
    if ours and len(heads) == 1:
        return gitio.merge_base(root, ours, heads[0]), ours, heads[0]
    done = gitio.git_dir(root) / "rebase-merge" / "done"
    try:
        lines = [ln.split() for ln in done.read_text(encoding="utf-8").splitlines() if ln.strip()]
    except OSError:
        return None
    picked = gitio.rev_parse(root, lines[-1][1]) if lines and len(lines[-1]) > 1 else None
    if ours and picked:
        return gitio.rev_parse(root, f"{picked}^"), ours, picked
    return None


def merge_library_file(root: Path, base_path: str, ours_path: str, theirs_path: str,
                       name: str) -> int:
    """Render a library file again from the merged cases; 1 (a conflict) when kesu
    cannot tell which commits are being merged."""
    from kesu import library
    from kesu.archive import Archive
    from kesu.render import Renderer

    ours_text, theirs_text = _read(ours_path), _read(theirs_path)
    sides = merge_sides(root)
    if sides is None:
        return _library_conflict(ours_path, ours_text, theirs_text)
    archive = Archive(root)
    if name == INDEX:
        case_ids = sorted({m.group(1) for commit in sides[1:]
                           for p in gitio.tree_files(root, commit, "library")
                           if (m := LIBRARY_ENTRY.match(p)) and p != INDEX})
    else:
        found = LIBRARY_ENTRY.match(name)
        if not found:
            return _library_conflict(ours_path, ours_text, theirs_text)
        case_ids = [found.group(1)]
    try:
        cases = merged_cases(root, archive, sides, case_ids)
        renderer = Renderer(archive)
        if name == INDEX:
            text = library.render_index(renderer, [c for c in cases.values() if c.get("library")])
        elif cases.get(case_ids[0], {}).get("library"):
            text = library.render_entry(renderer, cases[case_ids[0]])
        else:
            return _library_conflict(ours_path, ours_text, theirs_text)
    except KesuError:
        return _library_conflict(ours_path, ours_text, theirs_text)
    Path(ours_path).write_text(text, encoding="utf-8")
    return 0


def merged_cases(root: Path, archive, sides: tuple[str | None, str, str],
                 case_ids: list[str]) -> dict[str, dict]:
    """Each case as the merge makes it (ours where its own file conflicts)."""
    paths = {i: archive.case_relpath(i) for i in case_ids}
    names = [f"{commit}:{paths[i]}" for i in case_ids for commit in sides if commit]
    texts = dict(zip(names, gitio.read_objects(root, names)))
    result = {}
    for case_id, path in paths.items():
        base, ours, theirs = (texts.get(f"{c}:{path}") if c else None for c in sides)
        if ours == theirs or theirs == base or theirs is None:
            chosen = ours
        elif ours == base or ours is None:
            chosen = theirs
        else:
            docs = [load_case(t.decode("utf-8"), path) if t else None for t in (base, ours, theirs)]
            try:
                result[case_id] = merge_case(docs[0], docs[1], docs[2], archive.policy).case
            except Clash:
                result[case_id] = docs[1]
            continue
        if chosen is not None:
            result[case_id] = load_case(chosen.decode("utf-8"), path)
    return result


def _library_conflict(ours_path: str, ours: str, theirs: str) -> int:
    return _conflict(ours_path, ours, theirs,
                     "a rendered library file; render it from the merged cases with "
                     "'kesu library build' once the merge is done")
