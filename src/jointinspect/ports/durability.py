"""What makes a change durable and traceable: the outbox of notifications and the
hash-chained audit log, both written in the change's own transaction.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

import pendulum

from jointinspect.audit import AuditEntry, AuditHead, AuditRecord
from jointinspect.model.notification import Notification
from jointinspect.staged import StagedNotification, StagedRecord


class Outbox(Protocol):
    """Notifications written in the same transaction as the change that causes them.

    Some rows are *bundles* (e.g. the licence sweep's ``licence.expiring_page``, one per
    page): a store keeps them like any row; the relay expands each into the notifications
    it stands for (`jointinspect.notices.bundles.expand`) and marks the row delivered once
    all of them were sent. Code that reads `pending` itself, instead of running the relay,
    must expand the rows the same way (`jointinspect.notices.expand_all`).
    """

    def add(self, notification: Notification) -> None:
        """Queue a notification; one with a key already queued — pending or delivered, until
        pruned — is ignored (no error)."""
        ...

    def add_many(self, notifications: Sequence[Notification]) -> None:
        """Queue ``notifications`` in their order: the same as `add` of each one (a key
        already queued, or repeated within ``notifications``, is ignored after its first),
        in a few statements rather than one per notification (bulk filing flushes a
        chunk's at once, issue 11). An empty sequence writes nothing."""
        ...

    def pending(self, limit: int, now: pendulum.DateTime | None = None) -> list[Notification]:
        """Up to ``limit`` undelivered notifications in the order they were added (kept
        through deliveries and rollbacks); with ``now``, only those due (whose next attempt,
        after a failed one, is not later than ``now``); without it, every pending one."""
        ...

    def attempts(self, key: str) -> int:
        """How many delivery attempts of ``key`` failed so far (0 for an unknown key)."""
        ...

    def mark_failed(self, key: str, next_attempt_at: pendulum.DateTime) -> None:
        """Count a failed delivery attempt of a pending notification and leave it out of
        ``pending(limit, now)`` until ``next_attempt_at`` (no effect once delivered)."""
        ...

    def mark_delivered(self, keys: Sequence[str]) -> None:
        """Mark notifications delivered (idempotent; unknown keys are ignored); rolled back
        with the unit of work like any write."""
        ...

    def prune(self, before: pendulum.DateTime) -> int:
        """Delete delivered notifications created before ``before``; pending ones are never
        deleted. Returns how many were removed. A pruned key is forgotten: the retention
        must outlast any retry of the operation that queued it."""
        ...


class AuditLog(Protocol):
    """Append-only, hash-chained log of every state change."""

    def append(self, record: AuditRecord) -> AuditEntry:
        """Seal ``record`` after the current last entry (with
        `jointinspect.audit.seal`) and store it, atomically with respect to other
        appends: racing units of work never fork the chain (sequence numbers 1, 2, 3...
        without gaps, each entry's hash chained to the previous one). Returns the entry."""
        ...

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        """`append` each of ``records`` in order, as one atomic step with respect to other
        appends (bulk filing flushes a chunk's entries at once, issue 11): the entries are
        exactly those the appends one by one would give (consecutive sequence numbers, each
        hash chained to the previous one) and are returned in order; an empty sequence
        writes nothing and returns ``[]``."""
        ...

    def entries(self, after_seq: int = 0) -> list[AuditEntry]:
        """Entries with ``seq > after_seq``, in ``seq`` order (``[]`` past the end)."""
        ...

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        """Entries with ``seq > after_seq`` in ``seq`` order, read lazily (in pages) so that
        verification runs in constant memory. Each row is rebuilt with
        `jointinspect.audit.parse_row`, so a corrupted row raises ``AuditChainBroken``
        naming its sequence number."""
        ...

    def head(self) -> AuditHead:
        """The head row: the sequence number and hash of the last entry, updated in the same
        atomic step as each append (`jointinspect.audit.EMPTY_HEAD` when there is none)."""
        ...


@runtime_checkable
class StagedAppends(Protocol):
    """A unit of work that appends audit records and queues notifications staged as plain
    values (optional; issue 11): bulk filing stages a chunk's that way rather than build an
    `AuditRecord` and a `Notification` for each, and hands them over before the commit
    (without it, it builds them with `jointinspect.staged.records` and
    `jointinspect.staged.notifications` and calls `AuditLog.append_many` and
    `Outbox.add_many`)."""

    def append_staged(
        self,
        at: pendulum.DateTime,
        actor: str,
        records: Sequence[StagedRecord],
        notifications: Sequence[StagedNotification],
    ) -> list[AuditEntry]:
        """``audit.append_many(jointinspect.staged.records(at, actor, records))``, then
        ``outbox.add_many(jointinspect.staged.notifications(at, notifications))``: the
        same entries and rows (seal them with `jointinspect.staged.sealed_rows`). Returns
        the first and the last entry appended (one if just one, ``[]`` for none).

        Raises:
            ValidationError: a staged record's value, as `AuditRecord.checked` refuses it.
        """
        ...
