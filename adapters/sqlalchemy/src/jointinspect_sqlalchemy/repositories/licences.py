"""Licences and the warnings sent for them (issue 12).

The sweep's read is one indexed range query per page: licences whose expiry lies in the
lead time's range, after the previous page's last ``(expires_on, kind, number)``, without
a warning row for the lead time (a primary-key probe each), in index order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, and_, bindparam, exists, insert, or_, select

from jointinspect.model.licence import Licence
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.schema import Key
from jointinspect_sqlalchemy.statements import insert_new


def day_number(day: dt.date) -> int:
    """``day`` as the integer ``YYYYMMDD`` the table stores."""
    return day.year * 10_000 + day.month * 100 + day.day


def _day(number: int) -> dt.date:
    return dt.date(number // 10_000, number // 100 % 100, number % 100)


def _row(licence: Licence) -> dict[str, Any]:
    return {
        "kind": licence.kind,
        "number": licence.number,
        "holder": licence.holder,
        "department": licence.department,
        "expires_on": day_number(licence.expires_on),
    }


def _licence(row: Any) -> Licence:
    return Licence.from_store(row[0], row[1], row[2], row[3], _day(row[4]))


def _unwarned(paged: bool, limit: int) -> Any:
    t, w = s.licences, s.licence_warnings
    warned = exists().where(
        w.c.kind == t.c.kind,
        w.c.number == t.c.number,
        w.c.lead_days == bindparam("lead"),
        w.c.expires_on == t.c.expires_on,
    )
    where = [t.c.expires_on >= bindparam("first"), t.c.expires_on <= bindparam("last"), ~warned]
    if paged:
        # (expires_on, kind, number) > (:e, :k, :n), spelt out: every backend uses the index.
        e, k, n = (
            bindparam("after_e", type_=Integer),
            bindparam("after_k", type_=Key()),
            bindparam("after_n", type_=Key()),
        )
        where.append(
            or_(
                t.c.expires_on > e,
                and_(t.c.expires_on == e, or_(t.c.kind > k, and_(t.c.kind == k, t.c.number > n))),
            )
        )
    return (
        select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on)
        .where(*where)
        .order_by(t.c.expires_on, t.c.kind, t.c.number)
        .limit(limit)
    )


def _mark(family_name: str) -> Any:
    if family_name == "mysql":
        return insert(s.licence_warnings).prefix_with("IGNORE").inline()
    return insert_new(family_name, s.licence_warnings)


class _Licences(_Repo):
    def put(self, licence: Licence) -> None:
        self._uow.upsert(s.licences, _row(licence))

    def get(self, kind: str, number: str) -> Licence | None:
        t = s.licences
        statement = self._uow._store.statement(
            ("licence", "get"),
            lambda: select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on).where(
                t.c.kind == bindparam("kind"), t.c.number == bindparam("number")
            ),
        )
        rows = self._uow.run(statement, {"kind": kind, "number": number}).fetchall()
        return _licence(rows[0]) if rows else None

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        # Through SQLAlchemy (its compiled cache) rather than a prepared statement: the
        # LIMIT is a literal, which prepared statements refuse.
        statement = _unwarned(after is not None, limit)
        params: dict[str, Any] = {"lead": lead_days, "first": day_number(first), "last": day_number(last)}
        if after is not None:
            params.update(after_e=day_number(after[0]), after_k=after[1], after_n=after[2])
        return [_licence(row) for row in self._uow.execute(statement, params).fetchall()]

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        if not licences:
            return
        family_name = self._uow.family
        columns = ["kind", "number", "lead_days", "expires_on"]
        statement = self._uow._store.statement(("licence", "mark"), lambda: _mark(family_name), columns)
        self._uow.run_many(
            statement,
            [
                statement.args(
                    {
                        "kind": lic.kind,
                        "number": lic.number,
                        "lead_days": lead_days,
                        "expires_on": day_number(lic.expires_on),
                    }
                )
                for lic in licences
            ],
        )
