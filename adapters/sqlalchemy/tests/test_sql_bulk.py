"""Bulk filing on every SQL backend gives what filing one by one on the memory store gives
(outcomes, records, reservations, outbox, audit chain), chunk after chunk; on SQLite, the
very rows of the audit log and the outbox that filing one by one writes (issue 11)."""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from typing import Any

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import Table, select

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import JointInspectError
from jointinspect.memory import MemoryStore
from jointinspect.operations import filing
from jointinspect.ports import StagedAppends, Store
from jointinspect.requests import PlanRequest
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import snapshot

NOW = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=2, inspectors_per_department=2, items_per_department=2)


def _engine(store: Store) -> Engine:
    counter = itertools.count()
    engine = Engine(store=store, clock=FixedClock(NOW), ids=lambda: f"id{next(counter):06d}", auto_deliver=False)
    populate(engine, CITY)
    return engine


def _batch(dept: str) -> list[PlanRequest]:
    """Plans of ``dept``: joint with the other department's, blocked by frequency, too late,
    and one plan number filed twice."""
    items = [CITY.items_of(dept)[0].code]
    inspectors = [i.id for i in CITY.inspectors_of(dept)]
    out = []
    for n, (ent, day) in enumerate(itertools.product(CITY.enterprises, (10, 12, 20, 2))):
        start = NOW.add(days=day)
        key = f"{dept}-{n % 5}"
        out.append(
            PlanRequest(
                ent.credit_code,
                dept,
                start,
                start.add(hours=8),
                items=items,
                inspectors=inspectors,
                idempotency_key=key,
            )
        )
    return out


def _outcomes(items: list[Any]) -> list[Any]:
    return [(i.error.code, i.error.details) if i.error is not None else i.outcome for i in items]


def test_file_plans_on_sql_matches_one_by_one_in_memory(sql_store: SQLStore) -> None:
    bulk, alone = _engine(sql_store), _engine(MemoryStore())
    for dept in (d.code for d in CITY.departments):
        by, batch = Principal.officer(dept), _batch(dept)
        expected = []
        for request in batch:
            try:
                expected.append(alone.file_plan(request, by=by))
            except JointInspectError as error:
                expected.append((error.code, error.details))
        assert _outcomes(list(bulk.file_plans(batch, by=by, chunk=5).items)) == expected
    assert {type(o) for o in expected} != {tuple}  # something was filed...
    assert snapshot(sql_store, CITY) == snapshot(alone.store, CITY)


def _rows(store: SQLStore, table: Table, order: str, but: str = "") -> list[dict[str, Any]]:
    """Every row of ``table`` in ``order``: every column as stored, but ``but``."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c[order])).mappings()
        return [{name: value for name, value in row.items() if name != but} for row in rows]


def test_bulk_filing_writes_the_audit_and_outbox_rows_filing_one_by_one_writes(tmp_path: Path) -> None:
    """The chunk's audit entries and notifications, staged and written together, are stored
    as `file_plan` stores them one at a time: the same columns, byte for byte (the
    canonical bodies, hashes, outbox bodies and instants), in the same order."""
    bulk = _engine(SQLStore(f"sqlite:///{tmp_path}/bulk.db", create=True))
    alone = _engine(SQLStore(f"sqlite:///{tmp_path}/alone.db", create=True))
    for dept in (d.code for d in CITY.departments):
        by, batch = Principal.officer(dept), _batch(dept)
        bulk.file_plans(batch, by=by, chunk=4)
        for request in batch:
            with contextlib.suppress(JointInspectError):  # refused alike in bulk (the other test)
                alone.file_plan(request, by=by)
    stores = [e.store for e in (bulk, alone)]
    assert isinstance(stores[0], SQLStore) and isinstance(stores[1], SQLStore)
    audit = [_rows(store, s.audit_log, "seq") for store in stores]
    outbox = [_rows(store, s.outbox, "seq", but="seq") for store in stores]  # a row number, no more
    assert audit[0] == audit[1]
    assert outbox[0] == outbox[1]
    assert _rows(stores[0], s.audit_head, "id") == _rows(stores[1], s.audit_head, "id")
    # Something of each kind filing writes was compared.
    assert {row["action"] for row in audit[0]} >= {"plan.filed", "inspection.created", "inspection.merged"}
    assert {row["key"].split(":", 1)[0] for row in outbox[0]} >= {"plan.filed", "inspection.joint"}


def test_the_store_takes_staged_appends_and_refiles_on_a_value_refused_when_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL store builds the chunk's audit and outbox rows from the staged values
    (`StagedAppends`), checking them as it seals them: a value an audit record refuses (a
    NUL, forced here into one plan's start as audited) files the chunk again one by one,
    where that request alone is refused as `file_plan` refuses it."""
    store = SQLStore(f"sqlite:///{tmp_path}/bulk.db", create=True)
    with store.unit_of_work() as uow:
        assert isinstance(uow, StagedAppends)
    dept = CITY.departments[0].code
    by, batch = Principal.officer(dept), [_batch(dept)[n] for n in (0, 6, 9)]  # days 10, 20, 12: all filed
    bad, iso = batch[1].start, filing.iso
    monkeypatch.setattr(filing, "iso", lambda instant: iso(instant) + ("\x00" if instant == bad else ""))
    items = _engine(store).file_plans(batch, by=by, chunk=5).items
    assert [item.error is None for item in items] == [True, False, True]
    refused = items[1].error
    assert refused is not None and refused.code == "audit.value_invalid"
    assert {row["action"] for row in _rows(store, s.audit_log, "seq")} >= {"plan.filed"}
