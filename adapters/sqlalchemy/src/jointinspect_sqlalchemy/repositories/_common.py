"""The repositories' base: values stored as JSON bodies keyed by their id."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import Select, Table
from sqlalchemy.sql import ClauseElement, Executable

from jointinspect.errors import IntegrityError, record_zh
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy._protocols import UnitOfWorkView
from jointinspect_sqlalchemy.statements import get_body, update_row


class _Repo:
    __slots__ = ("_uow",)

    def __init__(self, uow: UnitOfWorkView) -> None:
        self._uow = uow

    def _bodies(self, statement: Executable, kind: type[Any]) -> list[Any]:
        return [codec.loads(row[0], kind) for row in self._uow.execute(statement)]

    def _prepared_bodies(
        self, key: Hashable, build: Callable[[], ClauseElement], params: Mapping[str, Any], kind: type[Any]
    ) -> list[Any]:
        """``_bodies`` of a statement compiled once per store and run on the driver's
        cursor (a hot read: SQLAlchemy's per-call compile-cache lookup costs more than a
        local round trip; see :mod:`jointinspect_sqlalchemy.prepared`)."""
        statement = self._uow._store.statement(key, build)
        return [codec.loads(row[0], kind) for row in self._uow.run(statement, params).fetchall()]

    def _one(self, table: Table, key: str, kind: type[Any]) -> Any:
        """The value whose primary key is ``key``, or ``None``."""
        statement = self._uow._store.statement(("get", table.name), lambda: get_body(table))
        rows = self._uow.run(statement, {"key": key}).fetchall()
        return codec.loads(rows[0][0], kind) if rows else None

    def _add(self, table: Table, row: Mapping[str, Any], kind: str, key: str) -> None:
        def refusal() -> IntegrityError:
            return IntegrityError(
                "storage.integrity",
                reason=f"{kind} {key!r} already exists",
                reason_zh=f"{record_zh(kind)} {key!r} 已存在",
            )

        held = self._uow.held
        if held is not None and (key_column := _single_key(table)) is not None:
            if not held.insert(table, key_column, row, refusal):
                self._uow.send_held()
                held.insert(table, key_column, row, refusal)
            return
        self._uow.insert_checked(table, row, refusal)

    def _update(self, table: Table, key_column: str, row: Mapping[str, Any], kind: str, *, some: bool = False) -> None:
        """Update the row keyed as ``row`` (refused if there is none); ``some``: ``row``
        holds only the columns it changes, laid over a held write of the key."""
        key = row[key_column]

        def refusal() -> IntegrityError:
            return IntegrityError(
                "storage.integrity",
                reason=f"{kind} {key!r} does not exist",
                reason_zh=f"{record_zh(kind)} {key!r} 不存在",
            )

        held = self._uow.held
        if held is not None:
            if not held.update(table, key_column, row, refusal, some=some):
                self._uow.send_held()
                held.update(table, key_column, row, refusal, some=some)
            return
        params = {k: v for k, v in row.items() if k != key_column}
        columns = tuple(params)
        statement = self._uow._store.statement(
            ("update", table.name, columns), lambda: update_row(table, key_column, columns)
        )
        params["match_key"] = key
        self._uow.update_checked(statement, params, refusal)


#: `_single_key` by table (a table's primary key never changes once defined).
_SINGLE_KEYS: dict[Table, str | None] = {}


def _single_key(table: Table) -> str | None:
    """The name of ``table``'s primary key column, ``None`` unless it has exactly one."""
    try:
        return _SINGLE_KEYS[table]
    except KeyError:
        columns = list(table.primary_key.columns)
        found = _SINGLE_KEYS[table] = columns[0].name if len(columns) == 1 else None
        return found


def _page(statement: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    """A listing page: ``offset`` rows skipped, at most ``limit`` returned."""
    if offset:
        statement = statement.offset(offset)
    return statement if limit is None else statement.limit(limit)
