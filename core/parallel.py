"""Run independent per-column work on every core: pyarrow compute, DuckDB and numpy release the GIL."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
R = TypeVar("R")


def pmap(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]``, computed in threads (one per core), in the items' order.

    Only for work that spends its time in C code that releases the GIL (pyarrow, DuckDB,
    numpy); pure-Python work gains nothing. An exception from ``fn`` is raised here.

    >>> pmap(lambda x: x * x, range(5))
    [0, 1, 4, 9, 16]
    """
    items = list(items)
    workers = min(len(items), os.cpu_count() or 1)
    if workers < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(workers, thread_name_prefix="tierlens") as pool:
        return list(pool.map(fn, items))


def filter_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame.loc[keep].reset_index(drop=True)``, each column filtered in its own thread.

    pandas filters the columns one after another (about 0.4 s for 1M rows x 37 columns);
    each column's filter is C work (numpy, or pyarrow for ``str`` columns).

    >>> filter_rows(pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]}), np.array([True, False, True]))
       a  b
    0  1  x
    1  3  z
    """
    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]  # taken out here, not in the threads
    kept = pmap(lambda s: s[keep].reset_index(drop=True), columns)
    out = pd.DataFrame(dict(enumerate(kept)), copy=False)
    out.columns = frame.columns
    return out
