"""YAML in and out: the only module that parses or writes YAML.

- ``load`` parses with libyaml (PyYAML's C parser): every read, including the
  one before a step rewrites a case, goes through it, because it is the
  fastest reader there is and a step must stay close to a bare git commit.
- ``dump`` writes readable YAML in one house style.
- ``load_with_lines`` uses ruamel.yaml's round-trip loader only to find the
  line of a key for an error message (``path:line: message``).

The readers take YAML timestamps as the strings they are written as, like
check-jsonschema does, so the JSON Schema and an independent validator agree.
They refuse anchors/aliases (no case needs them; they are how "billion laughs"
bombs are built) and files over ``MAX_BYTES``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kesu.errors import UsageError

MAX_BYTES = 1024 * 1024

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class YamlError(UsageError):
    """A file that is not acceptable YAML; carries path and line."""


def _check_size(text: str | bytes, path: str | None) -> None:
    if len(text) > MAX_BYTES:
        raise YamlError(f"file is larger than {MAX_BYTES // 1024} KiB; refusing to parse it", path)


# ---------------------------------------------------------------- fast reader
_fast_loader = None


def _make_fast_loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        def construct_object(self, node, deep=False):
            # A node met twice is an alias: refuse rather than share or expand it.
            if node in self.constructed_objects:
                raise yaml.constructor.ConstructorError(
                    None, None, "anchors and aliases are not allowed", node.start_mark)
            return super().construct_object(node, deep)

    Loader.add_constructor(_TIMESTAMP, base.construct_yaml_str)
    return Loader


def load(text: str | bytes, path: str | None = None) -> Any:
    """Parse ``text`` with libyaml into plain dicts/lists/str/int/float."""
    global _fast_loader
    import yaml

    _check_size(text, path)
    if _fast_loader is None:
        _fast_loader = _make_fast_loader()
    try:
        return yaml.load(text, Loader=_fast_loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"invalid YAML: {problem}", path, line) from None


# ------------------------------------------------------------------ writer
class Flow(dict):
    """A mapping written on one line (timeline entries, compensation items)."""


def flow(mapping: dict) -> Flow:
    return Flow(mapping)


_dumper = None


def _make_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        # Indent list items under their key ("  - x"), as people write YAML.
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    # Without the timestamp resolver, ISO times are written unquoted in block
    # context, as people write them; the readers above read them as text.
    Dumper.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}

    def represent_text(dumper, value: str):
        # Multi-line text (facts, findings) reads best as a literal block.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_text)
    Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:float", f"{value:.2f}"))
    Dumper.add_representer(Flow, lambda dumper, value: dumper.represent_mapping(
        "tag:yaml.org,2002:map", value.items(), flow_style=True))
    return Dumper


def dump(data: Any) -> str:
    """Serialise ``data`` as readable UTF-8 YAML (Chinese as is, keys in order).

    Comments are not kept: case files are written by kesu, and remarks
    belong in ``kesu note`` where they are dated and signed.
    """
    global _dumper
    import yaml

    if _dumper is None:
        _dumper = _make_dumper()
    return yaml.dump(data, Dumper=_dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=False)


# ---------------------------------------------------------- lines of keys
def load_with_lines(text: str, path: str | None = None) -> Any:
    """Parse ``text`` with ruamel.yaml's round-trip loader, which records the
    line of every key (``.lc``); used to point error messages at a line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError as RuamelError

    _check_size(text, path)
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", path, line) from None
    except RuamelError as exc:
        raise YamlError(f"invalid YAML: {exc}", path) from None


def line_of(document: Any, key_path: tuple) -> int | None:
    """Line (1-based) of the deepest key of ``key_path`` found in a round-trip document."""
    node, line = document, None
    for key in key_path:
        lc = getattr(node, "lc", None)
        try:
            if lc is not None:
                if isinstance(key, int):
                    line = lc.item(key)[0] + 1
                else:
                    line = lc.key(key)[0] + 1
            node = node[key]
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def money(value: Any) -> Decimal:
    """A money amount from YAML as ``Decimal`` with two places.

    YAML hands us a float for ``39.90``; ``repr`` gives its shortest exact
    decimal text, so going through it never picks up binary noise.
    """
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, bool) or not _MONEY.match(text.strip()):
        raise UsageError(f"not a money amount with at most two decimals: {value!r}")
    return Decimal(text.strip()).quantize(Decimal("0.01"))
