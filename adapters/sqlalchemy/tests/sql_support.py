"""Helpers shared by the SQL adapter tests (a module with a unique name: every test folder
has a ``conftest``, so ``from conftest import ...`` would pick whichever came first)."""

from __future__ import annotations

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
