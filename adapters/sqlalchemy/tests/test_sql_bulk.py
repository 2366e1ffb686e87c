"""Bulk filing on every SQL backend gives what filing one by one on the memory store gives
(outcomes, records, reservations, outbox, audit chain), chunk after chunk (issue 11)."""

from __future__ import annotations

import itertools
from typing import Any

import pendulum
from jointinspect_sqlalchemy import SQLStore

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import JointInspectError
from jointinspect.memory import MemoryStore
from jointinspect.ports import Store
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
