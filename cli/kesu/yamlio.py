"""YAML in and out: the only module that parses or writes YAML.

kesu reads and writes YAML 1.2, the version check-jsonschema (ruamel.yaml)
reads, so that kesu and an independent validator see the same values:
``yes``, ``on`` and ``n`` are text, ``012`` is twelve, ``1:20`` is text.

- ``load`` parses with libyaml (PyYAML's C parser), the fastest reader there
  is: every read goes through it, and a step must stay close to a bare git
  commit. Which plain scalar is a number, a boolean or null is decided here,
  by ruamel.yaml's YAML 1.2 rules.
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

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kesu import yamltree
from kesu.i18n import N_, _
from kesu.errors import UsageError
from kesu.values import shorten

MAX_BYTES = 1024 * 1024

_TAG = "tag:yaml.org,2002:"
_STR, _TIMESTAMP, _MERGE, _VALUE = (_TAG + name for name in ("str", "timestamp", "merge", "value"))

MERGE_REFUSED = N_("merge keys (<<) are not allowed")
ALIAS_REFUSED = N_("anchors and aliases are not allowed")


class YamlError(UsageError):
    """A file that is not acceptable YAML; carries path and line."""


def _check_size(text: str | bytes, path: str | None) -> None:
    if len(text) > MAX_BYTES:
        raise YamlError(_("file is larger than {size} KiB; refusing to parse it").format(size=MAX_BYTES // 1024), path)


def _duplicate_key(key_node) -> str:
    if not isinstance(key_node.value, str):
        return _("duplicate key (a collection)")
    return _("duplicate key {key!r}").format(key=key_node.value)


# ------------------------------------------------------------ YAML 1.2 rules
#: How a plain (unquoted, untagged) scalar is read, rule for rule and in the
#: same order as ruamel.yaml's VersionedResolver for YAML 1.2, which is what
#: check-jsonschema reads with: (tag, pattern, its re flags, characters a match can start with).
#: The patterns are ruamel's, verbatim (tests/test_yaml12.py compares them).
YAML12_RULES: tuple[tuple[str, str, int, str | tuple[str, ...]], ...] = (
    (_TAG + "bool", '''^(?:true|True|TRUE|false|False|FALSE)$''', re.X, "tTfF"),
    (_TAG + "float", '''^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$''', re.X, "-+0123456789."),
    (_TAG + "int", '''^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$''', re.X, "-+0123456789"),
    (_MERGE, '^(?:<<)$', 0, "<"),
    (_TAG + "null", '''^(?: ~
        |null|Null|NULL
        | )$''', re.X, ("~", "n", "N", "")),
    (_TIMESTAMP, '''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, "0123456789"),
    (_VALUE, '^(?:=)$', 0, "="),
    (_TAG + "yaml", '^(?:!|&|\\*)$', 0, "!&*"),
)

#: YAML 1.1 booleans that PyYAML's writer does not know; a 1.1 reader takes them for true/false.
_YAML11_SHORT_BOOLS = (_TAG + "bool", '^(?:y|Y|n|N)$', 0, "yYnN")


def _resolver_table(rules, leave_out: str | None = None) -> dict[str, list]:
    """Rules as PyYAML's resolvers want them: first character -> [(tag, compiled pattern)]."""
    table: dict[str, list] = {}
    for tag, pattern, flags, firsts in rules:
        if tag == leave_out:
            continue
        compiled = re.compile(pattern, flags)
        for first in firsts:
            table.setdefault(first, []).append((tag, compiled))
    return table


def _signed(text: str) -> tuple[int, str]:
    """ruamel.yaml's first step with a number: drop underscores, take off the sign."""
    digits = text.replace("_", "")
    if digits[:1] in ("+", "-"):
        return (-1 if digits[0] == "-" else 1), digits[1:]
    return 1, digits


def _int_value(text: str) -> int:
    """An integer as ruamel.yaml reads it under YAML 1.2 (``012`` is 12, ``0o12`` is 10)."""
    sign, digits = _signed(text)
    if digits == "0":
        return 0
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def _float_value(text: str) -> float:
    """A float as ruamel.yaml reads it under YAML 1.2 (no sexagesimal ``1:20.5``)."""
    sign, digits = _signed(text.lower())
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    return sign * float(digits)


