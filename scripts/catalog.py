"""Extract kesu's user-facing strings and update the zh-CN catalog (``make catalog``).

What is extracted, from the source tree under cli/kesu:
- the first argument of ``_()``, ``N_()`` and both of ``ngettext()``;
- every ``help=`` given as a string (typer options, arguments and groups);
- the docstrings of the command functions (cli/kesu/commands/*.py), which
  typer shows as their help, and the ``help`` of each transition in lifecycle.py.

``python scripts/catalog.py`` rewrites kesu.po keeping every translation
that still applies, adds the new strings untranslated, drops the ones no
longer used, and compiles kesu.mo. ``--check`` only lists the strings with
no translation (exit 1 when there is any). Babel is needed here only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cli" / "kesu"
PO = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES" / "kesu.po"
MARKERS = {"_", "N_", "ngettext"}


def _string(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(package: Path = PACKAGE) -> dict[str, tuple[str | None, set[str]]]:
    """msgid -> (plural or None, {file:line, ...}) for every user-facing string."""
    found: dict[str, tuple[str | None, set[str]]] = {}

    def add(text, where, plural=None):
        if text and text.strip():
            old = found.get(text, (None, set()))
            found[text] = (plural or old[0], old[1] | {where})

    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_command = path.parent.name == "commands" and path.name != "common.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in MARKERS and node.args:
                    if name == "ngettext" and len(node.args) >= 2:
                        add(_string(node.args[0]), f"{rel}:{node.lineno}", _string(node.args[1]))
                    else:
                        add(_string(node.args[0]), f"{rel}:{node.lineno}")
                for keyword in node.keywords:
                    if keyword.arg == "help":
                        add(_string(keyword.value), f"{rel}:{node.lineno}")
                if name == "_opt" and len(node.args) == 2:  # intake's options: _opt(flag, help)
                    add(_string(node.args[1]), f"{rel}:{node.lineno}")
                if path.name == "lifecycle.py" and name == "_t" and len(node.args) == 5:
                    add(_string(node.args[4]), f"{rel}:{node.lineno}")
            if is_command and isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node, clean=True)
                if doc:
                    add(doc, f"{rel}:{node.lineno}")
            if path.name == "cli.py" and isinstance(node, ast.Assign) and any(
                    getattr(t, "id", None) == "HELP" for t in node.targets):
                add(_string(node.value), f"{rel}:{node.lineno}")
    return found


def untranslated(found, translations) -> list[str]:
    def empty(string) -> bool:  # a plural entry is a tuple, empty when its forms all are
        return not (string if isinstance(string, str) else any(string or ()))
    return sorted(msgid for msgid in found if empty(translations.get(msgid)))


def main(argv: list[str]) -> int:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    found = extract()
    old = read_po(PO.open("rb")) if PO.exists() else Catalog(locale="zh_CN")
    translations = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in old if m.id}
    if "--check" in argv:
        missing = untranslated(found, translations)
        for msgid in missing:
            print(repr(msgid[:100]))
        return 1 if missing else 0
    catalog = Catalog(locale="zh_CN", domain="kesu", project="kesu", charset="utf-8")
    for msgid, (plural, places) in sorted(found.items()):
        locations = [(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in sorted(places)]
        string = translations.get(msgid) or ""
        if plural:
            string = string if isinstance(string, (tuple, list)) else (string,)
            catalog.add((msgid, plural), string[:1] or ("",), locations=locations)
        else:
            catalog.add(msgid, string if isinstance(string, str) else string[0], locations=locations)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=True, omit_header=False)
    with PO.with_suffix(".mo").open("wb") as out:
        write_mo(out, catalog)
    missing = untranslated(found, translations)
    print(f"{PO.relative_to(ROOT)}: {len(found)} strings, {len(missing)} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
