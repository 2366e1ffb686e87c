"""Revision 0012_period_reads on a database that already holds audit entries: ``action``
and ``at`` are filled from the hashed bodies, so a report's period read finds the old
entries, and the chain still verifies."""

from __future__ import annotations

import pendulum
from jointinspect_sqlalchemy import SQLStore, upgrade
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import create_engine, select

from jointinspect.audit import GENESIS, AuditRecord, canonical_body, seal

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def test_upgrade_fills_the_audit_columns_from_stored_entries(sql_url: str) -> None:
    upgrade(sql_url, "0011_licence_sweep")
    entries, prev = [], GENESIS
    for seq, (action, hours) in enumerate([("frequency.warning", 1), ("plan.filed", 2), ("frequency.warning", 30)], 1):
        entry = seal(AuditRecord(T0.add(hours=hours), "system", action, "s"), seq, prev)
        entries.append(entry)
        prev = entry.hash
    engine = create_engine(sql_url)
    try:
        with engine.begin() as conn:  # rows as revision 0011 wrote them: no action, no at
            for e in entries:
                conn.execute(
                    s.audit_log.insert().values(seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, body=canonical_body(e))
                )
            conn.execute(s.audit_head.insert().values(id=s.AUDIT_HEAD_ID, seq=entries[-1].seq, hash=entries[-1].hash))
        upgrade(sql_url)
        with engine.connect() as conn:
            rows = conn.execute(select(s.audit_log.c.seq, s.audit_log.c.action).order_by(s.audit_log.c.seq))
            assert [tuple(row) for row in rows] == [
                (1, "frequency.warning"),
                (2, "plan.filed"),
                (3, "frequency.warning"),
            ]
    finally:
        engine.dispose()
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            found = uow.period.audit_actions(["frequency.warning"], T0, T0.add(days=1))
            assert found == [entries[0]]
            assert [e.seq for e in uow.audit.iter_entries()] == [1, 2, 3]
    finally:
        store.close()
