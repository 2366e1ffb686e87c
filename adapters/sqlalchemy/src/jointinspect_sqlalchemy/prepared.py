"""Hot statements compiled once per store and run on the driver's cursor.

SQLAlchemy Core builds, caches and executes a statement in about 50 microseconds of
Python, more than the round trip to a local PostgreSQL. The statements every operation
runs (lock an enterprise, read and insert reservations, add or get a value by key, append
to the outbox and the audit chain) are therefore compiled by SQLAlchemy once per store —
quoting, casts and paramstyle stay the dialect's — and executed on the DBAPI cursor of the
unit of work's connection. Driver errors are wrapped the way SQLAlchemy wraps them
(:meth:`sqlalchemy.exc.DBAPIError.instance`), so the translated storage error keeps the
same ``__cause__`` as on the SQLAlchemy path, and a lost connection is invalidated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class Prepared:
    """One statement's SQL text for one dialect and how to pass its parameters.

    Every parameter is a named ``bindparam`` (or an insert's column); positional
    paramstyles (``?``, ``%s``) get a tuple in the compiled order, named ones the mapping.
    """

    __slots__ = ("_binary", "_order", "_processors", "sql")

    def __init__(
        self,
        sql: str,
        order: tuple[str, ...] | None,
        processors: Mapping[str, Callable[[Any], Any]],
    ) -> None:
        self.sql = sql
        self._order = order
        self._processors = dict(processors)
        self._binary: tuple[tuple[str, ...], Prepared] | None = None

    def in_binary(self, names: tuple[str, ...]) -> Prepared:
        """The statement with its named (``%(name)s``) parameters ``names`` sent in binary
        (``%(name)b``): psycopg then packs a list as an array without quoting each element
        as text (a client-side cursor still renders it as a literal, see
        `SQLUnitOfWork.defer`). Made once per statement (the same names each time)."""
        made = self._binary
        if made is None or made[0] != names:
            sql = self.sql
            for name in names:
                sql = sql.replace(f"%({name})s", f"%({name})b")
            made = self._binary = (names, Prepared(sql, self._order, self._processors))
        return made[1]

    def args(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters for ``params`` (type processors applied)."""
        if self._processors:
            params = {k: (self._processors[k](v) if k in self._processors else v) for k, v in params.items()}
        if self._order is None:
            return params
        return tuple([params[name] for name in self._order])

    def many(self, rows: Sequence[Mapping[str, Any]], renamed: Mapping[str, str] | None = None) -> list[Any]:
        """`args` of each of ``rows`` (for an ``executemany``), each row's key renamed as
        ``renamed`` says (parameter name to the row's key: ``{"match_key": "id"}`` passes
        the row's ``id`` as ``match_key``).

        Without type processors on a positional paramstyle, each tuple is taken from its
        row by one `operator.itemgetter` (C code) instead of a list built per row: the
        same values, in the same order.
        """
        order = self._order
        if self._processors or order is None:
            if renamed:
                inverse = {source: name for name, source in renamed.items()}
                rows = [{inverse.get(key, key): value for key, value in row.items()} for row in rows]
            return [self.args(row) for row in rows]
        return row_values(rows, order if not renamed else tuple(renamed.get(name, name) for name in order))

    @property
    def converts(self) -> bool:
        """Whether a type processor converts some parameter (`args` is then more than a lookup)."""
        return bool(self._processors)

    def takes_rows(self, columns: Sequence[str]) -> bool:
        """Whether tuples of ``columns``' values, in that order, are already this statement's
        `args` (positional, same order, no type processor): then they are passed as they are."""
        return not self._processors and self._order == tuple(columns)


def row_values(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """The values of ``names`` of each of ``rows``, as tuples in that order (one
    `operator.itemgetter`, C code, rather than a list built per row)."""
    if len(names) == 1:
        only = names[0]
        return [(row[only],) for row in rows]
    return list(map(itemgetter(*names), rows))


def prepare(dialect: Dialect, statement: ClauseElement, column_keys: list[str] | None = None) -> Prepared:
    """Compile ``statement`` for ``dialect``; ``column_keys`` names an insert's columns.

    Raises:
        ValueError: the statement holds a bound value of its own (only named parameters
            supplied at execution are allowed: the SQL text is reused as is).
    """
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not a SQL statement: {statement!r}")
    fixed = [name for name, bind in compiled.binds.items() if not bind.required]
    if fixed:
        raise ValueError(f"statement has fixed bound values {fixed}: use bindparam()")
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    # Boolean on PostgreSQL checks and passes bools; on SQLite it turns them into ints.
    processors = {k: v for k, v in compiled._bind_processors.items() if isinstance(k, str) and callable(v)}
    return Prepared(compiled.string, order, processors)
