"""The memory store's outbox and audit log."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence

import pendulum

from jointinspect.audit import EMPTY_HEAD, AuditEntry, AuditHead, AuditRecord, parse_row, sealed, sealed_many
from jointinspect.memory._tables import (
    AuditRow,
    _Base,
)
from jointinspect.model.notification import Notification


class _Outbox(_Base):
    def add(self, notification: Notification) -> None:
        if notification.key in self._t.outbox.rows:
            return
        self._t.counter[0] += 1
        number = self._t.counter[0]
        self._t.outbox.put(self._j, notification.key, (number, notification, False))
        self._t.outbox_pending.put(self._j, number, notification.key)

    def add_many(self, notifications: Sequence[Notification]) -> None:
        for notification in notifications:
            self.add(notification)

    def pending(self, limit: int, now: pendulum.DateTime | None = None) -> list[Notification]:
        # Only the pending index is read: cost grows with the backlog, not with history.
        index, retry = self._t.outbox_pending.rows, self._t.outbox_retry.rows
        due = (
            index if now is None or not retry else (n for n, k in index.items() if k not in retry or retry[k][1] <= now)
        )
        numbers = heapq.nsmallest(limit, due)
        rows = self._t.outbox.rows
        return [rows[index[n]][1] for n in numbers]

    def attempts(self, key: str) -> int:
        found = self._t.outbox_retry.rows.get(key)
        return found[0] if found else 0

    def mark_failed(self, key: str, next_attempt_at: pendulum.DateTime) -> None:
        row = self._t.outbox.rows.get(key)
        if row is not None and not row[2]:
            self._t.outbox_retry.put(self._j, key, (self.attempts(key) + 1, next_attempt_at))

    def mark_delivered(self, keys: Sequence[str]) -> None:
        for key in keys:
            row = self._t.outbox.rows.get(key)
            if row is not None and not row[2]:
                self._t.outbox.put(self._j, key, (row[0], row[1], True))
                self._t.outbox_pending.delete(self._j, row[0])
                self._t.outbox_retry.delete(self._j, key)
        pending = self._t.outbox_pending
        # A dict never shrinks and iterating it visits every slot: after a large backlog
        # drains, copy the few rows left into a compact dict so `pending` stays cheap.
        self._t.counter[1] += len(keys)
        if self._t.counter[1] > 1024 + 4 * len(pending.rows):
            pending.rows = dict(pending.rows)
            self._t.counter[1] = 0

    def prune(self, before: pendulum.DateTime) -> int:
        doomed = [k for k, (_, n, delivered) in self._t.outbox.rows.items() if delivered and n.at < before]
        for key in doomed:
            self._t.outbox.delete(self._j, key)
        return len(doomed)


class _Audit(_Base):
    def append(self, record: AuditRecord) -> AuditEntry:
        head = self.head()
        entry, body = sealed(record, head.seq + 1, head.hash)
        self._t.audit.put(self._j, entry.seq, AuditRow(entry.seq, entry.prev_hash, entry.hash, body))
        self._t.audit_head.put(self._j, "head", AuditHead(entry.seq, entry.hash))
        return entry

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        # The store's lock is held for the whole unit of work: the entries chained one by
        # one as `append` chains them, the head written once (bulk filing appends thousands).
        head = self.head()
        seq, prev = head.seq, head.hash
        rows, journal = self._t.audit, self._j
        entries, bodies = sealed_many(records, seq, prev)
        for entry, body in zip(entries, bodies, strict=True):
            rows.put(journal, entry.seq, AuditRow(entry.seq, entry.prev_hash, entry.hash, body))
        if entries:
            self._t.audit_head.put(journal, "head", AuditHead(entries[-1].seq, entries[-1].hash))
        return entries

    def head(self) -> AuditHead:
        return self._t.audit_head.rows.get("head", EMPTY_HEAD)

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        # Rows in key order, parsed one at a time (as a SQL store pages through its table).
        rows = self._t.audit.rows
        for seq in range(after_seq + 1, max(rows, default=0) + 1):
            row = rows.get(seq)
            if row is not None:
                yield parse_row(*row)

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        return list(self.iter_entries(after_seq))
