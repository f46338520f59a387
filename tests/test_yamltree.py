"""yamlio.load builds most documents in one walk (kesu.yamltree); it must read
every document exactly as PyYAML's constructor under kesu's rules does."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu import yamlio
from kesu.errors import UsageError


def by_constructor(text: str):
    """The document as PyYAML's own constructor builds it with kesu's loader."""
    yamlio.load("")  # makes the loader
    loader = yamlio._fast_loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def outcome(read, text: str):
    try:
        return "ok", repr(read(text))
    except (yaml.YAMLError, UsageError) as exc:
        line = getattr(exc, "line", None)
        if isinstance(exc, yaml.YAMLError):
            line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else None
        return "refused", line


ODD = [
    "a: 1\nb: [yes, no, 012, 0o12, 0x1F, 1:20, ~, null, '', .inf, -.NaN, 2026-01-01, =, 1_000]\n",
    "a: 1\na: 2\n", "<<: {a: 1}\n", "a: !!binary aGVsbG8=\n", "? [1]\n: 2\n", "{a: 1, {b: 2}: 3}\n",
    "a: &x 1\nb: *x\n", "a: *y\n", "a: !!int x\n", "a: !!str 12\nb: !!float '1.5'\n", "=: 3\n",
    "- !!set {a}\n", "a: !!bool yes\n", "a: !!bool maybe\n", "x: !!map {a: 1}\n", "x: !!str {a: 1}\n",
    "a: !local 1\n", "1: 2\n2.5: x\nnull: 1\ntrue: 0\n", "note: A&B\nn: 5\n", "- - - deep\n", "",
    "a: !!null ''\nb: !!timestamp 2026-01-01\n", "x: 1\n---\ny: 2\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_documents_read_as_the_constructor_reads_them(text):
    assert outcome(lambda t: yamlio.load(t), text) == outcome(by_constructor, text)


scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                    st.sampled_from(["yes", "012", "1:20", "~", "=", "<<", "2026-11-20T09:00:00+08:00",
                                     ".inf", "0x1F", "1e3", "null", "Null", "", "&a", "*a"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(documents, st.booleans())
def test_documents_read_as_the_constructor_reads_them(data, plain):
    # written by kesu (quoted where needed) and by PyYAML's plain writer (1.1 style)
    text = yamlio.dump(data) if plain else yaml.safe_dump(data, allow_unicode=True)
    assert outcome(lambda t: yamlio.load(t), text) == outcome(by_constructor, text)
