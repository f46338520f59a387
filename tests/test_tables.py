"""The fast table layout gives exactly what tabulate gives."""

from __future__ import annotations

import tabulate
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.tables import layout

CELL = st.text(alphabet=st.sampled_from(list("ab -:9") + list("草莓霉变") + ["\u3000", "é", "\u0301", "\n", "\t"]),
               max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=6), min_size=n, max_size=n),
    st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=5))))
def test_layout_is_tabulate(table):
    headers, rows = table
    tabulate.WIDE_CHARS_MODE = True
    assert layout(headers, rows) == tabulate.tabulate(rows, headers=headers, tablefmt="simple",
                                                      disable_numparse=True)
