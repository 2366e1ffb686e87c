"""The SQL ledger's preload (issue 11): after ``preload``, checks, amends, confirmations
and releases decide and store exactly what they do reading per check, on every backend."""

from __future__ import annotations

import random

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore

from jointinspect.rules.frequency import Action, LedgerDecision, Reservation, RuleCheck, Scope
from jointinspect.testing.ledger import bucketed, rolling, visit

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENTERPRISES = ("91370000MA000001XA", "91370000MA000002XA")
CHECKS: tuple[RuleCheck, ...] = (
    rolling("week", 2),
    rolling("dept", 1, action=Action.WARN, scope=Scope.ENTERPRISE_DEPARTMENT),
    bucketed("march", 4, T0, T0.add(days=31), action=Action.WARN),
)

Step = tuple[str, Reservation | str, bool]


def _steps(seed: int) -> list[Step]:
    """A random sequence of ledger calls: (call, reservation or id, with checks)."""
    rng = random.Random(seed)
    ids: list[str] = []
    steps: list[Step] = []
    for n in range(40):
        call = rng.choice(("reserve", "reserve", "reserve", "amend", "confirm", "release"))
        if call in ("confirm", "release") and ids:
            steps.append((call, rng.choice(ids), False))
            continue
        rid = rng.choice(ids) if call == "amend" and ids else f"r{seed}-{n}"
        ids.append(rid)
        at = T0.add(days=rng.randrange(30), hours=rng.randrange(24))
        pending = T0.add(hours=rng.randrange(1, 48)) if rng.random() < 0.3 else None
        reservation = visit(
            rid,
            at,
            enterprise=rng.choice(ENTERPRISES),
            department=rng.choice(("D-market", "D-fire")),
            pending_until=pending,
        )
        steps.append(("amend" if call == "amend" else "reserve", reservation, rng.random() < 0.9))
    return steps


def _run(
    store: SQLStore, steps: list[Step], preload: bool, since: pendulum.DateTime | None = None
) -> tuple[list[LedgerDecision | None], object]:
    """Decisions of ``steps`` in one unit of work, and the ledger after them (rolled back)."""
    now = T0.add(hours=12)
    with store.unit_of_work() as uow:
        if preload:
            uow.ledger.preload(ENTERPRISES, since)
        decisions: list[LedgerDecision | None] = []
        for call, subject, checked in steps:
            checks = CHECKS if checked else ()
            if isinstance(subject, Reservation):
                act = uow.ledger.check_and_reserve if call == "reserve" else uow.ledger.amend
                decisions.append(act(subject, checks, now))
            elif call == "confirm":
                uow.ledger.confirm(subject)
                decisions.append(None)
            else:
                uow.ledger.release(subject)
                decisions.append(None)
        after = [uow.ledger.reservations(e) for e in ENTERPRISES]
    return decisions, after


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("since", [None, 12], ids=["all", "from-day-12"])
def test_preloaded_ledger_decides_and_stores_as_reading_per_check(
    sql_store: SQLStore, seed: int, since: int | None
) -> None:
    """With ``since``, checks whose span starts earlier read the table (some do)."""
    steps = _steps(seed)
    with sql_store.unit_of_work() as uow:  # some history before the unit of work
        for call, subject, _ in steps[:6]:
            if isinstance(subject, Reservation) and call == "reserve":
                uow.ledger.check_and_reserve(subject, (), T0)
        uow.commit()
    later = steps[6:]
    read, read_after = _run(sql_store, later, preload=False)
    kept, kept_after = _run(sql_store, later, preload=True, since=None if since is None else T0.add(days=since))
    assert kept == read
    assert kept_after == read_after
    assert any(d is not None and d.blocked for d in read)  # the sequence exercises refusals
