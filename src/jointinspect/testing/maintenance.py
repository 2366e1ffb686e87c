"""Contract cases for bounded growth and delivery retries: outbox pruning, the pending order,
failed attempts, replay-key pruning.

Subclass `MaintenanceContract` with ``make_store`` (a fresh, empty store), as for
`jointinspect.testing.contract.StoreContract`. It runs on the memory store, SQLite,
PostgreSQL, MariaDB and the Redis replay guard; it also covers the delivery-retry
bookkeeping (``attempts``, ``mark_failed``, ``pending(limit, now)``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pendulum
import pytest

from jointinspect.model.notification import Notification, Role
from jointinspect.ports import Store

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def _note(n: int, day: int = 0) -> Notification:
    return Notification(f"k{n}", "plan.filed", Role.DEPARTMENT, "SCJG", f"p{n}", T0.add(days=day))


class MaintenanceContract:
    """What every store's outbox and replay guard must do about growth."""

    def make_store(self) -> Store:
        """Return a fresh, empty store (override)."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store per test, closed afterwards."""
        s = self.make_store()
        try:
            yield s
        finally:
            s.close()

    def test_prune_removes_only_old_delivered_rows(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            for n in range(6):
                uow.outbox.add(_note(n, day=n))
            uow.outbox.mark_delivered(["k0", "k1", "k4"])
            uow.commit()
        with store.unit_of_work() as uow:
            # k0 and k1 are delivered and older than day 3; k2 is old but pending; k4 is recent.
            assert uow.outbox.prune(T0.add(days=3)) == 2
            uow.commit()
        with store.unit_of_work() as uow:
            assert [n.key for n in uow.outbox.pending(10)] == ["k2", "k3", "k5"]
            assert uow.outbox.prune(T0.add(days=3)) == 0
            uow.outbox.add(_note(4, day=4))  # a delivered key that was kept: still ignored
            assert [n.key for n in uow.outbox.pending(10)] == ["k2", "k3", "k5"]

    def test_prune_rolls_back_with_its_unit_of_work(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_note(0))
            uow.outbox.mark_delivered(["k0"])
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.prune(T0.add(days=1)) == 1
            # no commit: rolled back
        with store.unit_of_work() as uow:
            uow.outbox.add(_note(0))  # still known, so still ignored
            assert uow.outbox.pending(10) == []

    def test_pending_order_survives_delivery_and_rollback(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            for n in range(5):
                uow.outbox.add(_note(n))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.outbox.mark_delivered(["k0", "k2"])
            # rolled back: k0 and k2 are pending again, in their original order
        with store.unit_of_work() as uow:
            assert [n.key for n in uow.outbox.pending(10)] == ["k0", "k1", "k2", "k3", "k4"]
            uow.outbox.mark_delivered(["k1"])
            assert [n.key for n in uow.outbox.pending(2)] == ["k0", "k2"]
            uow.commit()

    def test_replay_guard_prunes_expired_keys(self, store: Store) -> None:
        guard = store.replay_guard()
        assert guard.consume("a", T0.add(hours=1), T0)
        assert guard.consume("b", T0.add(hours=3), T0)
        assert guard.prune(T0.add(hours=2)) == 1
        assert not guard.consume("b", T0.add(hours=3), T0.add(hours=2))  # live key kept
        assert guard.consume("a", T0.add(hours=4), T0.add(hours=2))  # expired key forgotten
        assert guard.prune(T0) == 0

    def test_failed_attempts_defer_a_row_until_due(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            for n in range(3):
                uow.outbox.add(_note(n))
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.attempts("k0") == 0
            uow.outbox.mark_failed("k0", T0.add(minutes=1))
            uow.outbox.mark_failed("k0", T0.add(minutes=2))
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.outbox.attempts("k0") == 2 and uow.outbox.attempts("unknown") == 0
            assert [n.key for n in uow.outbox.pending(10, T0.add(minutes=1))] == ["k1", "k2"]
            assert [n.key for n in uow.outbox.pending(10, T0.add(minutes=2))] == ["k0", "k1", "k2"]
            assert [n.key for n in uow.outbox.pending(10)] == ["k0", "k1", "k2"]  # without now: all
            uow.outbox.mark_delivered(["k0"])
            uow.outbox.mark_failed("k0", T0.add(days=9))  # no effect once delivered
            uow.commit()
        with store.unit_of_work() as uow:
            assert [n.key for n in uow.outbox.pending(10, T0)] == ["k1", "k2"]
            uow.outbox.mark_failed("k1", T0.add(hours=1))
            # no commit: the attempt is rolled back
        with store.unit_of_work() as uow:
            assert uow.outbox.attempts("k1") == 0
            assert [n.key for n in uow.outbox.pending(10, T0)] == ["k1", "k2"]
