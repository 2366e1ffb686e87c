"""The shipped contract suites, unchanged, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from jointinspect_sqlalchemy import SQLStore
from sql_support import BACKENDS, fresh_url, schema_url, wipe

from jointinspect.testing.contract import StoreContract
from jointinspect.testing.ledger import LedgerContract, ReplayGuardContract
from jointinspect.testing.model import engine_machine


class _Backend:
    backend = "sqlite"

    @pytest.fixture(autouse=True)
    def _database(self, request: pytest.FixtureRequest, tmp_path: Path) -> None:
        self.url = schema_url(request, self.backend, tmp_path)


class _StoreContract(_Backend, StoreContract):
    def make_store(self) -> SQLStore:
        return SQLStore(self.url, create=True)


class TestSQLiteStoreContract(_StoreContract):
    backend = "sqlite"


class TestSQLiteMemoryStoreContract(StoreContract):
    """``sqlite://``: one shared in-memory connection, units of work serialised."""

    def make_store(self) -> SQLStore:
        return SQLStore("sqlite://", create=True)


class TestPostgresStoreContract(_StoreContract):
    backend = "postgresql"


class TestMariaDBStoreContract(_StoreContract):
    backend = "mariadb"


class _Shared(_Backend):
    """One migrated store per test; each make_* call empties it (the suites may call
    make_ledger once per hypothesis example)."""

    @pytest.fixture(autouse=True)
    def _store(self, _database: None):  # type: ignore[no-untyped-def]
        self.store = SQLStore(self.url, create=True)
        yield
        self.store.close()


class _LedgerContract(_Shared, LedgerContract):
    property_examples = 20

    def make_ledger(self):  # type: ignore[no-untyped-def]
        wipe(self.store)
        return self.store.ledger()


class _GuardContract(_Shared, ReplayGuardContract):
    def make_guard(self):  # type: ignore[no-untyped-def]
        wipe(self.store)
        return self.store.replay_guard()


class TestSQLiteLedgerContract(_LedgerContract):
    backend = "sqlite"


class TestPostgresLedgerContract(_LedgerContract):
    backend = "postgresql"


class TestMariaDBLedgerContract(_LedgerContract):
    backend = "mariadb"


class TestSQLiteGuardContract(_GuardContract):
    backend = "sqlite"


class TestPostgresGuardContract(_GuardContract):
    backend = "postgresql"


class TestMariaDBGuardContract(_GuardContract):
    backend = "mariadb"


@pytest.mark.parametrize("backend", BACKENDS)
def test_engine_matches_reference_model(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> None:
    """The hypothesis stateful comparison of :mod:`jointinspect.testing.model`."""
    url = fresh_url(request, backend, tmp_path)
    SQLStore(url, create=True).close()

    def factory() -> SQLStore:
        store = SQLStore(url)
        wipe(store)
        return store

    examples = 12 if backend == "sqlite" else 6
    machine = engine_machine(factory, max_examples=examples)
    run_state_machine_as_test(machine, settings=settings(max_examples=examples, stateful_step_count=15, deadline=None))
