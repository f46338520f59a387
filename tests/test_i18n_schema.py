"""kesu validate's schema findings in kesu's words: each kind of JSON Schema finding
in the desk's language, the ``path:line:`` prefix kept; in English, jsonschema's wording."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from conftest import kesu, new_case
from kesu import i18n
from kesu.schemawords import schema_message
from test_i18n import english_words

HAN = re.compile(r"[\u4e00-\u9fff]")

#: One way to break a new case per kind of finding: (kind, text replaced, replacement).
BROKEN = [
    ("required", "channel: counter\n", ""),
    ("type", "channel: counter", "channel: [counter]"),
    ("enum", "state: received", "state: lost"),
    ("const", "schema_version: 1", "schema_version: 7"),
    ("pattern", "id: KS-", "id: XX-"),
    ("bad time", "received_at: 2026-11-23T16:10:00+08:00", "received_at: '2026-11-23 late'"),
    ("minLength", "summary: 草莓霉变", "summary: ''"),
    ("additionalProperties", "channel: counter\n", "channel: counter\ncolour: red\nmood: good\n"),
    ("minItems", "timeline:\n", "timeline: []\nold_timeline:\n"),
]


@pytest.mark.parametrize("kind,old,new", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_kind_of_schema_finding_speaks_the_desk_language(archive, kind, old, new):
    case_id = new_case(archive)
    path = next(archive.glob(f"cases/*/*/{case_id}.yaml"))
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    chinese = kesu("validate", cwd=archive, env={"KESU_LANG": "zh-CN"})
    assert chinese.returncode == 1, chinese.stdout + chinese.stderr
    lines = chinese.stdout.splitlines()
    assert lines and all(re.match(r"^cases/\d{4}/\d{2}/KS-[\w-]+\.yaml:\d+: \S", line) for line in lines), lines
    typed = set(re.findall(r"[A-Za-z]{3,}", new))  # the broken value, as the clerk wrote it
    for line in lines:
        assert HAN.search(line) and [w for w in english_words(line.split(": ", 1)[1]) if w not in typed] == [], line
    english = kesu("validate", cwd=archive, env={"KESU_LANG": "en"})
    assert english.returncode == 1 and not HAN.search(re.sub(r"草莓霉变", "", english.stdout)), english.stdout


#: Kinds a new case cannot show on its own: (schema, a value it refuses).
SCHEMAS = {
    "minimum": ({"minimum": 1}, 0), "maximum": ({"maximum": 1}, 2),
    "exclusiveMinimum": ({"exclusiveMinimum": 0}, 0), "exclusiveMaximum": ({"exclusiveMaximum": 0}, 0),
    "maxLength": ({"maxLength": 2}, "abc"), "minLength": ({"minLength": 3}, "a"),
    "minItems": ({"minItems": 2}, [1]), "maxItems": ({"maxItems": 1}, [1, 2]),
    "uniqueItems": ({"uniqueItems": True}, [1, 1]),
    "oneOf none": ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 1.5),
    "oneOf both": ({"oneOf": [{"type": "string"}, {"minLength": 1}]}, "a"),
    "anyOf": ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1.5),
    "not": ({"not": {"type": "string"}}, "a"),
    "propertyNames": ({"propertyNames": {"pattern": "^a"}}, {"bad": 1}),
    "type list": ({"type": ["string", "null"]}, 1),
    "additionalProperties one": ({"properties": {"a": {}}, "additionalProperties": False}, {"b": 1}),
    "fallback": ({"multipleOf": 2}, 3),
    "dependentRequired": ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
}


@pytest.fixture
def speak():
    yield i18n.choose
    i18n.choose("en")


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_every_schema_keyword_has_kesus_words_in_both_languages(speak, kind):
    schema, value = SCHEMAS[kind]
    [error] = list(Draft202012Validator(schema).iter_errors(value))
    speak("zh-CN")
    chinese = schema_message(error)
    assert HAN.search(chinese) and english_words(chinese) == [], chinese
    speak("en")
    english = schema_message(error)
    assert not HAN.search(english) and len(re.findall(r"\b[a-z]{2,}\b", english)) >= 2, english


def test_english_keeps_jsonschemas_wording_for_the_common_kinds(speak):
    speak("en")
    for schema, value in (({"type": "array"}, 5), ({"required": ["x"]}, {}),
                          ({"pattern": "^a"}, "b"), ({"format": "date"}, "x"), ({"const": 1}, 2)):
        [error] = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                       .iter_errors(value))
        assert schema_message(error) == error.message


def test_choices_and_kesus_own_patterns_are_said_plainly(speak):
    """Not jsonschema's notation (a Python list, a regular expression) but what a clerk writes."""
    states = {"enum": ["received", "acknowledged"]}
    duration = {"pattern": r"^\d+(m|h|d|wd)$"}
    [choice] = list(Draft202012Validator(states).iter_errors("lost"))
    [soon] = list(Draft202012Validator(duration).iter_errors("soon"))
    [lots] = list(Draft202012Validator({"type": "number"}).iter_errors("lots"))
    assert schema_message(choice) == "'lost' is not one of: received, acknowledged"
    assert schema_message(soon) == "'soon' is not a duration like 30m, 4h, 3d or 2wd"
    speak("zh-CN")
    assert "已受理 (received)" in schema_message(choice) and "[" not in schema_message(choice)
    assert "30m、4h" in schema_message(soon) and "^" not in schema_message(soon)
    assert "数字" in schema_message(lots) and "number" not in schema_message(lots)
