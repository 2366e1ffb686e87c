"""Licences and the warnings sent for them (issue 12).

The marks live in ``ji_licence_warnings`` (revision 0011), keyed by ``(expires_on, kind,
number)``, the order of the expiry index: the shortest lead time warned at that expiry. A
renewal (another expiry) finds no mark, so its warnings are re-armed; putting the same
expiry again keeps them. The sweep's read is one indexed range query per page: licences
whose expiry lies in the lead time's range, after the previous page's last ``(expires_on,
kind, number)``, with no mark for that lead time or a shorter one, in index order. The mark
check reads the expiry index and the marks' key only; a page's marks are written side by
side (a mark in the licence row itself rewrote one scattered table page per licence).

The sweep claims a page in one step (``claim_unwarned``): PostgreSQL reads the page and
inserts its marks in one statement, returning the licences whose mark it wrote (a
concurrent sweep's marks, once committed, make the insert skip those); SQLite (one writer at
a time) reads, then marks; MariaDB locks the page's licence rows, reads the marks afresh
(READ COMMITTED), then marks the rest. The SQL is written here, its integers (days, lead
time, limit) rendered into the text so that a server caching a generic plan still sees how
narrow the range is, and run on the driver's cursor: no SQLAlchemy row or statement per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from jointinspect.model.licence import Licence
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.prepared import Prepared
from jointinspect_sqlalchemy.repositories._common import _Repo

#: ``(expires_on, kind, number)``: the order of a page and of its keyset.
Order = tuple[dt.date, str, str]
_COLUMNS = "l.kind, l.number, l.holder, l.department, l.expires_on"


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
    """``FROM ji_licences l WHERE ... ORDER BY ... LIMIT`` of a page and its string parameters."""
    mark = "?" if family_name == "sqlite" else "%s"
    where = (
        f"l.expires_on <= {day_number(last)} AND NOT EXISTS (SELECT 1 FROM ji_licence_warnings w "
        "WHERE w.expires_on = l.expires_on AND w.kind = l.kind AND w.number = l.number "
        f"AND w.lead_days <= {int(lead)})"
    )
    params: tuple[str, ...] = ()
    if after is None or after < (first, "", ""):
        where = f"l.expires_on >= {day_number(first)} AND {where}"
    elif family_name == "mysql":
        # (expires_on, kind, number) > after spelt out for MariaDB's range optimizer.
        e = day_number(after[0])
        where = (
            f"l.expires_on >= {e} AND (l.expires_on > {e} OR (l.expires_on = {e} AND "
            f"(l.kind > {mark} OR (l.kind = {mark} AND l.number > {mark})))) AND {where}"
        )
        params = (after[1], after[1], after[2])
    else:
        # The row comparison alone: PostgreSQL and SQLite seek the index right after the
        # previous page (a separate "expires_on >= ..." makes SQLite range on that column
        # only, rescanning the previous page's expiry day on every page).
        where = f"(l.expires_on, l.kind, l.number) > ({day_number(after[0])}, {mark}, {mark}) AND {where}"
        params = (after[1], after[2])
    order = f"ORDER BY l.expires_on, l.kind, l.number LIMIT {int(limit)}"
    return f"FROM ji_licences l WHERE {where} {order}", params


def _order(row: Any) -> tuple[int, str, str]:
    return (row[4], row[0], row[1])


def _mark_sql(family_name: str) -> str:
    """Record a mark unless one for the same or a shorter lead time is there."""
    if family_name == "mysql":
        return (
            "INSERT INTO ji_licence_warnings (expires_on, kind, number, lead_days) VALUES (%s, %s, %s, %s) "
            "ON DUPLICATE KEY UPDATE lead_days = LEAST(lead_days, VALUES(lead_days))"
        )
    mark = "?" if family_name == "sqlite" else "%s"
    return (
        "INSERT INTO ji_licence_warnings (expires_on, kind, number, lead_days) "
        f"VALUES ({mark}, {mark}, {mark}, {mark}) "
        "ON CONFLICT (expires_on, kind, number) DO UPDATE SET lead_days = excluded.lead_days "
        "WHERE ji_licence_warnings.lead_days > excluded.lead_days"
    )


def _get() -> Any:
    t = s.licences
    return select(t.c.kind, t.c.number, t.c.holder, t.c.department, t.c.expires_on).where(
        t.c.kind == bindparam("kind"), t.c.number == bindparam("number")
    )


class _Licences(_Repo):
    def put(self, licence: Licence) -> None:
        row = {
            "kind": licence.kind,
            "number": licence.number,
            "holder": licence.holder,
            "department": licence.department,
            "expires_on": day_number(licence.expires_on),
            "warned_lead": None,  # unused since revision 0011 (ji_licence_warnings)
        }
        self._uow.upsert(s.licences, row)

    def get(self, kind: str, number: str) -> Licence | None:
        statement = self._uow._store.statement(("licence", "get"), _get)
        rows = self._uow.run(statement, {"kind": kind, "number": number}).fetchall()
        return _licence(rows[0]) if rows else None

    def unwarned(self, lead_days: int, first: dt.date, last: dt.date, after: Order | None, limit: int) -> list[Licence]:
        tail, params = _page_sql(self._uow.family, lead_days, first, last, after, limit)
        return [_licence(row) for row in self._text(f"SELECT {_COLUMNS} {tail}", params).fetchall()]

    def claim_unwarned(
        self, lead_days: int, first: dt.date, last: dt.date, after: Order | None, limit: int
    ) -> list[Licence]:
        family_name = self._uow.family
        tail, params = _page_sql(family_name, lead_days, first, last, after, limit)
        lead = int(lead_days)
        if family_name == "postgresql":
            # The insert returns the marks it wrote: a row a concurrent sweep is marking
            # waits for that sweep's commit, then fails the WHERE and is left out.
            sql = (
                f"WITH page AS (SELECT {_COLUMNS} {tail}), marked AS ("
                "INSERT INTO ji_licence_warnings (expires_on, kind, number, lead_days) "
                f"SELECT expires_on, kind, number, {lead} FROM page "
                "ON CONFLICT (expires_on, kind, number) DO UPDATE SET lead_days = excluded.lead_days "
                "WHERE ji_licence_warnings.lead_days > excluded.lead_days "
                "RETURNING expires_on, kind, number) "
                "SELECT p.kind, p.number, p.holder, p.department, p.expires_on "
                "FROM page p JOIN marked m USING (expires_on, kind, number)"
            )
            rows = self._text(sql, params).fetchall()
        elif family_name == "sqlite":
            # One writer at a time (BEGIN IMMEDIATE): the page read and its marks are atomic.
            rows = self._text(f"SELECT {_COLUMNS} {tail}", params).fetchall()
        else:
            # MariaDB: lock the page's licences (a concurrent claim of them waits for this
            # transaction), then read their marks afresh: this statement sees the marks of a
            # claim that committed while the lock was awaited.
            rows = self._text(f"SELECT {_COLUMNS} {tail} FOR UPDATE", params).fetchall()
            if rows:
                low, high = min(row[4] for row in rows), max(row[4] for row in rows)
                marked = {
                    (m[0], m[1], m[2])
                    for m in self._text(
                        "SELECT expires_on, kind, number FROM ji_licence_warnings "
                        f"WHERE expires_on >= {int(low)} AND expires_on <= {int(high)} AND lead_days <= {lead}",
                        (),
                    ).fetchall()
                }
                rows = [row for row in rows if (row[4], row[0], row[1]) not in marked]
        if family_name != "postgresql" and rows:
            self._mark_rows(lead, [(row[4], row[0], row[1]) for row in rows])
        # RETURNING keeps no order: the page in index order, as unwarned() gives it.
        return [_licence(row) for row in sorted(rows, key=_order)]

    def mark_warned(self, lead_days: int, licences: Sequence[Licence]) -> None:
        if licences:
            self._mark_rows(lead_days, [(day_number(lic.expires_on), lic.kind, lic.number) for lic in licences])

    def forget_warnings_before(self, day: dt.date) -> int:
        # A range of the marks' key: the expiries before ``day``.
        cursor = self._text(f"DELETE FROM ji_licence_warnings WHERE expires_on < {day_number(day)}", ())
        return int(cursor.rowcount)

    def _text(self, sql: str, params: tuple[str, ...]) -> Any:
        """Run SQL text written here (positional string parameters) on the driver's cursor."""
        names = tuple(f"p{i}" for i in range(len(params)))
        return self._uow.run(Prepared(sql, names, {}), dict(zip(names, params, strict=True)))

    def _mark_rows(self, lead_days: int, rows: Sequence[tuple[int, str, str]]) -> None:
        names = ("e", "k", "n", "lead")
        statement = Prepared(_mark_sql(self._uow.family), names, {})
        self._uow.run_many(statement, [(e, k, n, int(lead_days)) for e, k, n in rows])
