"""Incremental filing: plans filed one by one through :class:`jointinspect.Engine`.

Shared by measurement 3 (filing throughput per store) and 6 (the city year on SQLite).
Reference data (departments, items, inspectors, the enterprises the plans name) is written
in one unit of work per few thousand records, not through the engine's one-by-one calls,
so set-up does not dominate.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import attrs
import numpy as np
from stdnum.cn import uscc

from benchmarks.workload import CREDIT_CLASSES, KIND_NAMES, MINUTES_PER_DAY, YEAR_START, Workload
from jointinspect import Engine, FixedClock, Policy
from jointinspect.auth import Principal
from jointinspect.errors import FilingRejected, FrequencyBlocked, JointInspectError
from jointinspect.model import Department, Enterprise, GeoPoint, InspectionStatus, Inspector, SupervisionItem
from jointinspect.policy.schema import WhitelistPolicy
from jointinspect.ports import FrequencyLedger, Store
from jointinspect.requests import PlanRequest

CENTRE = GeoPoint(37.4638, 121.4479)


def credit_code(n: int) -> str:
    body = f"91370600{n:09d}"
    return body + str(uscc.calc_check_digit(body))


def department_code(d: int) -> str:
    return f"D{d:02d}"


def simulation_policy() -> Policy:
    """Default (Wuhu/Yantai) rules, whitelist approval off so every plan becomes a visit."""
    return Policy(whitelist=WhitelistPolicy(classes={}))


def reference(w: Workload) -> tuple[list[Department], list[SupervisionItem], list[Inspector]]:
    shape = w.shape
    depts, items, people = [], [], []
    for d in range(shape.departments):
        code = department_code(d)
        depts.append(Department(code, f"执法部门{d:02d}"))
        for k in range(shape.items_per_department):
            items.append(
                SupervisionItem(
                    code=f"{code}-{k:02d}",
                    name=f"{code}事项{k:02d}",
                    department=code,
                    field=f"field{d:02d}",
                    standard="标准",
                )
            )
        for k in range(shape.inspectors_per_department):
            people.append(
                Inspector(
                    id=f"{code}-I{k:02d}",
                    name=f"执法员{d:02d}{k:02d}",
                    department=code,
                    certificate_no=f"37{d:02d}{k:04d}",
                    fields={f"field{d:02d}"},
                    valid_from=dt.date(2024, 1, 1),
                    valid_until=dt.date(2030, 12, 31),
                )
            )
    return depts, items, people


def register(store: Store, w: Workload, plan_ids: Sequence[int], chunk: int = 5000) -> None:
    """Write the reference data and the enterprises the chosen plans name."""
    depts, items, people = reference(w)
    with store.unit_of_work() as uow:
        for d in depts:
            uow.reference.put_department(d)
        for i in items:
            uow.reference.put_item(i)
        for p in people:
            uow.reference.put_inspector(p)
        uow.commit()
    ents = np.unique(w.enterprise[np.asarray(plan_ids, dtype=np.int64)])
    rng = np.random.default_rng(w.shape.seed + 1)
    offsets = rng.uniform(-0.05, 0.05, size=(len(ents), 2))
    for lo in range(0, len(ents), chunk):
        with store.unit_of_work() as uow:
            for e, (dlat, dlon) in zip(ents[lo : lo + chunk], offsets[lo : lo + chunk], strict=True):
                uow.reference.put_enterprise(
                    Enterprise(
                        credit_code=credit_code(int(e)),
                        name=f"企业{int(e):07d}",
                        site=GeoPoint(CENTRE.lat + dlat, CENTRE.lon + dlon),
                        credit_class=CREDIT_CLASSES[int(w.credit[int(e)])],
                    )
                )
            uow.commit()


def _minutes(m: int) -> dt.datetime:
    return YEAR_START + dt.timedelta(minutes=int(m))


def request_for(w: Workload, i: int) -> PlanRequest:
    d = int(w.department[i])
    code = department_code(d)
    item = int(w.start[i]) % w.shape.items_per_department
    insp = int(w.start[i]) % (w.shape.inspectors_per_department - 1)
    return PlanRequest(
        enterprise=credit_code(int(w.enterprise[i])),
        department=code,
        start=_minutes(int(w.start[i])),
        end=_minutes(int(w.end[i])),
        kind=KIND_NAMES[int(w.kind[i])],
        items=(f"{code}-{item:02d}",),
        inspectors=(f"{code}-I{insp:02d}", f"{code}-I{insp + 1:02d}"),
        reason="benchmark",
    )


@dataclass
class FilingStats:
    filed: int = 0
    merged: int = 0
    blocked: int = 0
    rejected: int = 0
    other_errors: dict[str, int] = field(default_factory=dict)
    first_error: str = ""
    seconds: float = 0.0

    @property
    def attempted(self) -> int:
        return self.filed + self.blocked + self.rejected + sum(self.other_errors.values())

    @property
    def per_second(self) -> float:
        return self.attempted / self.seconds if self.seconds else 0.0


def filing_order(w: Workload, plan_ids: Iterable[int]) -> list[int]:
    """Plans in the order they are filed: 8 days before their start (7 days' notice)."""
    ids = np.asarray(list(plan_ids), dtype=np.int64)
    return [int(i) for i in ids[np.argsort(w.start[ids], kind="stable")]]


def file_plans(
    w: Workload,
    store: Store,
    plan_ids: Sequence[int],
    *,
    ledger: FrequencyLedger | None = None,
    progress: Callable[[int], None] | None = None,
    frequency: bool = True,
) -> tuple[Engine, FilingStats]:
    """File ``plan_ids`` (in filing order) through an engine; returns it and the counts.

    ``frequency=False`` drops the frequency rules (matching alone: every plan is placed)."""
    clock = FixedClock(YEAR_START)
    counter = iter(range(10**12))
    engine = Engine(
        store=store,
        policy=simulation_policy() if frequency else attrs.evolve(simulation_policy(), frequency=()),
        clock=clock,
        ledger=ledger,
        ids=lambda: f"{next(counter):012d}",
        auto_deliver=False,
    )
    stats = FilingStats()
    t0 = time.perf_counter()
    for n, i in enumerate(plan_ids):
        clock.set(_minutes(int(w.start[i]) - 8 * MINUTES_PER_DAY))
        try:
            request = request_for(w, i)
            outcome = engine.file_plan(request, by=Principal.officer(request.department))
        except FrequencyBlocked:
            stats.blocked += 1
        except FilingRejected:
            stats.rejected += 1
        except JointInspectError as exc:
            stats.other_errors[exc.code] = stats.other_errors.get(exc.code, 0) + 1
            stats.first_error = stats.first_error or f"{exc}"[:300]
        else:
            stats.filed += 1
            stats.merged += bool(outcome.merged)
        if progress is not None and n % 200 == 0:
            progress(n)
    stats.seconds = time.perf_counter() - t0
    return engine, stats


@dataclass
class VisitCounts:
    inspections: int
    joint: int
    plans_in_joint: int
    plans: int


def count_visits(engine: Engine, w: Workload, plan_ids: Sequence[int]) -> VisitCounts:
    """Inspections that remain (not superseded or cancelled), and the joint ones."""
    ents = np.unique(w.enterprise[np.asarray(plan_ids, dtype=np.int64)])
    total = joint = in_joint = plans = 0
    for e in ents:
        for insp in engine.inspections_of(credit_code(int(e)), by=Principal.system()):
            if insp.status in (InspectionStatus.SUPERSEDED, InspectionStatus.CANCELLED):
                continue
            total += 1
            plans += len(insp.plan_ids)
            if insp.joint:
                joint += 1
                in_joint += len(insp.plan_ids)
    return VisitCounts(total, joint, in_joint, plans)
