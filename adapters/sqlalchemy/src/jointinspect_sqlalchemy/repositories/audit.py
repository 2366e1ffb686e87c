"""The hash-chained audit log: appends serialised on a single head row."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.sql import ClauseElement

from jointinspect.audit import GENESIS, AuditEntry, AuditRecord, seal
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo


class _Audit(_Repo):
    def append(self, record: AuditRecord) -> AuditEntry:
        uow, store = self._uow, self._uow._store
        family_name = uow.family
        head_q = store.statement("audit-head", lambda: _audit_head(family_name))
        at_head = {"id": s.AUDIT_HEAD_ID}
        rows = uow.run(head_q, at_head).fetchall()
        if not rows:
            uow.create_locked(s.audit_head, {"id": s.AUDIT_HEAD_ID, "seq": 0, "hash": GENESIS})
            rows = uow.run(head_q, at_head).fetchall()
        entry = seal(record, int(rows[0][0]) + 1, str(rows[0][1]))
        uow.defer(
            store.statement("audit-insert", s.audit_log.insert, _AUDIT_COLUMNS),
            {"seq": entry.seq, "prev_hash": entry.prev_hash, "hash": entry.hash, "body": codec.dumps(entry)},
        )
        uow.defer(
            store.statement("audit-move-head", _audit_move_head),
            {"id": s.AUDIT_HEAD_ID, "seq": entry.seq, "hash": entry.hash},
        )
        return entry

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        t = s.audit_log
        return self._bodies(select(t.c.body).where(t.c.seq > after_seq).order_by(t.c.seq), AuditEntry)


_AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "body")


def _audit_head(family_name: str) -> ClauseElement:
    t = s.audit_head
    head = select(t.c.seq, t.c.hash).where(t.c.id == bindparam("id"))
    # The single head row is the chain's lock: appends queue here, never fork (SQLite's
    # write lock already serialises them).
    return head if family_name == "sqlite" else head.with_for_update()


def _audit_move_head() -> ClauseElement:
    t = s.audit_head
    return update(t).where(t.c.id == bindparam("id")).values(seq=bindparam("seq"), hash=bindparam("hash"))
