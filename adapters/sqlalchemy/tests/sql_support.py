"""Helpers shared by the SQL adapter tests (a module with a unique name: every test folder
has a ``conftest``, so ``from conftest import ...`` would pick whichever came first)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jointinspect_sqlalchemy import SQLStore, metadata
from jointinspect_sqlalchemy import schema as s
from sqlalchemy import create_engine, delete, text
from sqlalchemy.pool import NullPool

BACKENDS = ["sqlite", "postgresql", "mariadb"]


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """URL of a new, empty database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue(f"{backend}_db_url"))


#: backend -> this worker's database holding the schema, emptied before each test using it
_SCHEMA_URLS: dict[str, str] = {}


def schema_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """URL of an empty database on ``backend`` that already holds the current schema.

    On PostgreSQL and MariaDB each test worker creates one such database and empties it
    (every row, and the outbox's sequence) before each test, instead of creating the
    schema anew: creating ~45 tables and their indexes costs seconds a test on MariaDB.
    Tests of migrations or of an empty database use `fresh_url`."""
    if backend == "sqlite":
        return fresh_url(request, backend, tmp_path)
    url = _SCHEMA_URLS.get(backend)
    if url is None:
        url = fresh_url(request, backend, tmp_path)
        SQLStore(url, create=True).close()
        _SCHEMA_URLS[backend] = url
    else:
        _empty(url, backend)
    return url


def _empty(url: str, backend: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))
            # the outbox numbers its rows: a fresh database starts them at 1
            if backend == "postgresql":
                conn.execute(text(f"TRUNCATE {s.outbox.name} RESTART IDENTITY"))
            else:
                conn.execute(text(f"ALTER TABLE {s.outbox.name} AUTO_INCREMENT = 1"))
    finally:
        engine.dispose()


def wipe(store: SQLStore) -> None:
    """Delete every row of every table (a fresh, empty store without a new database)."""
    with store.unit_of_work() as uow:
        for table in reversed(metadata.sorted_tables):
            uow.execute(delete(table))
        uow.commit()
