"""Revision 0005_operator_queries on a database that already holds rows: the listing
columns and the inspections' departments are filled from the stored bodies, so the
operator listings see the old rows; the downgrade removes them again (issue 11)."""

from __future__ import annotations

import pendulum
from jointinspect_sqlalchemy import SQLStore, codec, upgrade
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.migrate import downgrade
from sqlalchemy import create_engine, inspect

from jointinspect.model.feedback import Evaluation
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.model.rectification import Rectification, RectificationState
from jointinspect.model.reference import CreditClass, Enterprise, GeoPoint

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
ENT = "91370600000000001N"


def _rows() -> tuple[Enterprise, Plan, Inspection, Rectification, Evaluation]:
    enterprise = Enterprise(ENT, "烟台示范企业", GeoPoint(37.46, 121.44), credit_class=CreditClass.A, whitelisted=True)
    plan = Plan(
        id="p1",
        enterprise=ENT,
        department="XFJY",
        items=["XFJY-01"],
        inspectors=["XFJY-I01"],
        window=Window(T0, T0.add(hours=4)),
        kind=InspectionKind.ROUTINE,
        filed_at=T0.subtract(days=10),
        status=PlanStatus.PENDING_APPROVAL,
    )
    inspection = Inspection(
        id="i1",
        enterprise=ENT,
        lead_department="SCJG",
        plan_ids=["p0"],
        departments=["SCJG", "XFJY"],
        items=["SCJG-01", "XFJY-01"],
        inspectors=["SCJG-I01", "XFJY-I01"],
        window=Window(T0, T0.add(hours=4)),
        kind=InspectionKind.ROUTINE,
        created_at=T0.subtract(days=10),
        status=InspectionStatus.IN_PROGRESS,
    )
    rect = Rectification(
        id="x1",
        result_id="r1",
        enterprise=ENT,
        department="XFJY",
        item="XFJY-01",
        deadline=T0.add(days=5),
        state=RectificationState.OPEN,
        opened_at=T0,
    )
    return enterprise, plan, inspection, rect, Evaluation("i0", ENT, 80, "", T0)


def test_upgrade_fills_the_listing_columns_from_stored_rows(sql_url: str) -> None:
    upgrade(sql_url, "0004_audit_outbox")
    enterprise, plan, inspection, rect, evaluation = _rows()
    engine = create_engine(sql_url)
    try:
        with engine.begin() as conn:  # rows as revision 0004 wrote them: no listing columns
            conn.execute(s.enterprises.insert().values(credit_code=ENT, body=codec.dumps(enterprise)))
            conn.execute(
                s.plans.insert().values(
                    id="p1", enterprise=ENT, filed_at=0, status=plan.status.value, body=codec.dumps(plan)
                )
            )
            conn.execute(
                s.inspections.insert().values(
                    id="i1", enterprise=ENT, created_at=0, status="in_progress", body=codec.dumps(inspection)
                )
            )
            conn.execute(
                s.rectifications.insert().values(
                    id="x1",
                    enterprise=ENT,
                    state="open",
                    deadline=codec.micros(rect.deadline),
                    opened_at=0,
                    body=codec.dumps(rect),
                )
            )
            conn.execute(s.evaluations.insert().values(inspection_id="i0", body=codec.dumps(evaluation)))
        upgrade(sql_url)
    finally:
        engine.dispose()
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            listing = uow.listing
            assert listing.enterprises([(CreditClass.A, True)], 10, 0) == [enterprise]
            assert listing.plans("XFJY", PlanStatus.PENDING_APPROVAL, T0, None, 10, 0) == [plan]
            assert listing.inspections("XFJY", ENT, InspectionStatus.IN_PROGRESS, None, None, 10, 0) == [inspection]
            assert listing.inspections("SCJG", None, None, T0, T0.add(days=1), 10, 0) == [inspection]
            assert listing.unclosed_rectifications("XFJY", ENT, T0.add(days=6), 10, 0) == [rect]
            assert listing.evaluations(ENT, T0, None, 10, 0) == [evaluation]
    finally:
        store.close()


def test_downgrade_removes_what_the_revision_added(sql_url: str) -> None:
    upgrade(sql_url)
    downgrade(sql_url, "0004_audit_outbox")
    engine = create_engine(sql_url)
    try:
        names = inspect(engine)
        assert "ji_inspection_departments" not in names.get_table_names()
        assert "window_start" not in {c["name"] for c in names.get_columns("ji_plans")}
        assert "ix_ji_complaints_at" not in {i["name"] for i in names.get_indexes("ji_complaints")}
    finally:
        engine.dispose()
    upgrade(sql_url)  # and up again
