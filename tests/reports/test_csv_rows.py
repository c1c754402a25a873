"""CSV rows are written by column name: a row that names other columns is refused, never shifted."""

from __future__ import annotations

import pytest

from factdb.reports.text import csv_dict_chunks


def test_columns_follow_the_header_whatever_the_row_order() -> None:
    text = "".join(csv_dict_chunks(("b", "a"), [{"a": 1, "b": "=x"}, {"b": None, "a": 2}]))
    assert text == "b,a\r\n'=x,1\r\n,2\r\n"


@pytest.mark.parametrize("row", [{"a": 1}, {"a": 1, "b": 2, "c": 3}, {"a": 1, "c": 2}])
def test_a_row_naming_other_columns_is_refused(row: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="not the header's"):
        "".join(csv_dict_chunks(("a", "b"), [row]))
