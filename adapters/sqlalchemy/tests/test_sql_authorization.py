"""The authorization contract (every matrix row, the impersonation cases of issue 9) through
the Engine on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from jointinspect_sqlalchemy import SQLStore
from sql_support import schema_url

from jointinspect.testing.authorization import AuthorizationContract


class _SQLAuthorization(AuthorizationContract):
    backend = "sqlite"

    @pytest.fixture(autouse=True)
    def _database(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.url = schema_url(request, self.backend, tmp_path)

    def make_store(self) -> SQLStore:
        return SQLStore(self.url, create=True)


class TestSQLiteAuthorization(_SQLAuthorization):
    backend = "sqlite"


class TestPostgresAuthorization(_SQLAuthorization):
    backend = "postgresql"


class TestMariaDBAuthorization(_SQLAuthorization):
    backend = "mariadb"
