"""kesu.yamlfast writes the very bytes yamlio.dump writes, or leaves the document to it.

The audit replays every step and compares the text byte for byte, so a file
written by the quick writer must be the one PyYAML's emitter would write:
these properties throw at both writers documents of every shape a case has
(and some it never has), filled with the awkward texts of the replay and
YAML 1.2 tests, any Unicode, numbers of every kind, long lines and shared
objects. Whenever the quick writer answers, its answer must be PyYAML's.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from kesu import casefile, yamlfast, yamlio

from test_replay import SAMPLES, TRICKY, _walk, text as replay_text
from test_yaml12 import plain_scalars

texts = st.one_of(
    st.sampled_from(TRICKY), replay_text, plain_scalars,
    st.text(max_size=20),  # any Unicode: special and non-printable characters, breaks of every kind
    st.text(alphabet=" 'ab:#-中", min_size=0, max_size=8),
)
#: Around the line width (4096), where PyYAML starts folding.
long_texts = st.integers(1, 3).flatmap(lambda n: st.text(alphabet="ab '中:", min_size=4080 // n,
                                                           max_size=4100 // n))
keys = st.one_of(texts.filter(lambda t: len(t) < 40), st.text(alphabet="ab", min_size=118, max_size=130),
                 st.integers(0, 3))
scalars = st.one_of(texts, st.integers(), st.floats(), st.booleans(), st.none(),
                    st.decimals(allow_nan=False, places=2), st.sampled_from([-0.0, 0.0, 1e17, Decimal("-0")]))


def containers(children):
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4),
                     st.dictionaries(keys, children, max_size=4).map(yamlio.flow))


documents = st.dictionaries(keys, st.recursive(scalars, containers, max_leaves=12), min_size=1, max_size=6)


def same_or_unsure(document) -> bool:
    quick = yamlfast.dump(document)
    if quick is not None:
        assert quick == yamlio.dump(document)
    return quick is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_whenever_the_quick_writer_answers_it_writes_what_pyyaml_writes(document):
    same_or_unsure(document)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(long_texts, min_size=1, max_size=3), st.sampled_from(["block", "item", "flow"]))
def test_lines_around_the_width_are_written_alike(parts, where):
    value = {"block": parts[0], "item": parts, "flow": [yamlio.flow({"t": p}) for p in parts]}[where]
    same_or_unsure({"k": value, "after": "x"})


@settings(max_examples=100, deadline=None)
@given(documents, st.data())
def test_an_object_met_twice_is_left_to_pyyaml(document, data):
    shared = data.draw(st.one_of(st.lists(scalars, min_size=1, max_size=2),
                                 st.dictionaries(keys, scalars, min_size=1, max_size=2),
                                 st.decimals(allow_nan=False, places=2)))
    document = {**document, "one": shared, "two": [shared]}
    same_or_unsure(document)


def _dumped_by_case_text(text: str) -> dict:
    """The document case_text hands to the writer for the case ``text``."""
    handed = []
    real = yamlio.dump
    yamlio.dump = lambda data: handed.append(data) or real(data)
    try:
        casefile.case_text(casefile.load_case(text))
    finally:
        yamlio.dump = real
    return handed[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), start=st.sampled_from([None, *SAMPLES]), steps=st.integers(1, 14))
def test_cases_of_random_walks_are_written_alike(data, start, steps):
    case = yamlio.load(start.read_text(encoding="utf-8")) if start else None
    versions = _walk(data, case, steps)
    for version in versions:
        document = _dumped_by_case_text(version)
        same_or_unsure(document)
        assert casefile.case_text(casefile.load_case(version), quick=True) == version


def test_the_sample_cases_are_written_by_the_quick_writer_itself():
    assert SAMPLES
    for path in SAMPLES:
        text = path.read_text(encoding="utf-8")
        assert same_or_unsure(_dumped_by_case_text(text)), path  # not left to PyYAML
        assert casefile.case_text(casefile.load_case(text), quick=True) == text


def test_what_it_leaves_to_pyyaml():
    for document in ({"facts": "two\nlines"}, {"k": "\u2028"}, {"k": "x" * 5000},
                     {"k" * 130: 1}, {1: "a"}, {"k": {1, 2}}):
        assert yamlfast.dump(document) is None, document
        yamlio.dump(document) if not isinstance(document.get("k"), set) else None
    shared = ["x"]
    assert yamlfast.dump({"a": shared, "b": shared}) is None
    assert yamlfast.dump({"a": copy.deepcopy(shared), "b": shared}) is not None
