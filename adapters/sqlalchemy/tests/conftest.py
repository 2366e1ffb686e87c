"""Fixtures of the SQL adapter tests: a fresh empty database per test on every backend.

``sql_url`` is parametrized over SQLite (a file in ``tmp_path``), PostgreSQL and MariaDB;
the server ones come from the root conftest (``postgresql_db_url`` / ``mariadb_db_url``),
which skips locally when a server is not installed and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jointinspect_sqlalchemy import SQLStore, metadata
from sqlalchemy import delete

BACKENDS = ["sqlite", "postgresql", "mariadb"]


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """URL of a new, empty database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue(f"{backend}_db_url"))


def wipe(store: SQLStore) -> None:
    """Delete every row of every table (a fresh, empty store without a new database)."""
    with store.unit_of_work() as uow:
        for table in reversed(metadata.sorted_tables):
            uow.execute(delete(table))
        uow.commit()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend name; each test using it runs once per backend."""
    return str(request.param)


@pytest.fixture
def sql_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """URL of a new, empty database (no schema yet) on the parametrized backend."""
    return fresh_url(request, backend, tmp_path)


@pytest.fixture
def sql_store(sql_url: str) -> Iterator[SQLStore]:
    """A migrated, empty store on the parametrized backend, closed afterwards."""
    store = SQLStore(sql_url, create=True)
    try:
        yield store
    finally:
        store.close()
