"""Tables are drawn by hotline (render.tables.simple_table) exactly as tabulate's simple format
draws them: the same characters for every mix of Chinese, wide, combining and plain text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from hotline.render.tables import simple_table

TEXT = st.text(st.sampled_from(list("ab -:1") + ["王", "芳", "，", "é", "\u0301", "😀", "ｱ", "\u3000", "\n", "\x07"]),
               max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.lists(TEXT, min_size=n, max_size=n),
                                                     st.lists(st.lists(TEXT, min_size=n, max_size=n), max_size=5))))
def test_the_same_table_as_tabulate(table):
    headers, rows = table
    assert simple_table(rows, headers) == tabulate(rows, headers=headers, disable_numparse=True)


def test_a_table_by_hand():
    # widths: 案号 is 4 wide, + 2 = 6; "261120-4D7KQ" is 12; 王芳 is 4, 负责人 6 + 2 = 8
    assert simple_table([["261120-4D7KQ", "王芳"], ["x", " "]], ["案号", "负责人"]) == (
        "案号          负责人\n"
        "------------  --------\n"
        "261120-4D7KQ  王芳\n"
        "x")
