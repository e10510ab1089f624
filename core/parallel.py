"""Run independent per-column work on every core: pyarrow compute, DuckDB and numpy release the GIL."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

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
