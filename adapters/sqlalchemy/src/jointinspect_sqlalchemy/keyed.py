"""Reads by a list of keys in one prepared statement, whatever the list's length (issue 11).

A bulk read (a bulk-filing chunk's enterprises, plan numbers, visits) asks for rows whose
column is among hundreds of keys. Written as ``IN (:k1, :k2, ...)``, every call is a new
SQL text: SQLAlchemy expands and compiles it, and psycopg parses it again, which cost more
Python than the read itself. Here the keys travel as one parameter instead, so the text
is compiled once per store and reused:

* PostgreSQL: ``column = ANY(:keys)``, the keys as one array (bound in binary);
* SQLite: ``column IN (SELECT value FROM json_each(:keys))``, the keys as one JSON array;
* MariaDB: no array parameter; up to `PREPARED_IN` keys, ``IN (:k0, ..., :kn)`` compiled
  once per length; more, an expanding ``IN`` list through SQLAlchemy Core, at most
  `IN_CHUNK` keys a statement.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql

from jointinspect_sqlalchemy._protocols import UnitOfWorkView

#: Keys per statement where they cannot travel as one parameter (MariaDB).
IN_CHUNK = 500
#: Longest list read through a statement compiled per length (MariaDB).
PREPARED_IN = 16

#: Makes the condition "``column`` is among the keys of list parameter ``name``".
Among = Callable[[ColumnElement[Any], str], ColumnElement[bool]]


def chunks(values: Sequence[Any]) -> list[list[Any]]:
    """``values`` (distinct, sorted) in lists of at most `IN_CHUNK`."""
    wanted = sorted(set(values))
    return [wanted[i : i + IN_CHUNK] for i in range(0, len(wanted), IN_CHUNK)]


def read_among(
    uow: UnitOfWorkView,
    key: Hashable,
    build: Callable[[Among], Select[Any]],
    lists: Mapping[str, Sequence[Any]],
    params: Mapping[str, Any] | None = None,
) -> list[Any]:
    """The rows of ``build(among)``, whose conditions ``among(column, name)`` name the list
    parameters ``lists`` (the first one is the long one, split on MariaDB); ``params`` are
    its other parameters, every value of the statement being a named ``bindparam``.
    ``key`` names the statement in the store's cache. An empty list reads nothing."""
    if not all(lists.values()):
        return []
    family = uow.family
    fixed = dict(params or {})
    if family in ("postgresql", "sqlite"):
        statement = uow._store.statement(("among", key), lambda: build(_among_for(family)))
        if family == "postgresql":
            statement = statement.in_binary(tuple(lists))  # arrays packed, not quoted as text
        values = {name: _list_value(family, keys) for name, keys in lists.items()}
        return list(uow.run(statement, fixed | values).fetchall())
    wanted = {name: sorted(set(keys)) for name, keys in lists.items()}
    if all(len(keys) <= PREPARED_IN for keys in wanted.values()):
        lengths = {name: len(keys) for name, keys in wanted.items()}
        statement = uow._store.statement(("among", key, *lengths.values()), lambda: build(_listed(lengths)))
        values = {f"{name}{k}": value for name, keys in wanted.items() for k, value in enumerate(keys)}
        return list(uow.run(statement, fixed | values).fetchall())
    query = build(_expanding)
    (first, long), *rest = lists.items()
    others = {name: sorted(set(keys)) for name, keys in rest}
    rows: list[Any] = []
    for part in chunks(long):
        rows += uow.execute(query, fixed | others | {first: part}).fetchall()
    return rows


def _among_for(family: str) -> Among:
    if family == "postgresql":
        return lambda column, name: column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))

    def listed(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        values = func.json_each(bindparam(name)).table_valued("value")
        return column.in_(select(values.c.value))

    return listed


def _listed(lengths: Mapping[str, int]) -> Among:
    def listed(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        return column.in_([bindparam(f"{name}{k}") for k in range(lengths[name])])

    return listed


def _expanding(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    return column.in_(bindparam(name, expanding=True))


#: The last list of keys sent as JSON and its text: a bulk chunk's reads pass the same
#: enterprises to several statements (reference, ledger, quiet slots, results).
_LAST_JSON: list[tuple[list[Any], str]] = [([], "[]")]


def _list_value(family: str, keys: Sequence[Any]) -> Any:
    if family == "postgresql":
        return sorted(set(keys))
    # SQLite: the JSON array as given (IN ignores order and repeats), once per list.
    listed = keys if type(keys) is list else list(keys)
    last = _LAST_JSON[0]  # one read: another thread may replace it
    if len(last[0]) == len(listed) and all(map(operator.is_, last[0], listed)):
        return last[1]  # the very same keys (equal ones may be written otherwise: 1, True)
    text = json.dumps(listed)
    _LAST_JSON[0] = (list(listed), text)
    return text
