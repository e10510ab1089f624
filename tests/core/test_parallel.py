"""core.parallel: pmap keeps order and raises; filter_rows equals pandas' row filter on every dtype."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core import parallel

N = 2_000


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "text": pd.Series([f"v{i}" if i % 7 else None for i in range(N)], dtype="str"),
        "ints": np.arange(N, dtype=np.int64),
        "nullable": pd.array([i if i % 5 else None for i in range(N)], dtype="Int64"),
        "floats": rng.random(N),
        "times": pd.Series(pd.date_range("2025-01-01", periods=N, freq="min")),
        "flags": pd.array([True, False, None, True] * (N // 4), dtype="boolean"),
        "arrow_floats": pd.Series(pa.array([1.5, None] * (N // 2)), dtype=pd.ArrowDtype(pa.float64())),
    })


@pytest.mark.parametrize("dropped", [0, 1, 23, parallel.SLICE_RUNS - 1, parallel.SLICE_RUNS, 500, N // 2, N])
def test_filter_rows_equals_pandas(dropped):
    frame = _frame()
    keep = np.ones(N, bool)
    keep[np.random.default_rng(dropped).choice(N, dropped, replace=False)] = False
    got = parallel.filter_rows(frame, keep)
    pd.testing.assert_frame_equal(got, frame.loc[keep].reset_index(drop=True))


def test_few_dropped_rows_share_the_text_buffers():
    # a handful of duplicates removed from a big frame must not copy its text (hundreds of MB at 1M rows)
    frame = _frame()
    keep = np.ones(N, bool)
    keep[[10, 11, 500]] = False
    got = parallel.filter_rows(frame, keep)
    before = pa.array(frame["text"].array)
    after = pa.chunked_array(pa.array(got["text"].array))
    data_buffer = before.buffers()[2].address
    assert all(chunk.buffers()[2].address == data_buffer for chunk in after.chunks)
    assert after.num_chunks == len(parallel.kept_runs(keep)) == 3


def test_many_runs_are_copied_into_one_column():
    frame = _frame()
    keep = np.arange(N) % 2 == 0  # N/2 runs: slicing would leave a chunk per row
    got = parallel.filter_rows(frame, keep)
    assert len(got) == N // 2
    arrow = pa.array(got["text"].array)
    assert not isinstance(arrow, pa.ChunkedArray) or arrow.num_chunks <= 1


def test_kept_runs():
    assert parallel.kept_runs(np.array([], bool)).shape == (0, 2)
    assert parallel.kept_runs(np.array([False, False])).tolist() == []
    assert parallel.kept_runs(np.array([True, False, True, True, False])).tolist() == [[0, 1], [2, 4]]


def test_pmap_keeps_order_and_raises():
    assert parallel.pmap(lambda x: x * 2, range(10)) == [x * 2 for x in range(10)]
    with pytest.raises(ZeroDivisionError):
        parallel.pmap(lambda x: 1 / x, [1, 0, 2])


def test_pmap_workers_caps_the_threads():
    import threading
    import time

    running, most = [0], [0]
    lock = threading.Lock()

    def work(x):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return x

    assert parallel.pmap(work, range(8), workers=1) == list(range(8))
    assert most[0] == 1
    most[0] = 0
    assert parallel.pmap(work, range(8), workers=2) == list(range(8))
    assert most[0] <= 2


def test_pgraph_runs_a_job_only_after_what_it_needs_and_returns_every_result():
    import threading

    order: list[str] = []
    lock = threading.Lock()

    def job(name, value):
        def run(got):
            with lock:
                order.append(name)
            return value + sum(got.values())
        return run

    jobs = {
        "base_a": ((), job("base_a", 1)),
        "base_b": ((), job("base_b", 10)),
        "uses_a": (("base_a",), job("uses_a", 100)),
        "uses_both": (("base_a", "base_b"), job("uses_both", 1000)),
    }
    out = parallel.pgraph(jobs, workers=2)
    assert out == {"base_a": 1, "base_b": 10, "uses_a": 101, "uses_both": 1011}
    assert order.index("uses_a") > order.index("base_a")
    assert order.index("uses_both") > max(order.index("base_a"), order.index("base_b"))


def test_pgraph_raises_a_jobs_error_and_refuses_unknown_needs_and_cycles():
    with pytest.raises(ZeroDivisionError):
        parallel.pgraph({"a": ((), lambda got: 1 / 0), "b": (("a",), lambda got: 2)})
    with pytest.raises(KeyError, match="missing"):
        parallel.pgraph({"a": (("missing",), lambda got: 1)})
    with pytest.raises(ValueError, match="cycle"):
        parallel.pgraph({"a": (("b",), lambda got: 1), "b": (("a",), lambda got: 2)})
