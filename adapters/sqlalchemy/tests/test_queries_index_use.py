"""Each listing's SQL reads an index range in the listing's order (issue 11): SQLite's
query plan for every page names a listing index and sorts nothing but, for a department's
visits, the page itself. (The history benchmark is benchmarks/listing.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.repositories import listing
from sqlalchemy import text

from jointinspect import Engine, FixedClock
from jointinspect.testing.principals import SUPERVISOR, officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001N"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLStore]:
    s = SQLStore(f"sqlite:///{tmp_path / 'plans.db'}", create=True)
    try:
        yield s
    finally:
        s.close()


def plans_of(store: SQLStore, read: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """SQLite's query plan of the statement ``read`` sends for its page."""
    seen: list[Any] = []
    original = listing._Listing._bodies

    def capture(self: Any, statement: Any, kind: type[Any]) -> list[Any]:
        seen.append(statement)
        return original(self, statement, kind)

    monkeypatch.setattr(listing._Listing, "_bodies", capture)
    read(Engine(store=store, clock=FixedClock(T0)))
    monkeypatch.undo()
    sql = str(seen[-1].compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as conn:
        return [str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]


READS: dict[str, tuple[Any, str]] = {
    "plans": (lambda e: e.list_plans(by=SUPERVISOR, offset=5), "ix_ji_plans_start"),
    "pending": (lambda e: e.pending_approvals(by=SUPERVISOR), "ix_ji_plans_status_start"),
    "department plans": (lambda e: e.list_plans(by=officer("SCJG")), "ix_ji_plans_dept"),
    "visits": (lambda e: e.list_inspections(by=SUPERVISOR, since=T0), "ix_ji_inspections_start"),
    "department visits": (lambda e: e.list_inspections(by=officer("SCJG")), "ix_ji_inspection_departments"),
    "enterprise visits": (lambda e: e.list_inspections(enterprise=ENT, by=SUPERVISOR), "ix_ji_inspections_ent"),
    "open rectifications": (lambda e: e.list_rectifications(by=SUPERVISOR), "ix_ji_rectifications_open"),
    "overdue of a department": (
        lambda e: e.list_rectifications(overdue=True, by=officer("SCJG")),
        "ix_ji_rectifications_open_department",
    ),
    "complaints": (lambda e: e.list_complaints(by=SUPERVISOR, since=T0), "ix_ji_complaints_at"),
    "complaints of one": (lambda e: e.list_complaints(enterprise=ENT, by=SUPERVISOR), "ix_ji_complaints_listing"),
    "evaluations of one": (lambda e: e.list_evaluations(enterprise=ENT, by=SUPERVISOR), "ix_ji_evaluations_ent"),
}


@pytest.mark.parametrize("name", list(READS))
def test_a_page_is_an_index_range_in_order(store: SQLStore, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read, index = READS[name]
    plan = plans_of(store, read, monkeypatch)
    assert any(index in step for step in plan), plan
    sorts = [step for step in plan if "TEMP B-TREE" in step]
    if name == "department visits":
        assert any("MATERIALIZE" in step for step in plan)  # the page of ids, then sorted alone
    else:
        assert sorts == [], plan
