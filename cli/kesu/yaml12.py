"""The YAML kesu reads: YAML 1.2 as ruamel.yaml (and so check-jsonschema) reads it.

Which plain scalar is a number, a boolean or null, rule for rule as ruamel.yaml's
VersionedResolver decides for YAML 1.2; how a typed scalar's text becomes a value;
what kesu refuses (merge keys, anchors and aliases, duplicate keys, a ``%YAML``
directive for another version) and how it says so. ``kesu.yamlio``'s readers and
writer are built on these, and so is the fast reader of ``kesu.yamltree``.
"""

from __future__ import annotations

import math
import re

from kesu.errors import UsageError
from kesu.i18n import N_, _

TAG = "tag:yaml.org,2002:"
STR, TIMESTAMP, MERGE, VALUE = (TAG + name for name in ("str", "timestamp", "merge", "value"))

MERGE_REFUSED = N_("merge keys (<<) are not allowed")
ALIAS_REFUSED = N_("anchors and aliases are not allowed")


class YamlError(UsageError):
    """A file that is not acceptable YAML; carries path and line."""


def duplicate_key(key_node) -> str:
    if not isinstance(key_node.value, str):
        return _("duplicate key (a collection)")
    return _("duplicate key {key!r}").format(key=key_node.value)


# ------------------------------------------------------------ YAML 1.2 rules
#: How a plain (unquoted, untagged) scalar is read, rule for rule and in the
#: same order as ruamel.yaml's VersionedResolver for YAML 1.2, which is what
#: check-jsonschema reads with: (tag, pattern, its re flags, characters a match can start with).
#: The patterns are ruamel's, verbatim (tests/test_yaml12.py compares them).
YAML12_RULES: tuple[tuple[str, str, int, str | tuple[str, ...]], ...] = (
    (TAG + "bool", '''^(?:true|True|TRUE|false|False|FALSE)$''', re.X, "tTfF"),
    (TAG + "float", '''^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$''', re.X, "-+0123456789."),
    (TAG + "int", '''^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$''', re.X, "-+0123456789"),
    (MERGE, '^(?:<<)$', 0, "<"),
    (TAG + "null", '''^(?: ~
        |null|Null|NULL
        | )$''', re.X, ("~", "n", "N", "")),
    (TIMESTAMP, '''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, "0123456789"),
    (VALUE, '^(?:=)$', 0, "="),
    (TAG + "yaml", '^(?:!|&|\\*)$', 0, "!&*"),
)

#: YAML 1.1 booleans that PyYAML's writer does not know; a 1.1 reader takes them for true/false.
YAML11_SHORT_BOOLS = (TAG + "bool", '^(?:y|Y|n|N)$', 0, "yYnN")


def resolver_table(rules, leave_out: str | None = None) -> dict[str, list]:
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


def check_version(text: str | bytes, path: str | None) -> None:
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
SCALAR_READERS = {
    TAG + "int": (_int_value, N_("an integer")),
    TAG + "float": (_float_value, N_("a number")),
    TAG + "bool": (lambda text: _BOOL_WORDS[text.lower()], N_("true or false")),
    TAG + "null": (lambda text: None, N_("null")),
    TIMESTAMP: (str, N_("text")),  # times stay the text they were written as
}


def add_scalar_readers(constructor_class, error_class) -> None:
    """Give a PyYAML or ruamel.yaml constructor class kesu's YAML 1.2 scalar readers."""
    for tag, (convert, what) in SCALAR_READERS.items():
        def construct(constructor, node, convert=convert, what=what):
            text = constructor.construct_scalar(node)
            try:
                return convert(text)
            except (ValueError, KeyError):
                raise error_class(None, None, _("{text!r} is not {what}").format(text=text, what=_(what)),
                                  node.start_mark) from None
        constructor_class.add_constructor(tag, construct)
