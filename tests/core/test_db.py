"""core.db: cursors of one shared database are private to their user, also across threads."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pyarrow as pa
import pytest

from core import db


def test_registered_and_temporary_tables_are_private_to_a_cursor() -> None:
    with db.cursor() as a, db.cursor() as b:
        a.register("events", pa.table({"v": [1, 2]}))
        b.register("events", pa.table({"v": [40]}))
        a.execute("create temp table tier_events as select * from events")
        b.execute("create temp table tier_events as select * from events")
        assert a.execute("select sum(v) from tier_events").fetchall() == [(3,)]
        assert b.execute("select sum(v) from tier_events").fetchall() == [(40,)]
    with db.cursor() as c, pytest.raises(duckdb.CatalogException):
        c.execute("select * from tier_events")


def test_cursors_in_parallel_threads_see_only_their_own_data() -> None:
    def work(i: int) -> int:
        with db.cursor() as con:
            con.register("t", pa.table({"v": list(range(i * 1000))}))
            con.execute("create temp table s as select v from t")
            return con.execute("select count(*) from s").fetchall()[0][0]

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(work, range(1, 13))) == [i * 1000 for i in range(1, 13)]


def test_rows_come_back_in_input_order() -> None:
    values = list(range(200_000, 0, -1))
    with db.cursor() as con:
        con.register("t", pa.table({"v": values}))
        assert con.execute("select v from t").fetchnumpy()["v"].tolist() == values


def test_nothing_stays_in_the_shared_database_after_a_cursor_closes() -> None:
    with db.cursor() as con:
        con.register("events", pa.table({"client": ["Wanjiku Kamau"]}))
        con.execute("create temp table tier_events as select * from events")
    with db.cursor() as con:
        tables = con.execute("select count(*) from duckdb_tables()").fetchall()[0][0]
        views = con.execute("select count(*) from duckdb_views() where not internal").fetchall()[0][0]
    assert (tables, views) == (0, 0)


def test_side_by_side_cursors_use_half_the_cores_and_their_own_database() -> None:
    with db.cursor(side_by_side=True) as narrow, db.cursor() as full:
        narrow_threads = narrow.execute("select current_setting('threads')").fetchall()[0][0]
        full_threads = full.execute("select current_setting('threads')").fetchall()[0][0]
        narrow.execute("create temp table only_here as select 1 as x")
        with pytest.raises(duckdb.CatalogException):
            full.execute("select * from only_here")
    assert narrow_threads == db.side_by_side_threads() == max(1, (os.cpu_count() or 1) // 2)
    assert full_threads >= narrow_threads


def test_side_by_side_rows_come_back_in_input_order() -> None:
    values = list(range(100_000, 0, -1))
    with db.cursor(side_by_side=True) as con:
        con.register("t", pa.table({"v": values}))
        assert con.execute("select v from t").fetchnumpy()["v"].tolist() == values
