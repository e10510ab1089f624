"""Facts about each value of an Arrow text column read from its buffers (byte length, first bytes), without a string kernel pass."""
from __future__ import annotations

import numpy as np
import pyarrow as pa


def leading_bytes(values: pa.Array | pa.ChunkedArray, count: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """(byte length of each value, [its first byte, its second byte, ... up to ``count``]); 0 past a value's end.

    A cheap first look: a check that only some values can fail (a blank starts with a space, a
    null token with a letter) runs a string kernel on those alone. Null values are read as their
    slots hold them (usually empty): callers mask them.

    >>> length, (first, second) = leading_bytes(pa.array(["ab", "", None, "c"], pa.large_string()), 2)
    >>> length.tolist(), first.tolist(), second.tolist()
    ([2, 0, 0, 1], [97, 0, 0, 99], [98, 0, 0, 0])
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    parts = [_leading(chunk, count) for chunk in chunks]
    if not parts:
        return np.zeros(0, np.int64), [np.zeros(0, np.uint8) for _ in range(count)]
    if len(parts) == 1:
        return parts[0]
    return (np.concatenate([length for length, _ in parts]),
            [np.concatenate([firsts[j] for _, firsts in parts]) for j in range(count)])


def offsets(arr: pa.Array) -> np.ndarray:
    """The ``len(arr) + 1`` offsets of a text array's values into its data buffer, as int64 (no copy for large_string).

    >>> offsets(pa.array(["ab", "", "c"], pa.large_string()).slice(1)).tolist()
    [2, 2, 3]
    """
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
            or pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
        raise TypeError(f"text expected, got {arr.type}")
    n = len(arr)
    buffer = arr.buffers()[1]
    if buffer is None:
        return np.zeros(n + 1, np.int64)
    kind = np.int64 if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type) else np.int32
    return np.frombuffer(buffer, kind)[arr.offset:arr.offset + n + 1].astype(np.int64, copy=False)


def _leading(arr: pa.Array, count: int) -> tuple[np.ndarray, list[np.ndarray]]:
    n = len(arr)
    bounds = offsets(arr)
    buffers = arr.buffers()
    if n == 0 or buffers[1] is None:
        return np.zeros(n, np.int64), [np.zeros(n, np.uint8) for _ in range(count)]
    data = np.frombuffer(buffers[2], np.uint8) if buffers[2] is not None and buffers[2].size else np.zeros(1, np.uint8)
    length = np.diff(bounds)
    start = bounds[:-1]
    firsts = []
    for j in range(count):
        byte = data.take(start + j if j else start, mode="clip")  # a fresh array: zeroed past each end below
        byte[length <= j] = 0
        firsts.append(byte)
    return length, firsts
