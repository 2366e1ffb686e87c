"""Revision 0011_licence_sweep on a database whose licences already carry warnings in
``ji_licences.warned_lead``: the marks move to ``ji_licence_warnings``, so the sweep does
not warn those licences again, and the others still are."""

from __future__ import annotations

import datetime as dt

from jointinspect_sqlalchemy import SQLStore, upgrade
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import create_engine

DAY0 = dt.date(2026, 4, 1)
HOLDER = "91370600000000001X"


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
            assert [lic.number for lic in uow.licences.unwarned(30, DAY0, last, None, 10)] == ["none"]
            assert [lic.number for lic in uow.licences.unwarned(7, DAY0, last, None, 10)] == ["none", "w30"]
    finally:
        store.close()
