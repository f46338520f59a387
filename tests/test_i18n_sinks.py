"""No English prose reaches a clerk without passing the catalog.

A walk over the source of kesu: a string literal or f-string with words in it
that is printed, echoed, written to stderr, raised as one of kesu's errors, or
made a finding or an importer problem must be the result of ``_()``,
``ngettext()`` or an ``N_()`` entry translated where it is shown. This catches
what running commands by hand misses: the message of a rarely taken branch.
"""

from __future__ import annotations

import ast
import re

from conftest import PROJECT

PACKAGE = PROJECT / "cli" / "kesu"

#: Calls whose first argument (or ``message=``) a clerk reads.
SINKS = {
    "print", "echo", "secho", "write", "prompt", "confirm",
    # kesu's error family and the errors that become one of its messages
    "KesuError", "UsageError", "ArchiveError", "GitError", "CaseTimeError", "CaseContentError", "YamlError",
    "StepBug", "Clash", "SyncClash", "DeliveryError", "Unreadable", "TemplateTooCostly",
    # findings and per-row notes
    "Finding", "Problem",
}
#: ``<name>.append(...)`` where the list is shown to a clerk line by line.
SHOWN_LISTS = {"problems", "NOTES", "notes", "reasons", "found"}

#: Modules another part of kesu owns the words of, checked there.
SKIPPED = {"index", "reportmerge.py"}

#: Strings that are no prose although they hold letters; each says why.
NOT_PROSE = {
    "{}: edit {}",                      # a step done: case ID, the action's code, the commit
    "{}: library ({}) {} -> {}",        # the same for the library entry, with its path
    "{}: attach ({}) {} {} {} sha256:{}",  # the same for an attached file, with its kind and digest
    "{}: claimant-add ({}) {} +{} claimants",  # the same for claimants added, with their number
    "\n$ cat library/{}.md",            # kesu demo shows the shell commands it runs, as typed
    "\n$ git log --oneline -{}",
    "\n$ cp -r <kesu>/cases . && git commit   # ",
    "Case: {}", "Recorded",             # git trailer keys, which the audit parses, stay as written
}
#: Messages whose words change with the multi-archive report, elsewhere.
ELSEWHERE = {"commands/report.py:--format html reads one archive"}

MARKERS = {"_", "ngettext", "N_"}
#: A word of prose: three letters or more, once placeholders, options, file names and kesu's name are gone.
_NOISE = re.compile(r"[\w.-]+\.(?:ya?ml|md|json|csv|html)\b|\b\w+(?:\.\w+)+\b|\b[\w.-]+/[\w./-]*|--?[a-z][\w-]*"
                    r"|\b[a-z]+-[a-z]+(?:-[a-z]+)*\b|\bkesu\b")


def _text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _prose(text: str) -> bool:
    """Words are left once placeholders (made digits, so a key path stays one word), key paths,
    file names, options, codes and kesu's name are taken out."""
    bare = _NOISE.sub(" ", re.sub(r"\{[^}]*\}", "0", text))
    return text not in NOT_PROSE and bool(re.search(r"[A-Za-z]{3,}", bare))


def _untranslated(node, assigned) -> list[str]:
    """The literal prose in an expression shown as it is (not inside ``_()``)."""
    if node is None:
        return []
    if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
        return []
    text = _text(node)
    if text is not None:
        found = [text] if _prose(text) else []
        if isinstance(node, ast.JoinedStr):  # what the f-string puts in its holes
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    found += _untranslated(value.value, assigned)
        return found
    if isinstance(node, ast.BinOp):
        return _untranslated(node.left, assigned) + _untranslated(node.right, assigned)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body, assigned) + _untranslated(node.orelse, assigned)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "format", "join", "rstrip", "strip"):
        return (_untranslated(node.func.value, assigned)
                + [t for arg in node.args for t in _untranslated(arg, assigned)]
                + [t for kw in node.keywords for t in _untranslated(kw.value, assigned)])
    if isinstance(node, ast.Name) and node.id in assigned:
        return [t for value in assigned[node.id] for t in _untranslated(value, {})]
    return []


def _assignments(scope) -> dict[str, list]:
    """What each name is given in a function (a module: at its top level only)."""
    found: dict[str, list] = {}
    for node in ast.walk(scope) if not isinstance(scope, ast.Module) else scope.body:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def untranslated_sinks(package=PACKAGE) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if SKIPPED & set(rel.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for scope in scopes:
            assigned = _assignments(scope)
            for node in ast.walk(scope):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                shown = name in SINKS or (name == "append" and isinstance(node.func, ast.Attribute)
                                          and _name(node.func.value) in SHOWN_LISTS)
                if not shown:
                    continue
                if name == "write" and not (isinstance(node.func, ast.Attribute)
                                            and ast.unparse(node.func.value) in ("sys.stderr", "sys.stdout")):
                    continue
                args = node.args[:1] + [kw.value for kw in node.keywords if kw.arg == "message"]
                if name in ("Finding", "Problem", "Clash"):  # their message is not the first argument
                    args = node.args + [kw.value for kw in node.keywords]
                for arg in args:
                    for text in _untranslated(arg, assigned):
                        if any(f"{rel.as_posix()}:{text}".startswith(e) for e in ELSEWHERE):
                            continue
                        problems.append(f"{rel}:{node.lineno}: {text[:70]!r}")
    return sorted(set(problems))


def test_no_english_prose_reaches_a_clerk_without_the_catalog():
    found = untranslated_sinks()
    assert not found, "shown without _() / ngettext():\n" + "\n".join(found)


def test_the_walk_sees_what_it_must(tmp_path):
    """The walk itself: each way of showing untranslated words is caught, the translated ones are not."""
    (tmp_path / "m.py").write_text(
        "def f(x):\n"
        "    print(f'checked {x} files')\n"
        "    raise UsageError('no such case')\n"
        "    problems.append('bad row ' + x)\n"
        "    message = f'cannot connect: {x}'\n"
        "    raise DeliveryError(message)\n"
        "    print(_('checked {n} files').format(n=x))\n"
        "    print(ngettext('{n} file', '{n} files', x).format(n=x))\n"
        "    print(f'{x}: {y}')\n", encoding="utf-8")
    found = untranslated_sinks(tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == [
        "'checked {} files'", "'no such case'", "'bad row '", "'cannot connect: {}'"], found
