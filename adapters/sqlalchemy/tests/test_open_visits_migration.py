"""Revision 0010_open_visits on a database that already holds visits: the open slot is
filled from the stored bodies (the latest open visit of an inspector keeps it), so the
bounded ``open_for_inspector`` read and the unique index see the old rows."""

from __future__ import annotations

import attrs
import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore, codec, upgrade
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import create_engine, select

from jointinspect.errors import IntegrityError
from jointinspect.model.reference import GeoPoint
from jointinspect.model.visit import Visit

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
SITE = GeoPoint(37.46, 121.44)


def _visit(vid: str, inspector: str, minutes: int, *, out: bool = False) -> Visit:
    at = T0.add(minutes=minutes)
    visit = Visit(vid, f"i-{vid}", inspector, "91370600000000001X", at, SITE, 2.0, f"t-{vid}")
    return attrs.evolve(visit, checked_out_at=at.add(minutes=30)) if out else visit


def test_upgrade_fills_the_open_slot_from_stored_visits(sql_url: str) -> None:
    upgrade(sql_url, "0004_audit_outbox")
    visits = [
        _visit("v1", "A", 0, out=True),  # closed: no slot
        _visit("v2", "A", 60),  # A's only open visit
        _visit("v3", "B", 10),  # B had two open visits (the old race): the latest keeps the slot
        _visit("v4", "B", 20),
    ]
    engine = create_engine(sql_url)
    try:
        with engine.begin() as conn:  # rows as revision 0004 wrote them: no open_inspector
            for v in visits:
                conn.execute(
                    s.visits.insert().values(
                        id=v.id,
                        inspection_id=v.inspection_id,
                        checked_in_at=codec.micros(v.checked_in_at),
                        body=codec.dumps(v),
                    )
                )
        upgrade(sql_url)
        with engine.connect() as conn:
            rows = conn.execute(select(s.visits.c.id, s.visits.c.open_inspector).order_by(s.visits.c.id))
            assert [tuple(row) for row in rows] == [("v1", None), ("v2", "A"), ("v3", None), ("v4", "B")]
    finally:
        engine.dispose()
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            assert [v.id for v in uow.visits.open_for_inspector("A")] == ["v2"]
            with pytest.raises(IntegrityError):
                uow.visits.add(_visit("v5", "A", 90))
    finally:
        store.close()
