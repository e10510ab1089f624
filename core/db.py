"""One in-process DuckDB database per process; each use works in its own cursor.

Opening a DuckDB connection costs 10-17 ms here, and a dashboard refresh, a date column or
a row hash each needed one. A cursor of a shared database costs microseconds and is just as
private: tables registered and temporary tables created in it are seen by no other cursor,
and are gone when it closes. Cursors may run at the same time from different threads
(Streamlit sessions, the parallel date columns), so nothing in it is shared but the engine.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

import duckdb

_LOCK = threading.Lock()
_DATABASE: list[duckdb.DuckDBPyConnection] = []
_SIDE_BY_SIDE: list[duckdb.DuckDBPyConnection] = []


def side_by_side_threads() -> int:
    """DuckDB threads per query when queries run two at a time (core.parallel.pgraph): half the cores."""
    return max(1, (os.cpu_count() or 1) // 2)


@contextmanager
def cursor(side_by_side: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private connection to the process's database, closed (with its temporary tables) on exit.

    ``side_by_side``: for a query that runs beside another one in threads (the dashboard's); its
    database gives each query half the cores (one on two cores), so two queries at a time fill
    the machine without the thread contention of two full-width queries (~0.15 CPU-s less per
    dashboard at 1M). Cursors of the two databases see the same registered frames, never copies.

    >>> with cursor() as con:
    ...     _ = con.execute("create temp table t as select 42 as x").fetchall()
    ...     con.execute("select x from t").fetchall()
    [(42,)]
    """
    con = _new_cursor(_SIDE_BY_SIDE if side_by_side else _DATABASE, side_by_side)
    try:
        yield con
    finally:
        con.close()


def _new_cursor(database: list[duckdb.DuckDBPyConnection], side_by_side: bool) -> duckdb.DuckDBPyConnection:
    with _LOCK:
        if not database:
            # row order of a scan = the input's order: the date and hash helpers rely on it
            config: dict[str, object] = {"preserve_insertion_order": True}
            if side_by_side:
                config["threads"] = side_by_side_threads()
            database.append(duckdb.connect(config=config))
        return database[0].cursor()
