"""core.textbytes: byte lengths and first bytes read from Arrow buffers, as Python's UTF-8 gives them."""
from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import textbytes


def _expected(values: list[str | None], count: int) -> tuple[list[int], list[list[int]]]:
    encoded = [(v or "").encode("utf-8") for v in values]
    return [len(b) for b in encoded], [[b[j] if len(b) > j else 0 for b in encoded] for j in range(count)]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.none() | st.text(max_size=6), max_size=30), st.integers(0, 5), st.integers(0, 5),
       st.sampled_from([pa.string(), pa.large_string()]), st.booleans())
def test_lengths_and_first_bytes_are_those_of_the_utf8_values(values, drop_front, drop_back, kind, chunked) -> None:
    arr = pa.array(values, kind)
    kept = values[drop_front:len(values) - drop_back] if drop_back else values[drop_front:]
    sliced = arr.slice(drop_front, len(kept))  # an array that starts inside its buffers
    if chunked and len(kept) > 1:
        sliced = pa.chunked_array([sliced.slice(0, 1), sliced.slice(1)])
    length, firsts = textbytes.leading_bytes(sliced, 2)
    lengths, expected = _expected(kept, 2)
    assert length.tolist() == lengths
    assert [f.tolist() for f in firsts] == expected


def test_an_empty_column_has_no_bytes() -> None:
    length, (first,) = textbytes.leading_bytes(pa.chunked_array([], pa.large_string()), 1)
    assert length.tolist() == [] and first.tolist() == []
    length, (first,) = textbytes.leading_bytes(pa.array(["", ""], pa.large_string()), 1)
    assert length.tolist() == [0, 0] and first.tolist() == [0, 0]


def test_numbers_are_refused() -> None:
    with pytest.raises(TypeError):
        textbytes.leading_bytes(pa.array([1, 2]), 1)
