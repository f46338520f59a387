"""yamlio's writer for the shapes case files have, without PyYAML's event machinery.

``yamlio.dump`` runs PyYAML's pure-Python emitter, event by event; for a bulk
write (``kesu import`` of a whole ledger) that is most of the time spent.
``dump`` here writes the same bytes directly for the documents it is sure
about, and answers None for any other, so that the caller falls back on
``yamlio.dump``. It is sure about:

- block mappings with short one-line text keys, block sequences under them
  (indented, as yamlio writes them), ``Flow`` mappings with flow lists and
  mappings inside, empty collections;
- scalars that PyYAML writes plain or in single quotes on one line.

Every decision about a scalar is PyYAML's own, made by yamlio's dumper: its
representer gives the text, tag and requested style, its resolver whether the
text reads back as that tag, its emitter's ``analyze_scalar`` what the text
allows; the choice among them is ``Emitter.choose_scalar_style``'s. Anything
else — a literal block (multi-line text), double quotes, a tag to write, an
object met twice (an alias), a line longer than the line width (PyYAML folds
it), a key PyYAML would write as ``? key`` — gives None.
tests/test_yamlfast.py holds the two writers to the same bytes.
"""

from __future__ import annotations

from typing import Any

from kesu import yamlio

#: The line width yamlio.dump writes with; longer lines are folded by PyYAML.
WIDTH = 4096
#: Types PyYAML never writes as an alias (its SafeRepresenter.ignore_aliases).
_NO_ALIAS = (str, bytes, bool, int, float, type(None))
#: Contexts of a scalar: (in a flow collection, as a mapping key).
BLOCK, FLOW, BLOCK_KEY, FLOW_KEY = (False, False), (True, False), (False, True), (True, True)


class _Unsure(Exception):
    """The document holds something this writer leaves to PyYAML."""


_dumper = None
_tokens: dict[tuple, str | None] = {}


def _the_dumper():
    global _dumper
    if _dumper is None:
        import io

        yamlio.dump({})  # makes yamlio's dumper class
        _dumper = yamlio._dumper(io.StringIO(), allow_unicode=True, width=WIDTH,
                                 default_flow_style=False, sort_keys=False)
        _dumper.tag_prefixes = dict(_dumper.DEFAULT_TAG_PREFIXES)  # as in every document it starts
    return _dumper


def dump(data: Any) -> str | None:
    """``yamlio.dump(data)``'s text, or None when this writer is not sure of it."""
    if type(data) is not dict or not data:
        return None
    out: list[str] = []
    try:
        _block_mapping(data, 0, out, {id(data)}, first_inline=False)
    except _Unsure:
        return None
    text = "".join(out)
    if any(len(line) > WIDTH for line in text.split("\n")):
        return None
    return text


def _seen(value: Any, met: set) -> None:
    """Note ``value`` met; a collection of a type yamlio's dumper does not know is PyYAML's."""
    if isinstance(value, (dict, list)) and type(value) not in _COLLECTIONS:
        raise _Unsure
    if not isinstance(value, _NO_ALIAS) and value != ():
        if id(value) in met:
            raise _Unsure  # PyYAML would write an anchor and an alias
        met.add(id(value))


_COLLECTIONS = (dict, list, yamlio.Flow)
#: Distinct scalars remembered; beyond, the memory is cleared.
_MEMORY = 200_000


def _scalar(value: Any, context: tuple[bool, bool]) -> str:
    """The scalar as PyYAML writes it in ``context``, without the space before it."""
    # others by their text, not their value: 0.0 == -0.0, and Decimal("0") == Decimal("-0")
    key = (value, context) if type(value) is str else (type(value), repr(value), context)
    try:
        token = _tokens[key]
    except KeyError:
        if len(_tokens) > _MEMORY:
            _tokens.clear()
        token = _tokens[key] = _choose(value, *context)
    if token is None:
        raise _Unsure
    return token


def _choose(value: Any, flow: bool, simple_key: bool) -> str | None:
    from yaml.nodes import ScalarNode

    dumper = _the_dumper()
    represent = dumper.yaml_representers.get(type(value))
    if represent is None:
        return None
    node = represent(dumper, value)
    if not isinstance(node, ScalarNode) or node.style is not None:
        return None  # a literal block or double quotes: PyYAML's to write
    text = node.value
    plain_reads_back = dumper.resolve(ScalarNode, text, (True, False)) == node.tag
    quoted_reads_back = dumper.resolve(ScalarNode, text, (False, True)) == node.tag
    analysis = dumper.analyze_scalar(text)
    if analysis.multiline or "\n" in text:
        return None
    if simple_key and (analysis.empty or len(text) + len(dumper.prepare_tag(node.tag)) >= 128):
        return None  # PyYAML writes "? key"
    # Emitter.choose_scalar_style, with no style asked for and no canonical output:
    if plain_reads_back and not (simple_key and analysis.empty) and (
            analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return text
    if not quoted_reads_back:
        return None  # PyYAML writes a tag
    if analysis.allow_single_quoted:
        return "'" + text.replace("'", "''") + "'"
    return None


def _key(key: Any, flow: bool) -> str:
    if type(key) is not str:
        raise _Unsure
    return _scalar(key, FLOW_KEY if flow else BLOCK_KEY)


def _block_mapping(mapping: dict, indent: int, out: list[str], met: set, first_inline: bool) -> None:
    """Keys at column ``indent``; the first on the current line when ``first_inline`` (a list item)."""
    pad = " " * indent
    for n, (key, value) in enumerate(mapping.items()):
        if n or not first_inline:
            out.append(pad)
        out.append(_key(key, False) + ":")
        _block_value(value, indent, out, met)


def _block_value(value: Any, indent: int, out: list[str], met: set) -> None:
    """A mapping value after ``key:`` at ``indent``, to the end of its lines."""
    if type(value) is not str:
        _seen(value, met)
    if isinstance(value, yamlio.Flow) or (isinstance(value, (dict, list)) and not value):
        out.append(" " + _flow(value, met) + "\n")
    elif isinstance(value, dict):
        out.append("\n")
        _block_mapping(value, indent + 2, out, met, first_inline=False)
    elif isinstance(value, list):
        out.append("\n")
        _block_sequence(value, indent + 2, out, met)
    else:
        out.append(" " + _scalar(value, BLOCK) + "\n")


def _block_sequence(items: list, indent: int, out: list[str], met: set) -> None:
    pad = " " * indent
    for item in items:
        if type(item) is not str:
            _seen(item, met)
        out.append(pad + "-")
        if isinstance(item, yamlio.Flow) or (isinstance(item, (dict, list)) and not item):
            out.append(" " + _flow(item, met) + "\n")
        elif isinstance(item, dict):
            out.append(" ")
            _block_mapping(item, indent + 2, out, met, first_inline=True)
        elif isinstance(item, list):
            raise _Unsure  # a list in a list: not in a case file
        else:
            out.append(" " + _scalar(item, BLOCK) + "\n")


def _flow(value: Any, met: set) -> str:
    """A collection in flow style: ``{k: v, …}`` or ``[a, …]``."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            parts.append(_key(key, True) + ": " + _flow_item(item, met))
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow_item(item, met) for item in value) + "]"
    raise _Unsure


def _flow_item(value: Any, met: set) -> str:
    if type(value) is not str:
        _seen(value, met)
    if isinstance(value, (dict, list)):
        return _flow(value, met)
    return _scalar(value, FLOW)
