"""The audit tamper suite and the bounded-growth contract on SQLite, PostgreSQL and MariaDB.

The raw hooks edit ``ji_audit`` and ``ji_audit_head`` with plain SQL behind the store's
back, as someone with database access would. Also: revision 0004 rewrites audit rows
stored in the older codec format so that the chain still verifies.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from jointinspect_sqlalchemy import SQLStore, codec, upgrade
from jointinspect_sqlalchemy import schema as s
from sql_support import schema_url
from sqlalchemy import Boolean, column, create_engine, delete, insert, select, table

from jointinspect.audit import AuditHead, AuditRecord, verify_log
from jointinspect.memory import AuditRow
from jointinspect.testing.maintenance import MaintenanceContract
from jointinspect.testing.tamper import AuditTamperSuite, Rows


class _Backend:
    backend = "sqlite"

    @pytest.fixture(autouse=True)
    def _database(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.url = schema_url(request, self.backend, tmp_path)

    def make_store(self) -> SQLStore:
        return SQLStore(self.url, create=True)


class _Tamper(_Backend, AuditTamperSuite):
    def read_raw(self, store: SQLStore) -> tuple[Rows, AuditHead | None]:  # type: ignore[override]
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(s.audit_log.c.seq, s.audit_log.c.prev_hash, s.audit_log.c.hash, s.audit_log.c.body).order_by(
                    s.audit_log.c.seq
                )
            ).fetchall()
            head = conn.execute(select(s.audit_head.c.seq, s.audit_head.c.hash)).fetchall()
        return [AuditRow(*r) for r in rows], AuditHead(int(head[0][0]), str(head[0][1])) if head else None

    def write_raw(self, store: SQLStore, rows: Rows, head: AuditHead | None) -> None:  # type: ignore[override]
        with store.engine.begin() as conn:
            conn.execute(delete(s.audit_log))
            conn.execute(delete(s.audit_head))
            if rows:
                conn.execute(
                    insert(s.audit_log),
                    [{"seq": r.seq, "prev_hash": r.prev_hash, "hash": r.hash, "body": r.body} for r in rows],
                )
            if head is not None:
                conn.execute(insert(s.audit_head), [{"id": s.AUDIT_HEAD_ID, "seq": head.seq, "hash": head.hash}])


class TestSQLiteTamper(_Tamper):
    backend = "sqlite"


class TestPostgresTamper(_Tamper):
    backend = "postgresql"


class TestMariaDBTamper(_Tamper):
    backend = "mariadb"


class TestSQLiteMaintenance(_Backend, MaintenanceContract):
    backend = "sqlite"


class TestPostgresMaintenance(_Backend, MaintenanceContract):
    backend = "postgresql"


class TestMariaDBMaintenance(_Backend, MaintenanceContract):
    backend = "mariadb"


def test_revision_0004_rewrites_old_audit_rows_and_backfills_the_outbox(sql_url: str) -> None:
    """Rows written before 0004 (codec-format bodies) verify after the upgrade; the
    outbox's new ``at`` column is filled from each body, so pruning sees old rows."""
    from jointinspect.audit import seal
    from jointinspect.model.notification import Notification, Role

    upgrade(sql_url, "0001")
    t0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
    engine = create_engine(sql_url)
    prev, rows = "0" * 64, []
    for n in range(1, 2502):  # more than two migration pages
        entry = seal(AuditRecord(t0.add(seconds=n), f"officer:D{n % 3}", "plan.filed", f"p{n}", {"k": n}), n, prev)
        rows.append({"seq": n, "prev_hash": entry.prev_hash, "hash": entry.hash, "body": codec.dumps(entry)})
        prev = entry.hash
    note = Notification("k1", "plan.filed", Role.DEPARTMENT, "SCJG", "p1", t0)
    try:
        with engine.begin() as conn:
            conn.execute(insert(s.audit_log), rows)
            conn.execute(insert(s.audit_head), [{"id": s.AUDIT_HEAD_ID, "seq": 2501, "hash": prev}])
            # The 0001 outbox: no `at` column yet (sqlalchemy quotes the reserved word "key").
            old = table("ji_outbox", column("key"), column("delivered", Boolean), column("body"))
            conn.execute(insert(old), [{"key": "k1", "delivered": True, "body": codec.dumps(note)}])
    finally:
        engine.dispose()
    upgrade(sql_url)
    store = SQLStore(sql_url)
    try:
        with store.unit_of_work() as uow:
            assert verify_log(uow.audit) == 2501
        with store.unit_of_work() as uow:
            assert uow.outbox.prune(t0.add(seconds=1)) == 1
    finally:
        store.close()
