"""The hash-chained audit log: appends serialised on a single head row.

Each row keeps `jointinspect.audit.canonical_body` — the exact text that was hashed — so a
valid call can never store a record that no longer matches its hash, and rows are read
back with `jointinspect.audit.parse_row` (a corrupted row is ``AuditChainBroken``).
`iter_entries` pages through the table by sequence (keyset pagination), so verifying
holds one page in memory whatever the log's length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pendulum
from sqlalchemy import bindparam, select, update
from sqlalchemy.sql import ClauseElement

from jointinspect import staged
from jointinspect.audit import EMPTY_HEAD, GENESIS, AuditEntry, AuditHead, AuditRecord, parse_row, sealed, sealed_many
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.schema_period import ACTION_PREFIX

#: Rows per page of `iter_entries`.
PAGE = 1000


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
        entry, body = sealed(record, int(rows[0][0]) + 1, str(rows[0][1]))
        uow.defer(
            store.statement("audit-insert", s.audit_log.insert, _AUDIT_COLUMNS),
            _row(entry, body),
        )
        uow.defer(
            store.statement("audit-move-head", _audit_move_head),
            {"id": s.AUDIT_HEAD_ID, "seq": entry.seq, "hash": entry.hash},
        )
        return entry

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        if not records:
            return []
        seq, prev = self._head()
        entries, bodies = sealed_many(records, seq, prev)
        micros, cut = codec.micros, ACTION_PREFIX
        self._write(
            [
                (e.seq, e.prev_hash, e.hash, body, e.record.action[:cut], micros(e.record.at))
                for e, body in zip(entries, bodies, strict=True)
            ]
        )
        return entries

    def append_staged(
        self, at: pendulum.DateTime, actor: str, records: Sequence[staged.StagedRecord]
    ) -> list[AuditEntry]:
        """``append_many(jointinspect.staged.records(at, actor, records))`` without building
        the records: the same rows; returns the first and the last entry (see
        `jointinspect.ports.StagedAppends`)."""
        if not records:
            return []
        seq, prev = self._head()
        sealed_rows, ends = staged.sealed_rows(at, actor, records, seq, prev)
        when, cut = codec.micros(at), ACTION_PREFIX
        self._write([(n, p, h, body, action[:cut], when) for n, p, h, body, action in sealed_rows])
        return ends

    def _head(self) -> tuple[int, str]:
        """The head's sequence number and hash, locked (on SQLite: see `_audit_head`)."""
        uow, store = self._uow, self._uow._store
        family_name = uow.family
        head_q = store.statement("audit-head", lambda: _audit_head(family_name))
        at_head = {"id": s.AUDIT_HEAD_ID}
        rows = uow.run(head_q, at_head).fetchall()
        if not rows:
            uow.create_locked(s.audit_head, {"id": s.AUDIT_HEAD_ID, "seq": 0, "hash": GENESIS})
            rows = uow.run(head_q, at_head).fetchall()
        return int(rows[0][0]), str(rows[0][1])

    def _write(self, rows_out: list[tuple[Any, ...]]) -> None:
        """Insert the rows (`_AUDIT_COLUMNS`' values, in order) and move the head to the last."""
        uow, store = self._uow, self._uow._store
        if uow.family == "postgresql":
            # one COPY: the rows formatted by the driver's C code, not bound one at a time
            uow.copy_rows(s.audit_log, _AUDIT_COLUMNS, rows_out)
        else:
            insert = store.statement("audit-insert", s.audit_log.insert, _AUDIT_COLUMNS)
            if insert.takes_rows(_AUDIT_COLUMNS):
                uow.run_many(insert, rows_out)  # the tuples are the statement's arguments already
            else:
                uow.run_many(insert, insert.many([dict(zip(_AUDIT_COLUMNS, row, strict=True)) for row in rows_out]))
        seq, digest = rows_out[-1][0], rows_out[-1][2]
        uow.defer(
            store.statement("audit-move-head", _audit_move_head), {"id": s.AUDIT_HEAD_ID, "seq": seq, "hash": digest}
        )

    def head(self) -> AuditHead:
        t = s.audit_head
        rows = self._uow.execute(select(t.c.seq, t.c.hash).where(t.c.id == s.AUDIT_HEAD_ID)).fetchall()
        if not rows:
            return EMPTY_HEAD
        seq, digest = rows[0]
        return AuditHead(int(seq), str(digest))

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        last = after_seq
        while True:
            rows = self._uow.execute(_PAGE_QUERY, {"after": last}).fetchall()
            for seq, prev_hash, digest, body in rows:
                yield parse_row(seq, prev_hash, digest, body)
            if len(rows) < PAGE:
                return
            last = int(rows[-1][0])

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        return list(self.iter_entries(after_seq))


_AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "body", "action", "at")


def _row(entry: AuditEntry, body: str) -> dict[str, object]:
    """The ``ji_audit`` row of ``entry`` whose `jointinspect.audit.canonical_body` is
    ``body`` (as `jointinspect.audit.sealed` gives it: encoded once): the hashed body, and
    the action and instant a report's period read looks the entry up by."""
    return dict(zip(_AUDIT_COLUMNS, _values(entry, body), strict=True))


def _values(entry: AuditEntry, body: str) -> tuple[object, ...]:
    """`_row`'s values in `_AUDIT_COLUMNS` order (what PostgreSQL's COPY takes as is)."""
    record = entry.record
    return (entry.seq, entry.prev_hash, entry.hash, body, record.action[:ACTION_PREFIX], codec.micros(record.at))


#: One page of rows after a sequence number (keyset pagination on the primary key).
_PAGE_QUERY = (
    select(s.audit_log.c.seq, s.audit_log.c.prev_hash, s.audit_log.c.hash, s.audit_log.c.body)
    .where(s.audit_log.c.seq > bindparam("after"))
    .order_by(s.audit_log.c.seq)
    .limit(PAGE)
)


def _audit_head(family_name: str) -> ClauseElement:
    t = s.audit_head
    head = select(t.c.seq, t.c.hash).where(t.c.id == bindparam("id"))
    # The single head row is the chain's lock: appends queue here, never fork (SQLite's
    # write lock already serialises them).
    return head if family_name == "sqlite" else head.with_for_update()


def _audit_move_head() -> ClauseElement:
    t = s.audit_head
    return update(t).where(t.c.id == bindparam("id")).values(seq=bindparam("seq"), hash=bindparam("hash"))
