"""The outbox: notifications written with the operation, delivered later by the relay."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from jointinspect.model.notification import Notification
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.statements import insert_new

#: keys per ``IN (...)`` list when marking outbox rows delivered.
_CHUNK = 500


class _Outbox(_Repo):
    def add(self, notification: Notification) -> None:
        # Same key again (delivered or not): ignored, as the port says.
        # Same key again (delivered or not): ignored by the statement, so nothing to read
        # back and the write can travel with the next one.
        uow = self._uow
        family_name = uow.family
        row = {"key": notification.key, "delivered": False, "body": codec.dumps(notification)}
        statement = uow._store.statement(
            ("new", s.outbox.name, tuple(row)), lambda: insert_new(family_name, s.outbox), list(row)
        )
        if family_name == "mysql":
            uow.insert_new(s.outbox, row)  # its duplicate-key error must be caught here
        else:
            uow.defer(statement, row)

    def pending(self, limit: int) -> list[Notification]:
        t = s.outbox
        return self._bodies(
            select(t.c.body).where(t.c.delivered.is_(False)).order_by(t.c.seq).limit(max(limit, 0)),
            Notification,
        )

    def mark_delivered(self, keys: Sequence[str]) -> None:
        t = s.outbox
        unique = sorted(set(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            self._uow.execute(update(t).where(t.c.key.in_(chunk), t.c.delivered.is_(False)).values(delivered=True))
