"""SQLite bulk chunks' WAL checkpoints take turns with a thread of the store (issue 11): the
log stays about a round of chunks long however many chunks commit, nothing committed is
lost when the store closes, and the thread is gone after ``close``."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.checkpoint import CLOSING_EVERY, DEFAULT_AUTOCHECKPOINT, Checkpointer
from jointinspect_sqlalchemy.schema import plans
from jointinspect_sqlalchemy.store import count_rows

from jointinspect.model.plan import InspectionKind, Plan, Window

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CHUNKS = 32
PLANS = 200


def _plan(n: int) -> Plan:
    start = T0.add(days=10 + n % 30)
    return Plan(
        f"p{n:08d}", f"E{n % 97}", "D", ["X"], ["I"], Window(start, start.add(hours=8)), InspectionKind.ROUTINE, T0
    )


def _chunk(store: SQLStore, k: int) -> None:
    with store.unit_of_work() as uow:
        uow.defer_checks()  # a bulk chunk: its writes held, its commit alternates
        for n in range(k * PLANS, (k + 1) * PLANS):
            uow.plans.add(_plan(n))
        uow.commit()


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "jointinspect-wal-checkpoint"]


class _SlowCheckpointer(Checkpointer):
    """Its background checkpoint ends after the next chunk began (as on a busy machine):
    then only the closing turns let SQLite restart the log."""

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        time.sleep(0.1)
        super()._checkpoint(connection)


def _restarts(wal: Path) -> int:
    """The WAL header's checkpoint sequence number: SQLite adds one each time it restarts the log."""
    with wal.open("rb") as file:
        return int.from_bytes(file.read(16)[12:16], "big")


@pytest.mark.parametrize("slow", [False, True])
@pytest.mark.parametrize("rounds", [2, 4, CLOSING_EVERY])
def test_the_wal_stays_bounded_and_nothing_is_lost(tmp_path: Path, slow: bool, rounds: int) -> None:
    path = tmp_path / "bulk.db"
    wal = Path(f"{path}-wal")
    store = SQLStore(f"sqlite:///{path}", create=True)
    try:
        assert store._checkpointer is not None
        checkpointer = (_SlowCheckpointer if slow else Checkpointer)(str(path), closing_every=rounds)
        store._checkpointer.close()
        store._checkpointer = checkpointer
        _chunk(store, 0)
        one_chunk, first = wal.stat().st_size, _restarts(wal)  # the first chunk's frames
        for k in range(1, CHUNKS):
            _chunk(store, k)
        # A chunk after each closing turn restarts the log: about a round of chunks long at
        # most (left to the background alone, the slow one, it would hold all 32 chunks).
        assert _restarts(wal) - first >= CHUNKS // rounds - 1
        assert wal.stat().st_size <= 1.5 * (rounds + 1) * one_chunk < CHUNKS / 2 * one_chunk
        assert checkpointer.closing_runs == CHUNKS // rounds
        with store.engine.connect() as connection:  # a background turn restores the threshold
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == DEFAULT_AUTOCHECKPOINT
    finally:
        store.close()
        checkpointer.close()
    assert not _threads()
    # A run per background turn, or fewer when turns asked while the thread was busy (its
    # next run copies the frames of all of them); close waited for the last one.
    assert 0 < checkpointer.background_runs <= CHUNKS - CHUNKS // rounds
    reopened = SQLStore(f"sqlite:///{path}")
    try:
        assert count_rows(reopened, plans) == CHUNKS * PLANS
        with reopened.unit_of_work() as uow:
            assert uow.plans.get(f"p{CHUNKS * PLANS - 1:08d}") == _plan(CHUNKS * PLANS - 1)
    finally:
        reopened.close()


def test_a_store_takes_rounds_of_the_default_length(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'rounds.db'}", create=True)
    try:
        for k in range(2 * CLOSING_EVERY):
            _chunk(store, k)
        assert store._checkpointer is not None and store._checkpointer.closing_runs == 2
    finally:
        store.close()
    with pytest.raises(ValueError, match="closing_every"):
        Checkpointer(str(tmp_path / "x.db"), closing_every=0)


def test_no_thread_without_a_bulk_commit_or_a_file(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'one.db'}", create=True)
    try:
        with store.unit_of_work() as uow:
            uow.plans.add(_plan(1))  # not a bulk chunk: SQLite's own checkpoint
            uow.commit()
        assert not _threads()
        assert store._checkpointer is not None and store._checkpointer.background_runs == 0
    finally:
        store.close()
    memory = SQLStore("sqlite://", create=True)
    try:
        assert memory._checkpointer is None
        _chunk(memory, 0)
        assert count_rows(memory, plans) == PLANS
    finally:
        memory.close()


def test_a_closed_store_still_commits_and_checkpoints_itself(tmp_path: Path) -> None:
    path = tmp_path / "closed.db"
    store = SQLStore(f"sqlite:///{path}", create=True)
    _chunk(store, 0)
    store.close()
    assert not _threads()
    for k in range(1, 4):
        _chunk(store, k)  # the engine reconnects; the thread does not start again
    assert not _threads()
    assert count_rows(store, plans) == 4 * PLANS
    store.close()


def test_a_store_dropped_without_close_stops_its_thread(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 'dropped.db'}", create=True)
    _chunk(store, 0)
    assert len(_threads()) == 1
    finalizer = store._stop_checkpoints
    assert finalizer is not None and finalizer.alive
    _, stop, args, _ = finalizer.peek() or (None, None, (), {})
    assert getattr(stop, "__self__", None) is store._checkpointer and not args  # holds no store
    finalizer()  # what collecting the store runs
    assert not _threads()
    store.close()  # the thread is not stopped twice
    assert not finalizer.alive
