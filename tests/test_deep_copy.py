"""values.deep_copy, the engine's copy of a case at every step, is copy.deepcopy:
the same values, the same types, and what is shared in the original shared alike
in the copy (so the writer sees the same document either way)."""

from __future__ import annotations

import copy

from hypothesis import given, settings, strategies as st

from kesu import yamlio
from kesu.values import deep_copy

leaves = st.one_of(st.text(max_size=3), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                   st.decimals(allow_nan=False), st.tuples(st.integers()))
data = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=2), children, max_size=3),
    st.dictionaries(st.text(max_size=2), children, max_size=2).map(yamlio.flow)), max_leaves=15)


def shape(value, seen: dict) -> tuple:
    """Types, values and which collections are one and the same object."""
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            return ("the same as", seen[id(value)])
        seen[id(value)] = len(seen)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return (type(value).__name__, [(k, shape(v, seen)) for k, v in items])
    return (type(value).__name__, repr(value))


@settings(max_examples=300, deadline=None)
@given(data)
def test_deep_copy_is_deepcopy_sharing_and_all(value):
    if isinstance(value, dict) and value:
        first = next(iter(value))
        value = {"whole": value, "part": value[first], "again": [value[first], value]}
    copied = deep_copy(value)
    assert shape(copied, {}) == shape(copy.deepcopy(value), {})
    if isinstance(value, (dict, list)):
        assert copied is not value
