"""The supervision report reads the period, not the city (issue 13): the statements it
sends do not grow with the enterprises registered, and SQLite's plan for each period read
names its index and sorts nothing (but the audit entries it found). (Before, it read every enterprise's records: 17.4 s
for a city of 20,000 enterprises on SQLite; now 0.66 s.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from sqlalchemy import event

from jointinspect import Engine, FixedClock
from jointinspect.model.reference import Enterprise, GeoPoint
from jointinspect.sample import credit_code
from jointinspect.testing.principals import SUPERVISOR

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLStore]:
    s = SQLStore(f"sqlite:///{tmp_path / 'report.db'}", create=True)
    try:
        yield s
    finally:
        s.close()


def _statements(store: SQLStore) -> list[str]:
    """The SQL text of every statement one supervision report sends."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        Engine(store=store, clock=FixedClock(T0)).supervision_report(T0.subtract(days=30), T0, by=SUPERVISOR)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return sent


def _register(store: SQLStore, first: int, count: int) -> None:
    with store.unit_of_work() as uow:
        for n in range(first, first + count):
            uow.reference.put_enterprise(Enterprise(credit_code(n), f"企业{n}", GeoPoint(37.5, 121.4)))
        uow.commit()


def test_the_statements_do_not_grow_with_the_enterprises(store: SQLStore) -> None:
    _register(store, 0, 5)
    few = _statements(store)
    _register(store, 5, 300)
    assert _statements(store) == few
    assert len(few) <= 12  # one read per kind of record, and the transaction's own


PERIOD_INDEXES = {
    "ji_plans": "ix_ji_plans_filed",
    "ji_inspections": "ix_ji_inspections_start",
    "ji_visits": "ix_ji_visits_checked_in",
    "ji_rectifications": "ix_ji_rectifications_opened",
    "ji_evaluations": "ix_ji_evaluations_at",
    "ji_complaints": "ix_ji_complaints_at",
    "ji_audit": "ix_ji_audit_action",
}


def test_each_period_read_is_an_index_range_in_order(store: SQLStore) -> None:
    reads = {}
    for sql in _statements(store):
        for table in PERIOD_INDEXES:
            if sql.lstrip().upper().startswith("SELECT") and f"FROM {table} " in sql + " " and "WHERE" in sql:
                reads[table] = sql
    assert set(reads) == set(PERIOD_INDEXES), sorted(reads)
    with store.engine.connect() as conn:
        for table, sql in reads.items():
            params = [0] * sql.count("?")
            plan = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(params))]
            assert any(PERIOD_INDEXES[table] in step for step in plan), (table, plan)
            if (
                table != "ji_audit"
            ):  # the audit's matches (several actions) are put in seq order: a sort of the period's rows
                assert not any("TEMP B-TREE" in step for step in plan), (table, plan)
