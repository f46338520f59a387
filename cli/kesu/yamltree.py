"""libyaml's node tree made into data in one walk, for ``yamlio.load``.

PyYAML's constructor is generic: per node it looks up a constructor by tag,
keeps a table of the nodes built (to share aliases) and runs generators (to
build recursive structures). A case file needs none of that, and building
its 300-odd nodes that way cost more than parsing them. ``build`` makes the
same plain dicts, lists and scalars directly, with the same YAML 1.2 scalar
readers and the same refusals (merge keys, duplicate and unhashable keys,
scalars that are not what their tag says); a node it has no fast answer for
(an explicit ``!!binary``, ``!!set``, a local tag) raises ``Unusual``, and
the caller builds that document with PyYAML's own constructor instead, so
the odd file is read exactly as before.

Aliases need no check here: a document without ``&`` has no anchor, and an
alias to no anchor is refused by the parser; documents with ``&`` anywhere
go to PyYAML's constructor, which refuses aliases.
"""

from __future__ import annotations

from typing import Any, Callable

TAG = "tag:yaml.org,2002:"
STR, SEQ, MAP = TAG + "str", TAG + "seq", TAG + "map"
MERGE, VALUE = TAG + "merge", TAG + "value"


class Unusual(Exception):
    """A node this walk leaves to PyYAML's constructor."""


def builder(readers: dict[str, tuple[Callable[[str], Any], str]], refuse: Callable[[str, Any], Exception],
            duplicate: Callable[[Any], str], merge_refused: str):
    """``build(node)`` under ``readers`` (tag -> the reader of a scalar's text, raising
    ValueError or KeyError for a text it cannot read, and what the text should
    be); ``refuse(message, mark)``
    makes the error PyYAML's constructor would raise."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    def build(node) -> Any:
        kind, tag = type(node), node.tag
        if kind is ScalarNode:
            if tag == STR:
                return node.value
            if tag not in readers:
                raise Unusual(tag)
            reader, what = readers[tag]
            try:
                return reader(node.value)
            except (ValueError, KeyError):
                raise refuse(f"{node.value!r} is not {what}", node.start_mark) from None
        if kind is MappingNode and tag == MAP:
            mapping: dict = {}
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == STR and type(key_node) is ScalarNode:  # most keys: built here
                    key = key_node.value
                elif key_tag == MERGE:
                    raise refuse(merge_refused, key_node.start_mark)
                else:
                    key = key_node.value if key_tag == VALUE else build(key_node)  # "=" is text
                try:
                    seen = key in mapping
                except TypeError:  # a list or mapping as a key
                    raise Unusual("unhashable key") from None
                if seen:
                    raise refuse(duplicate(key_node), key_node.start_mark)
                mapping[key] = (value_node.value if value_node.tag == STR and type(value_node) is ScalarNode
                                else build(value_node))
            return mapping
        if kind is SequenceNode and tag == SEQ:
            return [child.value if child.tag == STR and type(child) is ScalarNode else build(child)
                    for child in node.value]
        raise Unusual(tag)

    return build
