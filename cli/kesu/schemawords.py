"""A JSON Schema finding in kesu's words, in the desk's language.

jsonschema writes its findings in English (``'x' is not one of [...]``); kesu
says each kind of finding itself, through the catalog, with the value and the
limit as named placeholders. The English wording follows jsonschema's, so a
script that matched it still does. Values are shown as ``repr`` (quoted), cut
short when long.
"""

from __future__ import annotations

import re
from typing import Any

from kesu.i18n import _, ngettext
from kesu.values import shorten


def _names(names) -> str:
    return ", ".join(repr(n) for n in names)


def _required(error) -> str:
    missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
    name = next((p for p in missing if error.message.startswith(repr(p))), missing[0] if missing else "?")
    return _("{name} is a required property").format(name=repr(name))


def _additional(error) -> str:
    schema, instance = error.schema, error.instance
    if not isinstance(instance, dict):
        return _fallback(error)
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = [k for k in instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]
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


def _simple(error) -> str:
    value, limit = shorten(error.instance), error.validator_value
    words = {
        "type": lambda: _("{value} is not of type {types}").format(
            value=value, types=_names(limit if isinstance(limit, list) else [limit])),
        "enum": lambda: _("{value} is not one of {choices}").format(value=value, choices=repr(limit)),
        "const": lambda: _("{expected} was expected").format(expected=repr(limit)),
        "pattern": lambda: _("{value} does not match {pattern}").format(value=value, pattern=repr(limit)),
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
