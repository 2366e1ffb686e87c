"""The preloaded ledger's span (issue 11): `SQLLedger._locked_rows` selects from the kept
reservations those the span query reads, to the microsecond at both ends."""

from __future__ import annotations

import pendulum
from jointinspect_sqlalchemy import SQLStore

from jointinspect.rules.frequency import RuleCheck
from jointinspect.testing.ledger import WEEK, rolling, visit

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
AT = T0.add(days=10)
CHECKS: tuple[RuleCheck, ...] = (rolling("week", 9),)
#: around both ends of the span ``(AT - WEEK, AT + WEEK)``
EDGES = {
    "before": AT - WEEK - pendulum.duration(microseconds=1),
    "at-low": AT - WEEK,
    "low": AT - WEEK + pendulum.duration(microseconds=1),
    "high": AT + WEEK - pendulum.duration(microseconds=1),
    "at-high": AT + WEEK,
}


def test_kept_rows_at_the_ends_of_a_span_are_those_the_query_reads(sql_store: SQLStore) -> None:
    with sql_store.unit_of_work() as uow:
        for rid, at in EDGES.items():
            uow.ledger.check_and_reserve(visit(rid, at), (), T0)
        uow.commit()
    request = visit("new", AT)
    found = {}
    for preload in (False, True):
        with sql_store.unit_of_work() as uow:
            if preload:
                uow.ledger.preload([request.enterprise])
            found[preload] = sorted(r.id for r in uow.ledger._locked_rows(request, CHECKS))  # type: ignore[attr-defined]
    assert found[True] == found[False] == ["high", "low"]
