"""The operator listings against history (issue 11): one page of each listing, on a store
holding a small and a large history; the figure is the median of ``REPS`` reads, and the
ratio large/small is the claim (a page costs the page, not the history).

Run alone: ``python benchmarks/listing.py [SIZE ...]`` (default 1,000 and 20,000 plans and
inspections, a rectification and a complaint for every tenth), on the memory store and
SQLite; set ``JOINTINSPECT_BENCH_PG`` to a PostgreSQL URL to add it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pendulum

from jointinspect import Engine, FixedClock
from jointinspect.auth import Principal
from jointinspect.memory import MemoryStore
from jointinspect.model.feedback import Complaint, ComplaintReason
from jointinspect.model.plan import Inspection, InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.ports import Store

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
REPS = 25
DEPARTMENTS = ("SCJG", "YJGL", "STHJ", "WSJK")
ENT = "91370600000000001N"


def seed(store: Store, size: int) -> None:
    """``size`` plans with their inspections over ten years, every tenth with a rectification."""
    batch = 2_000
    for first in range(0, size, batch):
        with store.unit_of_work() as uow:
            for n in range(first, min(size, first + batch)):
                dept = DEPARTMENTS[n % len(DEPARTMENTS)]
                start = T0.subtract(minutes=n * 263)  # about ten years for 20,000
                window = Window(start, start.add(hours=4))
                pending = n % 7 == 0
                uow.plans.add(
                    Plan(
                        id=f"p{n:07d}",
                        enterprise=ENT,
                        department=dept,
                        items=[f"{dept}-01"],
                        inspectors=[f"{dept}-I01", f"{dept}-I02"],
                        window=window,
                        kind=InspectionKind.ROUTINE,
                        filed_at=start.subtract(days=10),
                        status=PlanStatus.PENDING_APPROVAL if pending else PlanStatus.ACTIVE,
                        inspection_id=None if pending else f"i{n:07d}",
                    )
                )
                if not pending:
                    uow.inspections.add(
                        Inspection(
                            id=f"i{n:07d}",
                            enterprise=ENT,
                            lead_department=dept,
                            plan_ids=[f"p{n:07d}"],
                            departments=[dept],
                            items=[f"{dept}-01"],
                            inspectors=[f"{dept}-I01", f"{dept}-I02"],
                            window=window,
                            kind=InspectionKind.ROUTINE,
                            created_at=start.subtract(days=10),
                        )
                    )
                if n % 10 == 0:
                    state = RectificationState.OPEN if n % 20 == 0 else RectificationState.ACCEPTED
                    uow.rectifications.add(
                        Rectification(
                            f"x{n:07d}", f"r{n:07d}", ENT, dept, f"{dept}-01", start.add(days=30), state, start
                        )
                    )
                    uow.feedback.add_complaint(
                        Complaint(f"c{n:07d}", f"i{n:07d}", ENT, ComplaintReason.OTHER, "说明", start)
                    )
            uow.commit()


def page_reads(engine: Engine) -> dict[str, Callable[[], object]]:
    """One page of each listing (100 rows, some 1,000 rows deep)."""
    sup, officer = Principal.supervisor(), Principal.officer("SCJG")
    week = {"since": T0.subtract(days=30), "until": T0.subtract(days=23)}
    return {
        "plans (first page)": lambda: engine.list_plans(by=sup),
        "plans, offset 1,000": lambda: engine.list_plans(by=sup, offset=1_000),
        "pending approvals": lambda: engine.pending_approvals(by=sup),
        "visits of a department, one week": lambda: engine.list_inspections(by=officer, **week),
        "open rectifications": lambda: engine.list_rectifications(by=sup),
        "complaints of an enterprise": lambda: engine.list_complaints(enterprise=ENT, by=sup),
    }


def measure(make: Callable[[], Store], sizes: list[int]) -> dict[str, list[float]]:
    """Median milliseconds of each read, per size."""
    figures: dict[str, list[float]] = {}
    for size in sizes:
        store = make()
        try:
            seed(store, size)
            engine = Engine(store=store, clock=FixedClock(T0))
            for name, read in page_reads(engine).items():
                read()  # warm
                times = []
                for _ in range(REPS):
                    started = time.perf_counter()
                    read()
                    times.append((time.perf_counter() - started) * 1000)
                figures.setdefault(name, []).append(statistics.median(times))
        finally:
            store.close()
    return figures


def main(argv: list[str]) -> None:
    """Print the table: per store and read, the medians and the ratio largest/smallest."""
    sizes = [int(a) for a in argv] or [1_000, 20_000]
    stores: dict[str, Callable[[], Store]] = {"memory": MemoryStore}
    try:
        from jointinspect_sqlalchemy import SQLStore  # noqa: PLC0415 - optional
    except ImportError:
        SQLStore = None  # noqa: N806
    if SQLStore is not None:
        folder = Path(tempfile.mkdtemp())
        counter = iter(range(1_000))
        stores["sqlite"] = lambda: SQLStore(f"sqlite:///{folder / f'b{next(counter)}.db'}", create=True)
        pg = os.environ.get("JOINTINSPECT_BENCH_PG")
        if pg:
            stores["postgresql"] = lambda: SQLStore(pg, create=True)
    header = " | ".join(f"{s:,} (ms)" for s in sizes)
    print(f"| store | read | {header} | ratio |")
    print("|---|---|" + "---|" * len(sizes) + "---|")
    for label, make in stores.items():
        for name, medians in measure(make, sizes).items():
            cells = " | ".join(f"{m:.3f}" for m in medians)
            print(f"| {label} | {name} | {cells} | {medians[-1] / medians[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
