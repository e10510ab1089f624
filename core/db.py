"""One in-process DuckDB database per process; each use works in its own cursor.

Opening a DuckDB connection costs 10-17 ms here, and a dashboard refresh, a date column or
a row hash each needed one. A cursor of a shared database costs microseconds and is just as
private: tables registered and temporary tables created in it are seen by no other cursor,
and are gone when it closes. Cursors may run at the same time from different threads
(Streamlit sessions, the parallel date columns), so nothing in it is shared but the engine.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import duckdb

_LOCK = threading.Lock()
_DATABASE: list[duckdb.DuckDBPyConnection] = []


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A private connection to the process's database, closed (with its temporary tables) on exit.

    >>> with cursor() as con:
    ...     _ = con.execute("create temp table t as select 42 as x").fetchall()
    ...     con.execute("select x from t").fetchall()
    [(42,)]
    """
    con = _new_cursor()
    try:
        yield con
    finally:
        con.close()


def _new_cursor() -> duckdb.DuckDBPyConnection:
    with _LOCK:
        if not _DATABASE:
            # row order of a scan = the input's order: the date and hash helpers rely on it
            _DATABASE.append(duckdb.connect(config={"preserve_insertion_order": True}))
        return _DATABASE[0].cursor()
