"""Licences and the warnings sent for them (issue 12).

Each licence row keeps ``warned_lead``: the shortest lead time already warned at its
current expiry (``NULL``: none; a renewal clears it). The sweep's read is one indexed range
query per page: licences whose expiry lies in the lead time's range, after the previous
page's last ``(expires_on, kind, number)``, not yet warned for that lead time or a shorter
one, in index order. No join: the read costs what the range query of the same rows costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, and_, bindparam, or_, select, tuple_, update

from jointinspect.model.licence import Licence
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.repositories._common import _Repo
from jointinspect_sqlalchemy.schema import Key


def day_number(day: dt.date) -> int:
    """``day`` as the integer ``YYYYMMDD`` the table stores."""
    return day.year * 10_000 + day.month * 100 + day.day


def _day(number: int) -> dt.date:
    return dt.date(number // 10_000, number // 100 % 100, number % 100)


def _licence(row: Any) -> Licence:
    return Licence.from_store(row[0], row[1], row[2], row[3], _day(row[4]))


def _unwarned(paged: bool, limit: int, family_name: str) -> Any:
    t = s.licences
    # The range's bounds and the lead time are rendered into the SQL text (integers): a
    # server caching a generic plan for a prepared statement would not know how narrow it is.
    first = bindparam("first", type_=Integer, literal_execute=True)
    last = bindparam("last", type_=Integer, literal_execute=True)
    lead = bindparam("lead", type_=Integer, literal_execute=True)
    where = [
        t.c.expires_on >= first,
        t.c.expires_on <= last,
        or_(t.c.warned_lead.is_(None), t.c.warned_lead > lead),
    ]
    if paged:
        e = bindparam("after_e", type_=Integer, literal_execute=True)
        k, n = bindparam("after_k", type_=Key()), bindparam("after_n", type_=Key())
        where.append(t.c.expires_on >= e)
        if family_name == "mysql":
            # (expires_on, kind, number) > (:e, :k, :n) spelt out for MariaDB's range optimizer.
            where.append(
                or_(
                    t.c.expires_on > e,
                    and_(t.c.expires_on == e, or_(t.c.kind > k, and_(t.c.kind == k, t.c.number > n))),
                )
            )
        else:
            # A row comparison: PostgreSQL and SQLite start the index scan right after the
            # previous page (an OR of columns would rescan the range from its start each page).
            where.append(tuple_(t.c.expires_on, t.c.kind, t.c.number) > tuple_(e, k, n))
    return (
        select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on)
        .where(*where)
        .order_by(t.c.expires_on, t.c.kind, t.c.number)
        .limit(limit)
    )


def _mark() -> Any:
    t = s.licences
    return (
        update(t)
        .where(
            t.c.kind == bindparam("match_kind"),
            t.c.number == bindparam("match_number"),
            t.c.expires_on == bindparam("match_expires_on"),
            or_(t.c.warned_lead.is_(None), t.c.warned_lead > bindparam("lead_bound")),
        )
        .values(warned_lead=bindparam("lead"))
    )


def _get() -> Any:
    t = s.licences
    return select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on, t.c.warned_lead).where(
        t.c.kind == bindparam("kind"), t.c.number == bindparam("number")
    )


class _Licences(_Repo):
    def _row(self, kind: str, number: str) -> Any:
        statement = self._uow._store.statement(("licence", "get"), _get)
        rows = self._uow.run(statement, {"kind": kind, "number": number}).fetchall()
        return rows[0] if rows else None

    def put(self, licence: Licence) -> None:
        old = self._row(licence.kind, licence.number)
        expires_on = day_number(licence.expires_on)
        # The same expiry keeps its warnings; a renewal (another expiry) re-arms them.
        warned = old[5] if old is not None and old[4] == expires_on else None
        row = {
            "kind": licence.kind,
            "number": licence.number,
            "holder": licence.holder,
            "department": licence.department,
            "expires_on": expires_on,
            "warned_lead": warned,
        }
        self._uow.upsert(s.licences, row)

    def get(self, kind: str, number: str) -> Licence | None:
        row = self._row(kind, number)
        return None if row is None else _licence(row)

    def unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: tuple[dt.date, str, str] | None, limit: int
    ) -> list[Licence]:
        # Through SQLAlchemy (its compiled cache): literal parameters are rendered there.
        statement = _unwarned(after is not None, limit, self._uow.family)
        params: dict[str, Any] = {"lead": lead_days, "first": day_number(first), "last": day_number(last)}
        if after is not None:
            params.update(after_e=day_number(after[0]), after_k=after[1], after_n=after[2])
        return [_licence(row) for row in self._uow.execute(statement, params).fetchall()]

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        if not licences:
            return
        statement = self._uow._store.statement(("licence", "mark"), _mark)
        self._uow.run_many(
            statement,
            [
                statement.args(
                    {
                        "match_kind": lic.kind,
                        "match_number": lic.number,
                        "match_expires_on": day_number(lic.expires_on),
                        "lead_bound": lead_days,
                        "lead": lead_days,
                    }
                )
                for lic in licences
            ],
        )
