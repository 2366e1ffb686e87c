"""The open-visit reads of filing probe an enterprise's plans, never the city's visits
(issue 11): SQLite's plan for ``open_for_enterprise`` (file_plan) and
``open_for_enterprises`` (a bulk-filing chunk) drives from ix_ji_plans_reach.

Given a ``status = ?`` condition, SQLite had driven both from the visits' status index:
every planned visit of the city scanned on every filing (16 ms a plan at 50,000 visits,
growing with them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from sqlalchemy import event

from jointinspect import Engine, FixedClock
from jointinspect.auth import Principal
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=2, departments=2, inspectors_per_department=2, items_per_department=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLStore]:
    s = SQLStore(f"sqlite:///{tmp_path / 'open.db'}", create=True)
    try:
        yield s
    finally:
        s.close()


def _open_visit_reads(store: SQLStore, file: str) -> list[str]:
    """The SQL (values inlined) of every read of open visits while filing plans."""
    populate(Engine(store=store, clock=FixedClock(T0)), CITY)
    seen: list[str] = []

    @event.listens_for(store.engine, "connect")
    def trace(dbapi_connection: sqlite3.Connection, _: object) -> None:
        dbapi_connection.set_trace_callback(seen.append)

    store.engine.dispose()  # new connections, traced
    engine = Engine(store=store, clock=FixedClock(T0))
    start = T0.add(days=10)
    requests = [
        PlanRequest(
            enterprise.credit_code,
            dept.code,
            start,
            start.add(hours=8),
            items=[item.code for item in CITY.items_of(dept.code)],
            inspectors=[i.id for i in CITY.inspectors_of(dept.code)],
        )
        for enterprise in CITY.enterprises
        for dept in CITY.departments
    ]
    for request in requests:
        by = Principal.officer(request.department)
        if file == "one by one":
            engine.file_plan(request, by=by)  # raises if refused
        else:
            assert not engine.file_plans([request], by=by).refused
    return [
        sql
        for sql in seen
        if sql.lstrip().upper().startswith("SELECT") and "ji_inspections" in sql and "window_end >=" in sql
    ]


@pytest.mark.parametrize("file", ["one by one", "bulk"])
def test_open_visits_are_read_through_the_enterprise_plans(store: SQLStore, file: str) -> None:
    reads = _open_visit_reads(store, file)
    assert reads, "filing read no open visits"
    with sqlite3.connect(store.engine.url.database or "") as conn:
        for sql in reads:
            steps = [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            assert any("ix_ji_plans_reach" in step for step in steps), (sql, steps)
            assert not any("SCAN ji_inspections" in step or "status" in step for step in steps), (sql, steps)
