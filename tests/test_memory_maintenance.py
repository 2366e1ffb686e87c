"""Bounded growth on the in-memory store, plus its outbox's compaction after a large backlog."""

from __future__ import annotations

from jointinspect.memory import MemoryStore
from jointinspect.ports import Store
from jointinspect.testing.maintenance import T0, MaintenanceContract, _note


class TestMemoryMaintenance(MaintenanceContract):
    def make_store(self) -> Store:
        return MemoryStore()


def test_a_drained_backlog_leaves_pending_correct() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for n in range(3000):
            uow.outbox.add(_note(n))
        uow.outbox.mark_delivered([f"k{n}" for n in range(2999)])
        uow.commit()
    with store.unit_of_work() as uow:
        assert [n.key for n in uow.outbox.pending(5)] == ["k2999"]
        uow.outbox.add(_note(5000))
        uow.outbox.mark_delivered(["k2999"])
        assert [n.key for n in uow.outbox.pending(5)] == ["k5000"]
        assert uow.outbox.prune(T0.add(days=1)) == 3000
