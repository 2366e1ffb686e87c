"""Revision 0002_bounded_reads on a database that already holds rows: the new columns are
filled from the stored JSON bodies, so the bounded reads see the old rows (issue 15)."""

from __future__ import annotations

import pendulum
from jointinspect_sqlalchemy import SQLStore, codec, upgrade
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import create_engine, select

from jointinspect.model.plan import Inspection, InspectionKind, Plan, PlanStatus, Window
from jointinspect.model.result import Outcome, ResultRecord

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001X"


def _plan(pid: str, inspection: str | None, days: int) -> Plan:
    return Plan(
        id=pid,
        enterprise=ENT,
        department="SCJG",
        items=["SCJG-01"],
        inspectors=["SCJG-I01", "SCJG-I02"],
        window=Window(T0, T0.add(days=days)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0.subtract(days=10),
        status=PlanStatus.ACTIVE if inspection else PlanStatus.PENDING_APPROVAL,
        inspection_id=inspection,
    )


def _result(rid: str, item: str, outcome: Outcome) -> ResultRecord:
    return ResultRecord(
        id=rid,
        inspection_id="i1",
        enterprise=ENT,
        department="SCJG",
        inspector_id="SCJG-I01",
        item=item,
        outcome=outcome,
        note="",
        evidence=(),
        recorded_at=T0,
        responsible_department="SCJG",
    )


def test_upgrade_fills_the_new_columns_from_stored_rows(sql_url: str) -> None:
    upgrade(sql_url, "0001")
    long, pending = _plan("p1", "i1", 30), _plan("p2", None, 40)
    inspection = Inspection(
        id="i1",
        enterprise=ENT,
        lead_department="SCJG",
        plan_ids=["p1"],
        departments=["SCJG"],
        items=["SCJG-01"],
        inspectors=["SCJG-I01", "SCJG-I02"],
        window=long.window,
        kind=InspectionKind.ROUTINE,
        created_at=T0.subtract(days=10),
    )
    results = [_result("r1", "SCJG-01", Outcome.FAIL), _result("r2", "SCJG-02", Outcome.PASS)]
    engine = create_engine(sql_url)
    try:
        with engine.begin() as conn:  # rows as revision 0001 wrote them: no new columns
            for plan in (long, pending):
                conn.execute(
                    s.plans.insert().values(
                        id=plan.id,
                        enterprise=ENT,
                        filed_at=codec.micros(plan.filed_at),
                        status=plan.status.value,
                        body=codec.dumps(plan),
                    )
                )
            conn.execute(
                s.inspections.insert().values(
                    id="i1", enterprise=ENT, created_at=0, status="planned", body=codec.dumps(inspection)
                )
            )
            for r in results:
                conn.execute(
                    s.results.insert().values(
                        id=r.id,
                        enterprise=ENT,
                        inspection_id="i1",
                        item=r.item,
                        recorded_at=codec.micros(r.recorded_at),
                        body=codec.dumps(r),
                    )
                )
        upgrade(sql_url)
        with engine.connect() as conn:
            rows = conn.execute(
                select(s.plans.c.id, s.plans.c.inspection_id, s.plans.c.window_end).order_by(s.plans.c.id)
            )
            assert [tuple(row) for row in rows] == [
                ("p1", "i1", codec.micros(T0.add(days=30))),
                ("p2", None, codec.micros(T0.add(days=40))),
            ]
    finally:
        engine.dispose()
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            assert uow.inspections.open_for_enterprise(ENT, T0.add(days=20)) == [inspection]
            assert uow.inspections.open_for_enterprise(ENT, T0.add(days=31)) == []
            assert uow.plans.for_inspections(["i1"]) == [long]
            assert uow.results.ever_failed(ENT, "SCJG-01")
            assert not uow.results.ever_failed(ENT, "SCJG-02")
    finally:
        store.close()
