"""The history measurement 7 runs against (see `benchmarks.history`): the city, the
enterprise whose history grows, and that history written straight through the store's
repositories; and the city-size variant's plans of other enterprises."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import attrs
import pendulum

from jointinspect.model import (
    CreditClass,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Plan,
    Window,
)
from jointinspect.model.feedback import Evaluation
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.ports import Store
from jointinspect.rules.frequency import Reservation
from jointinspect.sample import build_city

#: the first measured visit; the history lies in the ten years before it.
BASE = pendulum.datetime(2029, 3, 5, 1, tz="UTC")
HISTORY_SPAN = pendulum.duration(days=3650)
#: The history ends before the sharing lookback (six months) and every frequency window: the
#: reads those bound legitimately return what lies inside them, which is the same at every size.
HISTORY_END = BASE.subtract(months=7)

CITY = build_city(enterprises=3, departments=2, certificate_until=dt.date(2040, 12, 31))
#: the enterprise whose history grows (credit class B: plans go straight to a visit)...
ENT = attrs.evolve(CITY.enterprises[0], credit_class=CreditClass.B)
#: ...and one on the whitelist (class A: its plans wait for approval) with the same history.
LIMITED = attrs.evolve(CITY.enterprises[1], credit_class=CreditClass.A)
CITY = attrs.evolve(CITY, enterprises=(ENT, LIMITED))
DEPT = CITY.departments[0].code
ITEM = CITY.items_of(DEPT)[0].code
PEOPLE = tuple(p.id for p in CITY.inspectors_of(DEPT)[:2])


def _history_rows(enterprise: str, k: int, n: int) -> dict[str, Any]:
    at = HISTORY_END - HISTORY_SPAN * ((k + 1) / max(n, 1))
    pid, iid, tag = f"h{k}-{enterprise}-p", f"h{k}-{enterprise}-i", f"h{k}-{enterprise}"
    window = Window(at, at.add(hours=2))
    fail = k % 10 == 0
    rows: dict[str, Any] = {
        "plan": Plan(
            id=pid,
            enterprise=enterprise,
            department=DEPT,
            items=(ITEM,),
            inspectors=PEOPLE,
            window=window,
            kind=InspectionKind.ROUTINE,
            filed_at=at.subtract(days=10),
            inspection_id=iid,
        ),
        "inspection": Inspection(
            id=iid,
            enterprise=enterprise,
            lead_department=DEPT,
            plan_ids=(pid,),
            departments=(DEPT,),
            items=(ITEM,),
            inspectors=PEOPLE,
            window=window,
            kind=InspectionKind.ROUTINE,
            created_at=at.subtract(days=10),
            status=InspectionStatus.COMPLETED,
            reservation_id=iid,
            completed_at=at.add(hours=1),
        ),
        "visit": Visit(
            id=f"{tag}-v",
            inspection_id=iid,
            inspector_id=PEOPLE[0],
            enterprise=enterprise,
            checked_in_at=at.add(minutes=5),
            position=ENT.site,
            distance_m=3.0,
            token_id=f"{tag}-t",
            checked_out_at=at.add(hours=1),
        ),
        "result": ResultRecord(
            id=f"{tag}-r",
            inspection_id=iid,
            enterprise=enterprise,
            department=DEPT,
            inspector_id=PEOPLE[0],
            item=ITEM,
            outcome=Outcome.FAIL if fail else Outcome.PASS,
            note="",
            evidence=(),
            recorded_at=at.add(minutes=30),
            responsible_department=DEPT,
        ),
        "evaluation": Evaluation(iid, enterprise, 90, "", at.add(hours=2)),
        "reservation": Reservation(iid, enterprise, DEPT, PEOPLE, InspectionKind.ROUTINE, at),
    }
    if fail:
        rows["rectification"] = Rectification(
            id=f"{tag}-x",
            result_id=f"{tag}-r",
            enterprise=enterprise,
            department=DEPT,
            item=ITEM,
            deadline=at.add(days=30),
            state=RectificationState.ACCEPTED,
            opened_at=at.add(minutes=30),
            accepted_mode="remote",
        )
    return rows


def seed_history(store: Store, enterprise: str, n: int, chunk: int = 2_000) -> None:
    """Write ``n`` earlier, finished visits of ``enterprise`` through the repositories."""
    for lo in range(0, n, chunk):
        with store.unit_of_work() as uow:
            for k in range(lo, min(n, lo + chunk)):
                rows = _history_rows(enterprise, k, n)
                uow.plans.add(rows["plan"])
                uow.inspections.add(rows["inspection"])
                uow.visits.add(rows["visit"])
                uow.results.add(rows["result"])
                if "rectification" in rows:
                    uow.rectifications.add(rows["rectification"])
                uow.feedback.add_evaluation(rows["evaluation"])
                uow.ledger.check_and_reserve(rows["reservation"], (), rows["reservation"].at)
            uow.commit()


def city_plans(n: int, enterprises: int = 100_000) -> Iterator[Plan]:
    """``n`` plans of other enterprises, spread over the ten years before `BASE` and the
    year after it (some still open), for the city-size measurement."""
    year = 365 * 24 * 3600
    for k in range(n):
        start = BASE.add(seconds=(k * 7919) % (11 * year) - 10 * year)
        yield Plan(
            id=f"c{k}",
            enterprise=f"city-{k % enterprises}",
            department=DEPT,
            items=(ITEM,),
            inspectors=PEOPLE,
            window=Window(start, start.add(hours=4)),
            kind=InspectionKind.ROUTINE,
            filed_at=start.subtract(days=10),
            inspection_id=f"ci{k}",
        )


def seed_city(store: Store, n: int, chunk: int = 20_000) -> None:
    """Store ``n`` plans of other enterprises: bulk import on SQL, the repository on memory."""
    importer = getattr(store, "import_plans", None)
    if importer is not None:
        importer(city_plans(n))
        return
    plans = city_plans(n)
    while batch := list(itertools.islice(plans, chunk)):
        with store.unit_of_work() as uow:
            for plan in batch:
                uow.plans.add(plan)
            uow.commit()
