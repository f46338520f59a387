"""YAML in and out: the only module that parses or writes YAML.

kesu reads and writes YAML 1.2, the version check-jsonschema (ruamel.yaml)
reads, so that kesu and an independent validator see the same values:
``yes``, ``on`` and ``n`` are text, ``012`` is twelve, ``1:20`` is text.

- ``load`` parses with libyaml (PyYAML's C parser), the fastest reader there
  is: every read goes through it, and a step must stay close to a bare git
  commit. Which plain scalar is a number, a boolean or null is decided by
  ruamel.yaml's YAML 1.2 rules (``kesu.yaml12``).
- ``dump`` writes readable YAML in one house style, and quotes every string
  that a YAML 1.2 or 1.1 reader would take for something else.
- ``load_with_lines`` uses ruamel.yaml's round-trip loader only to find the
  line of a key for an error message (``path:line: message``).

The readers take YAML timestamps as the strings they are written as, like
check-jsonschema does, so the JSON Schema and an independent validator agree.
They refuse anchors/aliases (no case needs them; they are how "billion laughs"
bombs are built), merge keys (``<<``), duplicate keys, a ``%YAML`` directive
for any version but 1.2, and files over ``MAX_BYTES``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kesu import yamltree
from kesu.errors import UsageError
from kesu.i18n import _
from kesu.yaml12 import (ALIAS_REFUSED, MERGE, MERGE_REFUSED, SCALAR_READERS, STR, TIMESTAMP,
                         VALUE, YAML11_SHORT_BOOLS, YAML12_RULES, YamlError, add_scalar_readers,
                         check_version, duplicate_key, resolver_table)
from kesu.values import shorten

MAX_BYTES = 1024 * 1024


def _check_size(text: str | bytes, path: str | None) -> None:
    if len(text) > MAX_BYTES:
        raise YamlError(_("file is larger than {size} KiB; refusing to parse it").format(size=MAX_BYTES // 1024), path)


# ---------------------------------------------------------------- fast reader
_fast_loader = None


def _make_fast_loader():
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    rules = resolver_table(YAML12_RULES)
    known: dict[str, str] = {}  # plain scalar -> its tag, as the rules resolved it

    class Loader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = rules
        # The composer tells the resolver of every node it enters and leaves, for
        # path resolvers kesu has none of: two built-ins that take the same
        # arguments and do nothing a Python method would, 300 times a case file.
        descend_resolver = slice  # (parent, index)
        ascend_resolver = tuple  # ()

        def resolve(self, kind, value, implicit):
            # PyYAML's resolve, without the path resolvers kesu has none of
            if kind is ScalarNode:
                if not implicit[0]:
                    return STR
                tag = known.get(value)
                if tag is not None:
                    return tag
                tag = STR
                for rule_tag, pattern in rules.get(value[:1], ()):
                    if pattern.match(value):
                        tag = rule_tag
                        break
                # keys and codes repeat from file to file; times and numbers do not
                if len(known) < 20_000 and not value[:1].isdigit():
                    known[value] = tag
                return tag
            return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG

        def construct_object(self, node, deep=False):
            # A node met twice is an alias: refuse rather than share or expand it.
            if node in self.constructed_objects:
                raise ConstructorError(None, None, _(ALIAS_REFUSED), node.start_mark)
            return super().construct_object(node, deep)

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, MappingNode):
                return super().construct_mapping(node, deep)
            mapping: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == MERGE:
                    raise ConstructorError(None, None, _(MERGE_REFUSED), key_node.start_mark)
                if key_node.tag == VALUE:
                    key_node.tag = STR  # a "=" key is text to ruamel.yaml too
                key = self.construct_object(key_node, deep=deep)
                try:
                    seen = key in mapping
                except TypeError:  # a list or mapping as a key
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           "found unhashable key", key_node.start_mark) from None
                if seen:
                    raise ConstructorError(None, None, duplicate_key(key_node), key_node.start_mark)
                mapping[key] = self.construct_object(value_node, deep=deep)
            return mapping

    add_scalar_readers(Loader, ConstructorError)
    Loader.build = staticmethod(yamltree.builder(
        SCALAR_READERS, lambda message, mark: ConstructorError(None, None, _(message), mark),
        duplicate_key, MERGE_REFUSED))
    return Loader


def _load_document(text: str | bytes) -> Any:
    """``yaml.load`` with the fast loader, most documents built in one walk (kesu.yamltree)."""
    loader = _fast_loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if ("&" if isinstance(text, str) else b"&") not in text:
            try:
                return loader.build(node)
            except yamltree.Unusual:
                pass
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load(text: str | bytes, path: str | None = None) -> Any:
    """Parse ``text`` with libyaml and YAML 1.2 rules into plain dicts/lists/str/int/float."""
    global _fast_loader
    import yaml

    _check_size(text, path)
    check_version(text, path)
    if _fast_loader is None:
        _fast_loader = _make_fast_loader()
    try:
        return _load_document(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(_("invalid YAML: {problem}").format(problem=problem), path, line) from None


# ------------------------------------------------------------------ writer
class Flow(dict):
    """A mapping written on one line (timeline entries, compensation items)."""


def flow(mapping: dict) -> Flow:
    return Flow(mapping)


_dumper = None

#: Line breaks to YAML 1.1 (and libyaml, which PyYAML writes with) but not to YAML 1.2.
_YAML11_BREAKS = ("\x85", "\u2028", "\u2029")


def _make_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        # Indent list items under their key ("  - x"), as people write YAML.
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    # A string is written plain only when no reader would take it for anything
    # else: PyYAML's YAML 1.1 rules first (so numbers, booleans and null keep
    # their look), then YAML 1.2's and the 1.1 y/n booleans PyYAML leaves out.
    # Without the timestamp rules, ISO times are written unquoted in block
    # context, as people write them; the readers above read them as text.
    resolvers: dict[str, list] = {}
    for table in (yaml.SafeDumper.yaml_implicit_resolvers, resolver_table(YAML12_RULES),
                  resolver_table((YAML11_SHORT_BOOLS,))):
        for first, rules in table.items():
            resolvers.setdefault(first, []).extend(rule for rule in rules if rule[0] != TIMESTAMP)
    Dumper.yaml_implicit_resolvers = resolvers

    def represent_text(dumper, value: str):
        if any(char in value for char in _YAML11_BREAKS):
            style = '"'  # escaped; written raw, YAML 1.1 and 1.2 readers would disagree
        else:
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
_line_reader = None


def _make_line_reader():
    """ruamel.yaml's round-trip loader (YAML 1.2) with kesu's refusals."""
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import Composer, ComposerError
    from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
    from ruamel.yaml.events import AliasEvent

    class NoAliasComposer(Composer):
        def compose_node(self, parent, index):
            if self.parser.check_event(AliasEvent):
                raise ComposerError(None, None, _(ALIAS_REFUSED), self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)

    class StrictConstructor(RoundTripConstructor):
        def flatten_mapping(self, node):
            for key_node, _value in node.value:
                if key_node.tag == MERGE:
                    raise ConstructorError(None, None, _(MERGE_REFUSED), key_node.start_mark)
            return super().flatten_mapping(node)

        def check_mapping_key(self, node, key_node, mapping, key, value):
            if key in mapping:
                raise ConstructorError(None, None, duplicate_key(key_node), key_node.start_mark)
            return True

    add_scalar_readers(StrictConstructor, ConstructorError)
    for tag in (MERGE, VALUE):  # as values: no reader has a type for them
        StrictConstructor.add_constructor(tag, StrictConstructor.construct_undefined)

    def reader():
        round_trip = YAML(typ="rt")
        round_trip.Composer = NoAliasComposer
        round_trip.Constructor = StrictConstructor
        return round_trip

    return reader


def load_with_lines(text: str, path: str | None = None) -> Any:
    """Parse ``text`` with ruamel.yaml's round-trip loader, which records the
    line of every key (``.lc``); used to point error messages at a line.
    It refuses what ``load`` refuses."""
    global _line_reader
    from ruamel.yaml.error import MarkedYAMLError, YAMLError as RuamelError

    _check_size(text, path)
    check_version(text, path)
    if _line_reader is None:
        _line_reader = _make_line_reader()
    try:
        return _line_reader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(_("invalid YAML: {problem}").format(problem=exc.problem or exc.context), path, line) from None
    except RuamelError as exc:
        raise YamlError(_("invalid YAML: {problem}").format(problem=exc), path) from None


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
        raise UsageError(_("not a money amount with at most two decimals: {value}").format(value=shorten(value)))
    try:
        return Decimal(text.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than a Decimal holds
        raise UsageError(_("not a money amount kesu can hold: {value}").format(value=shorten(value))) from None

