"""A JSON Schema finding in kesu's words, in the desk's language.

jsonschema writes its findings in English (``'x' is not one of [...]``); kesu
says each kind of finding itself, through the catalog, with the value and the
limit as named placeholders. The English wording follows jsonschema's, so a
script that matched it still does, except where jsonschema shows its own
notation: the choices of an ``enum`` are listed plainly (labelled in Chinese),
and a ``pattern`` kesu's schemas use is said as what it stands for ("a duration
like 30m, 4h, 3d or 2wd"). Values are shown as ``repr`` (quoted), cut short
when long. kesu.yaml's findings and the case files' are said here alike.
"""

from __future__ import annotations

import re
from typing import Any

from kesu.i18n import N_, _, language, ngettext
from kesu.values import shorten
from kesu.vocab import label_and_code

#: The patterns of kesu's schemas, as what they stand for.
PATTERN_WORDS = {
    r"^\d+(m|h|d|wd)$": N_("a duration like 30m, 4h, 3d or 2wd"),
    r"^\d+(m|h|d)$": N_("a duration like 30m, 4h or 3d"),
    r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$": N_("opening hours like 09:00-21:00"),
    r"^\d{4}-\d{2}-\d{2}$": N_("a date like 2026-11-23"),
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$":
        N_("a time like 2026-11-23T16:10+08:00"),
    r"^[A-Z][A-Z0-9]{0,9}-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$": N_("a case ID like KS-20261123-7F3KQ2"),
    r"^[A-Z][A-Z0-9]{0,9}$": N_("an ID prefix like KS (capital letters and digits)"),
    r"^C\d{3,}$": N_("a claimant ref like C001"),
    r"^[0-9a-f]{64}$": N_("a SHA-256 digest (64 hexadecimal digits)"),
    r"^evidence/[^/]+/[^/.][^/]*$": N_("a file under evidence/<case ID>/"),
    r"^[A-Za-z_][A-Za-z0-9_]*$": N_("a code of letters, digits and _"),
    r"^[^\s/\\]+$": N_("a name without spaces or slashes"),
}
#: JSON types as a clerk reads them (in English jsonschema's own quoted names stay).
TYPE_WORDS = {"number": N_("a number"), "integer": N_("a whole number"), "string": N_("text"),
              "object": N_("a mapping of keys to values"), "array": N_("a list"),
              "boolean": N_("true or false"), "null": N_("nothing")}


def _names(names) -> str:
    return ", ".join(repr(n) for n in names)


def _required(error) -> str:
    missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
    name = next((p for p in missing if error.message.startswith(repr(p))), missing[0] if missing else "?")
    return _("{name} is a required property").format(name=repr(name))


def extra_keys(error) -> list:
    """The keys an ``additionalProperties`` finding is about, in the file's order."""
    schema, instance = error.schema, error.instance
    if error.validator != "additionalProperties" or not isinstance(instance, dict):
        return []
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [k for k in instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]


def _additional(error) -> str:
    if not isinstance(error.instance, dict):
        return _fallback(error)
    extra = extra_keys(error)
    return ngettext("unknown key {names} (not allowed here)", "unknown keys {names} (not allowed here)",
                    len(extra)).format(names=_names(extra))


def _length(error) -> str:
    value, limit = shorten(error.instance), error.validator_value
    if error.validator in ("minLength", "minItems") and limit == 1:
        return _("{value} should be non-empty").format(value=value)
    words = {
        "minLength": _("{value} is too short (at least {limit} characters)"),
        "maxLength": _("{value} is too long (at most {limit} characters)"),
        "minItems": _("{value} has too few items (at least {limit})"),
        "maxItems": _("{value} has too many items (at most {limit})"),
    }[error.validator]
    return words.format(value=value, limit=limit)


def _one_of(error) -> str:
    # jsonschema leaves the errors of each form in ``context`` when none fits;
    # with no context more than one fitted (oneOf).
    if error.context or error.validator == "anyOf":
        return _("{value} fits none of the forms allowed here").format(value=shorten(error.instance))
    return _("{value} fits more than one of the forms allowed here").format(value=shorten(error.instance))


def _types(types) -> str:
    types = types if isinstance(types, list) else [types]
    if language() == "en":
        return _names(types)
    return _(" or ").join(_(TYPE_WORDS[t]) if t in TYPE_WORDS else repr(t) for t in types)


def _choices(choices) -> str:
    """An enum's choices listed plainly, each by its label with the code to write in Chinese."""
    return _(", ").join(label_and_code(c, language()) if isinstance(c, str) else repr(c) for c in choices)


def _pattern(value: str, pattern: str) -> str:
    if pattern in PATTERN_WORDS:
        return _("{value} is not {what}").format(value=value, what=_(PATTERN_WORDS[pattern]))
    return _("{value} does not match {pattern}").format(value=value, pattern=repr(pattern))


def _simple(error) -> str:
    value, limit = shorten(error.instance), error.validator_value
    words = {
        "type": lambda: _("{value} is not of type {types}").format(value=value, types=_types(limit)),
        "enum": lambda: _("{value} is not one of: {choices}").format(value=value, choices=_choices(limit)),
        "const": lambda: _("{expected} was expected").format(expected=repr(limit)),
        "pattern": lambda: _pattern(value, limit),
        "format": lambda: _("{value} is not a {format}").format(value=value, format=repr(limit)),
        "minimum": lambda: _("{value} is less than the minimum of {limit}").format(value=value, limit=limit),
        "maximum": lambda: _("{value} is greater than the maximum of {limit}").format(value=value, limit=limit),
        "exclusiveMinimum": lambda: _("{value} is less than or equal to the minimum of {limit}").format(
            value=value, limit=limit),
        "exclusiveMaximum": lambda: _("{value} is greater than or equal to the maximum of {limit}").format(
            value=value, limit=limit),
        "uniqueItems": lambda: _("{value} has non-unique elements").format(value=value),
        "not": lambda: _("{value} is not allowed here").format(value=value),
    }
    return words[error.validator]()


def _fallback(error) -> str:
    """A keyword kesu's schemas do not use yet: still the desk's words, naming the keyword."""
    return _("{value} is not valid here (schema rule {rule!r})").format(
        value=shorten(error.instance), rule=error.validator)


_SAYS = {"required": _required, "additionalProperties": _additional, "minLength": _length,
         "maxLength": _length, "minItems": _length, "maxItems": _length, "oneOf": _one_of, "anyOf": _one_of}
_SIMPLE = {"type", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
           "exclusiveMaximum", "uniqueItems", "not"}


def schema_message(error: Any) -> str:
    """One jsonschema ``ValidationError`` in kesu's words."""
    if error.validator in _SAYS:
        return _SAYS[error.validator](error)
    if error.validator in _SIMPLE:
        return _simple(error)
    return _fallback(error)
