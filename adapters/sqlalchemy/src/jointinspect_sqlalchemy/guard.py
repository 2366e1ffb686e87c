"""The replay guard: one-time keys in table ``ji_replay_keys``."""

from __future__ import annotations

import pendulum
from sqlalchemy import bindparam, delete, update
from sqlalchemy.sql import ClauseElement

from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy._protocols import UnitOfWorkSource, UnitOfWorkView


class SQLReplayGuard:
    """One-time keys in table ``ji_replay_keys``.

    Called while the same thread has a unit of work of this store open (check-in does),
    the key is consumed inside that unit of work's transaction: it commits with the visit
    or not at all, and SQLite's single write lock is not requested twice. Otherwise each
    call is its own transaction.
    """

    def __init__(self, store: UnitOfWorkSource) -> None:
        self._store = store

    def consume(self, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        """See :meth:`jointinspect.ports.ReplayGuard.consume`."""
        active = self._store._active()
        if active is not None:
            return self._consume(active, key, expires_at, now)
        with self._store.unit_of_work() as uow:
            used = self._consume(uow, key, expires_at, now)
            uow.commit()
        return used

    def prune(self, before: pendulum.DateTime) -> int:
        """Forget keys that expired at or before ``before`` (index
        ``ix_ji_replay_keys_expires``); return how many. Joins an open unit of work like
        :meth:`consume`."""
        active = self._store._active()
        if active is not None:
            return self._prune(active, before)
        with self._store.unit_of_work() as uow:
            removed = self._prune(uow, before)
            uow.commit()
        return removed

    @staticmethod
    def _prune(uow: UnitOfWorkView, before: pendulum.DateTime) -> int:
        t = s.replay_keys
        removed: int = uow.execute(delete(t).where(t.c.expires_at <= codec.micros(before))).rowcount
        return removed

    @staticmethod
    def _consume(uow: UnitOfWorkView, key: str, expires_at: pendulum.DateTime, now: pendulum.DateTime) -> bool:
        until = codec.micros(expires_at)
        # Reuse an expired key; a concurrent consumer re-checks the condition after our
        # commit (row lock), so only one of them matches.
        reuse = uow._store.statement("replay-reuse", _reuse_replay_key)
        if uow.run(reuse, {"key": key, "now": codec.micros(now), "until": until}).rowcount:
            return True
        return uow.insert_new(s.replay_keys, {"key": key, "expires_at": until})


def _reuse_replay_key() -> ClauseElement:
    t = s.replay_keys
    return (
        update(t)
        .where(t.c.key == bindparam("key"), t.c.expires_at <= bindparam("now"))
        .values(expires_at=bindparam("until"))
    )
