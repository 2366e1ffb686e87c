"""Revisions 0011_licence_sweep and 0013_licence_cursors on a database whose licences
already carry warnings in ``ji_licences.warned_lead``: the marks move to
``ji_licence_warnings``, then become the lead times' cursors, and the licences a cursor
passed without their warning are noted late, so the next sweep warns exactly those; and
revision 0014_body_compression on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from jointinspect_sqlalchemy import SQLStore, upgrade
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.migrate import downgrade
from sqlalchemy import create_engine, text

from jointinspect.model.licence import Licence

DAY0 = dt.date(2026, 4, 1)
HOLDER = "91370600000000001N"


def test_upgrade_moves_the_warnings_to_their_table(sql_url: str) -> None:
    upgrade(sql_url, "0010_open_visits")
    engine = create_engine(sql_url)
    try:
        with engine.begin() as conn:  # rows as revision 0010 wrote them
            for number, warned in (("w30", 30), ("w7", 7), ("none", None)):
                conn.execute(
                    s.licences.insert().values(
                        kind="food_business",
                        number=number,
                        holder=HOLDER,
                        department="SCJG",
                        expires_on=20260405,
                        warned_lead=warned,
                    )
                )
        upgrade(sql_url)
    finally:
        engine.dispose()
    store = SQLStore(sql_url)
    try:
        last = DAY0 + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            # Each lead time's cursor is its furthest mark or a shorter one's: w7 for both.
            assert uow.licences.cursor(30) == (dt.date(2026, 4, 5), "food_business", "w7")
            assert uow.licences.cursor(7) == (dt.date(2026, 4, 5), "food_business", "w7")
            assert uow.licences.unwarned(30, DAY0, last, None, 10) == []
            # "none" was never warned and w30 not for 7 days, though the cursors passed them.
            assert [lic.number for lic in uow.licences.claim_late(DAY0, 10)] == ["none", "w30"]
    finally:
        store.close()


def test_downgrade_marks_what_the_cursors_passed(sql_url: str) -> None:
    upgrade(sql_url, "0013_licence_cursors")
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            for number in ("a", "b", "c"):
                uow.licences.put(Licence("food_business", number, HOLDER, "SCJG", DAY0 + dt.timedelta(days=3)))
            uow.commit()
        with store.unit_of_work() as uow:
            assert len(uow.licences.claim_unwarned(30, DAY0, DAY0 + dt.timedelta(days=30), None, 2)) == 2
            uow.commit()
        with store.unit_of_work() as uow:
            uow.licences.put(Licence("food_business", "late", HOLDER, "SCJG", DAY0 + dt.timedelta(days=1)))
            uow.commit()
    finally:
        store.close()
    downgrade(sql_url, "0012_period_reads")
    engine = create_engine(sql_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT number, lead_days FROM ji_licence_warnings ORDER BY number"))
            assert [tuple(row) for row in rows] == [("a", 30), ("b", 30)]
    finally:
        engine.dispose()
    upgrade(sql_url)
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            assert uow.licences.cursor(30) == (DAY0 + dt.timedelta(days=3), "food_business", "b")
            assert [lic.number for lic in uow.licences.unwarned(30, DAY0, DAY0 + dt.timedelta(days=30), None, 10)] == [
                "c"
            ]
            # The late licence is not marked after the downgrade, so it is again due.
            assert [lic.number for lic in uow.licences.claim_late(DAY0, 10)] == ["late"]
    finally:
        store.close()


def test_postgresql_bodies_are_compressed_with_lz4(postgresql_db_url: str) -> None:
    sql_url = postgresql_db_url
    upgrade(sql_url)
    engine = create_engine(sql_url)
    try:
        with engine.connect() as conn:
            query = text(
                "SELECT c.relname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname IN ('ji_outbox', 'ji_audit') AND a.attname = 'body' ORDER BY c.relname"
            )
            assert [tuple(row) for row in conn.execute(query)] == [("ji_audit", "l"), ("ji_outbox", "l")]
        downgrade(sql_url, "0013_licence_cursors")
        with engine.connect() as conn:
            assert {row[1] for row in conn.execute(query)} == {""}
    finally:
        engine.dispose()
    upgrade(sql_url)