#: The words an explicit ``!!bool`` accepts, as ruamel.yaml has them.
_BOOL_WORDS = {"yes": True, "no": False, "y": True, "n": False, "true": True, "false": False,
               "on": True, "off": False}

_VERSION_DIRECTIVE = re.compile(r"%YAML[ \t]+(\S+)")


def _check_version(text: str | bytes, path: str | None) -> None:
    """Refuse a ``%YAML`` directive for any version but 1.2.

    ruamel.yaml would switch to YAML 1.1 rules for such a file (``yes`` becomes
    true), libyaml would not; kesu reads one YAML, so it says so instead.
    """
    if isinstance(text, bytes):
        if b"%YAML" not in text:
            return
        text = text.decode("utf-8", "replace")
    elif "%YAML" not in text:
        return  # the common case: a plain search, no splitting
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        directive = _VERSION_DIRECTIVE.match(line)
        if directive and directive.group(1) != "1.2":
            raise YamlError(_("invalid YAML: kesu reads YAML 1.2, not %YAML {version}; remove the directive").format(
                version=directive.group(1)), path, number)
        if line.strip() and not line.startswith(("%", "#")):
            return  # directives come only before the document


#: How the text of a typed scalar becomes a value: ruamel.yaml's YAML 1.2
#: readings, except that times stay text. tag -> (reader, what the text should be).
_SCALAR_READERS = {
    _TAG + "int": (_int_value, "an integer"),
    _TAG + "float": (_float_value, "a number"),
    _TAG + "bool": (lambda text: _BOOL_WORDS[text.lower()], "true or false"),
    _TAG + "null": (lambda text: None, "null"),
    _TIMESTAMP: (str, "text"),  # times stay the text they were written as
}


def _add_scalar_readers(constructor_class, error_class) -> None:
    """Give a PyYAML or ruamel.yaml constructor class kesu's YAML 1.2 scalar readers."""
    for tag, (convert, what) in _SCALAR_READERS.items():
        def construct(constructor, node, convert=convert, what=what):
            text = constructor.construct_scalar(node)
            try:
                return convert(text)
            except (ValueError, KeyError):
                raise error_class(None, None, f"{text!r} is not {what}", node.start_mark) from None
        constructor_class.add_constructor(tag, construct)


# ---------------------------------------------------------------- fast reader
_fast_loader = None


def _make_fast_loader():
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    rules = _resolver_table(YAML12_RULES)
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
                    return _STR
                tag = known.get(value)
                if tag is not None:
                    return tag
                tag = _STR
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
                if key_node.tag == _MERGE:
                    raise ConstructorError(None, None, _(MERGE_REFUSED), key_node.start_mark)
                if key_node.tag == _VALUE:
                    key_node.tag = _STR  # a "=" key is text to ruamel.yaml too
                key = self.construct_object(key_node, deep=deep)
                try:
                    seen = key in mapping
                except TypeError:  # a list or mapping as a key
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           "found unhashable key", key_node.start_mark) from None
                if seen:
                    raise ConstructorError(None, None, _duplicate_key(key_node), key_node.start_mark)
                mapping[key] = self.construct_object(value_node, deep=deep)
            return mapping

    _add_scalar_readers(Loader, ConstructorError)
    Loader.build = staticmethod(yamltree.builder(
        _SCALAR_READERS, lambda message, mark: ConstructorError(None, None, _(message), mark),
        _duplicate_key, MERGE_REFUSED))
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
    _check_version(text, path)
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
    for table in (yaml.SafeDumper.yaml_implicit_resolvers, _resolver_table(YAML12_RULES),
                  _resolver_table((_YAML11_SHORT_BOOLS,))):
        for first, rules in table.items():
            resolvers.setdefault(first, []).extend(rule for rule in rules if rule[0] != _TIMESTAMP)
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
                if key_node.tag == _MERGE:
                    raise ConstructorError(None, None, _(MERGE_REFUSED), key_node.start_mark)
            return super().flatten_mapping(node)

        def check_mapping_key(self, node, key_node, mapping, key, value):
            if key in mapping:
                raise ConstructorError(None, None, _duplicate_key(key_node), key_node.start_mark)
            return True

    _add_scalar_readers(StrictConstructor, ConstructorError)
    for tag in (_MERGE, _VALUE):  # as values: no reader has a type for them
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
    _check_version(text, path)
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

