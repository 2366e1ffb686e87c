"""Fixtures of the SQL adapter tests: a fresh empty database per test on every backend.

``sql_url`` is parametrized over SQLite (a file in ``tmp_path``), PostgreSQL and MariaDB;
the server ones come from the root conftest (``postgresql_db_url`` / ``mariadb_db_url``),
which skips locally when a server is not installed and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jointinspect_sqlalchemy import SQLStore
from sql_support import BACKENDS, fresh_url


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
