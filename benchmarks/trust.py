"""Figures for issue 9 (phase 1): audit verification and outbox growth on the memory store.

Usage::

    python benchmarks/trust.py [--entries 20000]

Prints, for the audit log: the time to verify N entries and the peak memory (tracemalloc,
measured in a second run) when the chain is read as a list (``entries()``, as
``Engine.verify_audit`` did) and streamed (``verify_log``). For the outbox: the time of one
operation (queue, list pending, mark delivered) with 1k, 10k and 100k delivered rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pendulum

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks.*

from benchmarks.measure import time_and_peak
from jointinspect.audit import AuditRecord, verify, verify_log
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def audit(entries: int) -> None:
    """Verify a memory store's log both ways."""
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for n in range(1, entries + 1):
            uow.audit.append(AuditRecord(T0.add(seconds=n), "officer:SCJG", "plan.filed", f"plan-{n}", {"k": n}))
        uow.commit()
    with store.unit_of_work() as uow:
        listed = time_and_peak(lambda: verify(uow.audit.entries()))
        streamed = time_and_peak(lambda: verify_log(uow.audit))
    print(
        f"audit verify, {entries:,} entries: list {listed[0]:.2f} s / {listed[1]:.2f} MiB peak; "
        f"streaming {streamed[0]:.2f} s / {streamed[1]:.2f} MiB peak"
    )


def outbox(delivered: int, ops: int = 200) -> float:
    """Mean time of one queue + pending + mark-delivered cycle with ``delivered`` old rows."""
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for n in range(delivered):
            uow.outbox.add(Notification(f"old-{n}", "x", Role.DEPARTMENT, "SCJG", f"s{n}", T0))
        uow.outbox.mark_delivered([f"old-{n}" for n in range(delivered)])
        uow.commit()
    started = time.perf_counter()
    for n in range(ops):
        with store.unit_of_work() as uow:
            uow.outbox.add(Notification(f"new-{n}", "x", Role.DEPARTMENT, "SCJG", f"s{n}", T0))
            keys = [note.key for note in uow.outbox.pending(100)]
            uow.outbox.mark_delivered(keys)
            uow.commit()
    return (time.perf_counter() - started) / ops


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    args = parser.parse_args()
    audit(args.entries)
    for rows in (1_000, 10_000, 100_000):
        print(f"outbox operation with {rows:,} delivered rows: {outbox(rows) * 1e6:.0f} us")


if __name__ == "__main__":
    main()
