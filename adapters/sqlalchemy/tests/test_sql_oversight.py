"""The issue 12 ports (enforcement loop, watch, conflicts) on SQLite, PostgreSQL and MariaDB,
and revision 0008_guidance_watch's tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from jointinspect_sqlalchemy import SQLStore, upgrade
from sql_support import schema_url
from sqlalchemy import create_engine, inspect

from jointinspect.testing.oversight import OversightContract


class _Backend:
    backend = "sqlite"

    @pytest.fixture(autouse=True)
    def _database(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.url = schema_url(request, self.backend, tmp_path)

    def make_store(self) -> SQLStore:
        return SQLStore(self.url, create=True)


class TestSQLiteOversight(_Backend, OversightContract):
    backend = "sqlite"


class TestPostgresOversight(_Backend, OversightContract):
    backend = "postgresql"


class TestMariaDBOversight(_Backend, OversightContract):
    backend = "mariadb"


def test_the_revision_creates_the_tables_and_the_store_uses_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        indexes = {i["name"] for i in inspect(engine).get_indexes("ji_loop_steps")}
    finally:
        engine.dispose()
    assert {"ji_loop_steps", "ji_inspector_streaks", "ji_conflict_flags"} <= names
    assert {"ix_ji_loop_steps_result", "ix_ji_loop_steps_enterprise"} <= indexes
    store = SQLStore(url)
    try:
        contract = OversightContract()
        contract.test_conflict_flags_are_added_resolved_and_listed_per_inspection(store)
    finally:
        store.close()
