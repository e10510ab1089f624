"""Run independent per-column work on every core: pyarrow compute, DuckDB and numpy release the GIL."""
from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowExtensionArray

T = TypeVar("T")
R = TypeVar("R")


def pmap(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, computed in threads (one per core, or ``workers``), in the items' order.

    Only for work that spends its time in C code that releases the GIL (pyarrow, DuckDB,
    numpy); pure-Python work gains nothing. An exception from ``fn`` is raised here.

    >>> pmap(lambda x: x * x, range(5))
    [0, 1, 4, 9, 16]
    """
    items = list(items)
    workers = min(len(items), workers or os.cpu_count() or 1)
    if workers < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(workers, thread_name_prefix="tierlens") as pool:
        return list(pool.map(fn, items))


def pgraph(jobs: Mapping[str, tuple[Sequence[str], Callable[[dict[str, Any]], Any]]],
           workers: int | None = None) -> dict[str, Any]:
    """Run jobs that need other jobs' results, each as soon as what it needs is done, ``workers`` at a time.

    ``jobs``: name -> (names of the jobs it needs, function of {needed name: result}). A job
    starts when a worker is free and its needs are done; among the jobs ready, the first in
    ``jobs``' order starts first (list the longest first). An exception from a job is raised
    here, after the jobs already started have finished.

    >>> out = pgraph({"a": ((), lambda got: 2), "b": (("a",), lambda got: got["a"] * 10),
    ...               "c": (("a", "b"), lambda got: got["a"] + got["b"])})
    >>> out == {"a": 2, "b": 20, "c": 22}
    True
    """
    unknown = {n for needs, _ in jobs.values() for n in needs if n not in jobs}
    if unknown:
        raise KeyError(f"jobs need unknown job(s): {', '.join(sorted(unknown))}")
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    pending, done = dict(jobs), {}
    running: dict[Future, str] = {}
    with ThreadPoolExecutor(workers, thread_name_prefix="tierlens") as pool:
        while pending or running:
            for name, (needs, fn) in list(pending.items()):
                if len(running) >= workers:
                    break
                if all(n in done for n in needs):
                    del pending[name]
                    running[pool.submit(fn, {n: done[n] for n in needs})] = name
            if not running:
                raise ValueError(f"jobs need each other in a cycle: {', '.join(pending)}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                done[running.pop(future)] = future.result()
    return done


def filter_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame.loc[keep].reset_index(drop=True)``, without copying the text when few rows go.

    When the kept rows form at most ``SLICE_RUNS`` unbroken runs (a handful of duplicates
    removed), each Arrow-backed column is rebuilt from zero-copy slices of those runs: no
    text is copied, and a million-row frame loses its few rows in milliseconds instead of
    copying hundreds of MB (0.15-0.6 s, most of it first-touch of new memory). Otherwise,
    and for numpy-backed columns, each column is filtered in its own thread (pandas filters
    the columns one after another: about 0.4 s for 1M rows x 37 columns).

    >>> filter_rows(pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]}), np.array([True, False, True]))
       a  b
    0  1  x
    1  3  z
    """
    keep = np.asarray(keep, dtype=bool)
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]  # taken out here, not in the threads
    runs = kept_runs(keep)
    if len(runs) <= SLICE_RUNS:
        kept = [_sliced(s, runs) if isinstance(s.array, ArrowExtensionArray) else s[keep].reset_index(drop=True)
                for s in columns]
    else:
        kept = pmap(lambda s: s[keep].reset_index(drop=True), columns)
    out = pd.DataFrame(dict(enumerate(kept)), copy=False)
    out.columns = frame.columns
    return out


SLICE_RUNS = 64  # more runs than this: one copy, rather than many small chunks for every later step


def kept_runs(keep: np.ndarray) -> np.ndarray:
    """(start, stop) of each unbroken run of True in ``keep``, as an (n, 2) array.

    >>> kept_runs(np.array([True, True, False, True])).tolist()
    [[0, 2], [3, 4]]
    """
    edges = np.diff(np.concatenate(([0], keep.view(np.int8), [0])))
    return np.column_stack((np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _sliced(series: pd.Series, runs: np.ndarray) -> pd.Series:
    """An Arrow-backed column reduced to ``runs``, sharing its buffers (no copy)."""
    arrow = pa.array(series.array)  # the column's own Arrow data (an Array or a ChunkedArray)
    arrow = arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])
    chunks = [c for start, stop in runs for c in arrow.slice(int(start), int(stop - start)).chunks]
    values = pa.chunked_array(chunks, type=arrow.type)
    return pd.Series(type(series.array)(values), dtype=series.dtype, name=series.name, copy=False)
