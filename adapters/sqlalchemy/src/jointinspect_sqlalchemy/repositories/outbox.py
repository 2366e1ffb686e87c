"""The outbox: notifications written with the operation, delivered later by the relay.

Delivered rows are pruned by the notification's instant (column ``at``, index
``ix_ji_outbox_prune``); a failed delivery counts ``attempts`` and defers the row until
``next_attempt_at`` (revision 0004).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pendulum
from sqlalchemy import delete, select, update

from jointinspect.model.notification import Notification
from jointinspect.staged import StagedNotification
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.outbox_rows import staged_notification_rows
from jointinspect_sqlalchemy.prepared import Prepared
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.statements import insert_new

#: keys per ``IN (...)`` list when marking outbox rows delivered.
_CHUNK = 500
#: rows per ``DELETE`` when pruning (short statements, bounded undo on MariaDB).
_PRUNE_BATCH = 5000
#: notifications per multi-row ``INSERT`` of `add_many` (three parameters each).
_INSERT_CHUNK = 1000


_SQLITE_INSERT = Prepared(
    "INSERT INTO ji_outbox (key, delivered, body, at) VALUES (?, 0, ?, ?) ON CONFLICT DO NOTHING", None, {}
)
_PG_INSERT = Prepared(
    "INSERT INTO ji_outbox (key, delivered, body, at) "
    "SELECT k, false, b, a FROM unnest(%b::text[], %b::text[], %b::bigint[]) AS u(k, b, a) "
    "ON CONFLICT DO NOTHING",
    ("keys", "bodies", "ats"),
    {},
)


@functools.lru_cache(maxsize=16)
def _mysql_insert(count: int) -> str:
    """MariaDB's ``INSERT`` of ``count`` outbox rows that leaves a key already there as is."""
    values = ", ".join(["(%s, 0, %s, %s)"] * count)
    return f"INSERT INTO ji_outbox (`key`, delivered, body, at) VALUES {values} ON DUPLICATE KEY UPDATE `key` = `key`"


class _Outbox(_Repo):
    def add(self, notification: Notification) -> None:
        # Same key again (delivered or not): ignored by the statement, so nothing to read
        # back and the write can travel with the next one.
        uow = self._uow
        family_name = uow.family
        row = {
            "key": notification.key,
            "delivered": False,
            "body": codec.dumps(notification),
            "at": codec.micros(notification.at),
        }
        statement = uow._store.statement(
            ("new", s.outbox.name, tuple(row)), lambda: insert_new(family_name, s.outbox), list(row)
        )
        if family_name == "mysql":
            uow.insert_new(s.outbox, row)  # its duplicate-key error must be caught here
        else:
            uow.defer(statement, row)

    def add_many(self, notifications: Sequence[Notification]) -> None:
        if notifications:
            self._add_rows(codec.notification_rows(notifications))

    def add_staged(self, at: pendulum.DateTime, notifications: Sequence[StagedNotification]) -> None:
        """``add_many(jointinspect.staged.notifications(at, notifications))`` without
        building the notifications: the same rows (see `jointinspect.ports.StagedAppends`)."""
        if notifications:
            self._add_rows(staged_notification_rows(at, notifications))

    def _add_rows(self, rows: list[tuple[str, str, int]]) -> None:
        """Queue outbox rows (key, body, instant), as `add_many` says."""
        uow = self._uow
        family_name = uow.family
        if family_name == "sqlite":
            # executemany of a one-row statement: SQLite runs it without a round trip.
            uow.run_many(_SQLITE_INSERT, rows)
            return
        if family_name == "postgresql":
            # One INSERT of three arrays: a short statement (the driver caches its parsing,
            # the server its plan) whatever the number of rows; unnest keeps their order.
            if rows:
                keys, bodies, ats = (list(column) for column in zip(*rows, strict=True))
                # run_many: it sends what the unit of work deferred first, then binds the
                # arrays in binary on the server (text arrays would escape every body).
                uow.run_many(_PG_INSERT, [_PG_INSERT.args({"keys": keys, "bodies": bodies, "ats": ats})])
            return
        # MariaDB: one multi-row INSERT per chunk, a key already there (or twice in the
        # chunk) left as it is by the statement itself.
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start : start + _INSERT_CHUNK]
            names = tuple(f"p{i}" for i in range(3 * len(chunk)))
            params = dict(zip(names, (value for row in chunk for value in row), strict=True))
            uow.run(Prepared(_mysql_insert(len(chunk)), names, {}), params)

    def pending(self, limit: int, now: pendulum.DateTime | None = None) -> list[Notification]:
        t = s.outbox
        query = select(t.c.body).where(t.c.delivered.is_(False))
        if now is not None:
            query = query.where(t.c.next_attempt_at <= codec.micros(now))
        return self._bodies(query.order_by(t.c.seq).limit(max(limit, 0)), Notification)

    def attempts(self, key: str) -> int:
        t = s.outbox
        found = self._uow.execute(select(t.c.attempts).where(t.c.key == key)).fetchall()
        return int(found[0][0]) if found else 0

    def mark_failed(self, key: str, next_attempt_at: pendulum.DateTime) -> None:
        t = s.outbox
        self._uow.execute(
            update(t)
            .where(t.c.key == key, t.c.delivered.is_(False))
            .values(attempts=t.c.attempts + 1, next_attempt_at=codec.micros(next_attempt_at))
        )

    def mark_delivered(self, keys: Sequence[str]) -> None:
        t = s.outbox
        unique = sorted(set(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            self._uow.execute(update(t).where(t.c.key.in_(chunk), t.c.delivered.is_(False)).values(delivered=True))

    def prune(self, before: pendulum.DateTime) -> int:
        t = s.outbox
        cutoff = codec.micros(before)
        total = 0
        while True:
            # Select a batch of keys first: MariaDB refuses DELETE ... WHERE x IN (subquery
            # on the same table), and a bounded batch keeps each statement short.
            doomed = [
                row[0]
                for row in self._uow.execute(
                    select(t.c.seq)
                    .where(t.c.delivered.is_(True), t.c.at < cutoff)
                    .order_by(t.c.delivered, t.c.at)
                    .limit(_PRUNE_BATCH)
                )
            ]
            if not doomed:
                return total
            for start in range(0, len(doomed), _CHUNK):
                total += self._uow.execute(delete(t).where(t.c.seq.in_(doomed[start : start + _CHUNK]))).rowcount
