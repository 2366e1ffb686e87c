"""Licences and the warnings sent for them (issue 12).

Each licence row keeps ``warned_lead``: the shortest lead time already warned at its
current expiry (``NULL``: none; a renewal clears it). The sweep's read is one indexed range
query per page: licences whose expiry lies in the lead time's range, after the previous
page's last ``(expires_on, kind, number)``, not yet warned for that lead time or a shorter
one, in index order. No join: the read costs what the range query of the same rows costs.

The sweep claims a page in one statement (``claim_unwarned``): PostgreSQL and SQLite mark the
page's rows with an ``UPDATE ... RETURNING`` over that same range read, MariaDB (no
``UPDATE ... RETURNING``) reads the page with a locking read and marks it. The page's SQL is
written here, its integers (days, lead time, limit) rendered into the text so that a server
caching a generic plan still sees how narrow the range is, and run on the driver's cursor:
no SQLAlchemy row or statement per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from jointinspect.model.licence import Licence
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.prepared import Prepared
from jointinspect_sqlalchemy.repositories._common import _Repo

#: ``(expires_on, kind, number)``: the order of a page and of its keyset.
Order = tuple[dt.date, str, str]
_COLUMNS = "kind, number, holder, department, expires_on"


def day_number(day: dt.date) -> int:
    """``day`` as the integer ``YYYYMMDD`` the table stores."""
    return day.year * 10_000 + day.month * 100 + day.day


#: Decoded days: a sweep's pages hold a few dozen distinct expiries, read thousands of times.
_DAYS: dict[int, dt.date] = {}


def _day(number: int) -> dt.date:
    day = _DAYS.get(number)
    if day is None:
        day = dt.date(number // 10_000, number // 100 % 100, number % 100)
        if len(_DAYS) < 100_000:
            _DAYS[number] = day
    return day


def _licence(row: Any) -> Licence:
    return Licence.from_store(row[0], row[1], row[2], row[3], _day(row[4]))


def _page_sql(
    family_name: str, lead: int, first: dt.date, last: dt.date, after: Order | None, limit: int
) -> tuple[str, tuple[str, ...]]:
    """The page's ``WHERE ... ORDER BY ... LIMIT`` text and its (string) parameters."""
    mark = "?" if family_name == "sqlite" else "%s"
    where = f"expires_on <= {day_number(last)} AND (warned_lead IS NULL OR warned_lead > {int(lead)})"
    params: tuple[str, ...] = ()
    if after is None or after < (first, "", ""):
        where = f"expires_on >= {day_number(first)} AND {where}"
    elif family_name == "mysql":
        # (expires_on, kind, number) > after spelt out for MariaDB's range optimizer.
        e = day_number(after[0])
        where = (
            f"expires_on >= {e} AND (expires_on > {e} OR (expires_on = {e} AND "
            f"(kind > {mark} OR (kind = {mark} AND number > {mark})))) AND {where}"
        )
        params = (after[1], after[1], after[2])
    else:
        # The row comparison alone: PostgreSQL and SQLite seek the index right after the
        # previous page (a separate "expires_on >= ..." makes SQLite range on that column
        # only, rescanning the previous page's expiry day on every page).
        where = f"(expires_on, kind, number) > ({day_number(after[0])}, {mark}, {mark}) AND {where}"
        params = (after[1], after[2])
    return f"WHERE {where} ORDER BY expires_on, kind, number LIMIT {int(limit)}", params


def _order(row: Any) -> tuple[int, str, str]:
    return (row[4], row[0], row[1])


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
        tail, params = _page_sql(self._uow.family, lead_days, first, last, after, limit)
        rows = self._text(f"SELECT {_COLUMNS} FROM ji_licences {tail}", params).fetchall()
        return [_licence(row) for row in rows]

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: Order | None, limit: int
    ) -> list[Licence]:
        family_name = self._uow.family
        tail, params = _page_sql(family_name, lead_days, first, last, after, limit)
        lead = int(lead_days)
        if family_name == "sqlite":
            # One writer at a time (BEGIN IMMEDIATE): the page read and its marks are atomic.
            sql = (
                f"UPDATE ji_licences SET warned_lead = {lead} WHERE rowid IN "
                f"(SELECT rowid FROM ji_licences {tail}) RETURNING {_COLUMNS}"
            )
            rows = self._text(sql, params).fetchall()
        elif family_name == "postgresql":
            # The page's rows locked in index order (two sweeps never deadlock), then updated
            # by their row address (a TID scan: a join back on the key would hash the whole
            # table). A row a concurrent sweep marked first is re-checked after its commit
            # (READ COMMITTED) and left out: each licence is claimed by one sweep.
            sql = (
                f"UPDATE ji_licences SET warned_lead = {lead} WHERE ctid = ANY(ARRAY("
                f"SELECT ctid FROM ji_licences {tail} FOR UPDATE)) RETURNING {_COLUMNS}"
            )
            rows = self._text(sql, params).fetchall()
        else:
            # MariaDB has no UPDATE ... RETURNING: a locking read (it sees the latest
            # committed marks and holds the rows), then the marks.
            rows = self._text(f"SELECT {_COLUMNS} FROM ji_licences {tail} FOR UPDATE", params).fetchall()
            if rows:
                self._mark_rows(lead, [(row[0], row[1], row[4]) for row in rows])
        # RETURNING keeps no order: the page in index order, as unwarned() gives it.
        return [_licence(row) for row in sorted(rows, key=_order)]

    def _text(self, sql: str, params: tuple[str, ...]) -> Any:
        """Run SQL text written here (positional string parameters) on the driver's cursor."""
        names = tuple(f"p{i}" for i in range(len(params)))
        return self._uow.run(Prepared(sql, names, {}), dict(zip(names, params, strict=True)))

    def _mark_rows(self, lead_days: int, rows: Sequence[tuple[str, str, int]]) -> None:
        statement = self._uow._store.statement(("licence", "mark"), _mark)
        self._uow.run_many(
            statement,
            [
                statement.args(
                    {
                        "match_kind": kind,
                        "match_number": number,
                        "match_expires_on": expires_on,
                        "lead_bound": lead_days,
                        "lead": lead_days,
                    }
                )
                for kind, number, expires_on in rows
            ],
        )

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        if licences:
            self._mark_rows(lead_days, [(lic.kind, lic.number, day_number(lic.expires_on)) for lic in licences])
