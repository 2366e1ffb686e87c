"""Stores and the example budget of the fuzz suite (issue 10).

Memory and SQLite run in every CI run; PostgreSQL and MariaDB with the server tests
(``server`` marker: skipped locally without the binaries, failing under ``CI=true``).
The budget is fixed (no wall-clock deadline) so the suite's length does not depend on the
machine: see ``fuzz_support.EXAMPLES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from jointinspect.memory import MemoryStore
from jointinspect.ports import Store

settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=True,  # the same examples every run: a failure in CI reproduces locally
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.server("postgresql")),
        pytest.param("mariadb", marks=pytest.mark.server("mariadb")),
    ]
)
def fuzz_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Store]]:
    """(backend name, a fresh empty store) on each backend."""
    backend = str(request.param)
    if backend == "memory":
        yield backend, MemoryStore()
        return
    from jointinspect_sqlalchemy import SQLStore

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    else:
        url = str(request.getfixturevalue(f"{backend}_db_url"))
    store = SQLStore(url, create=True)
    try:
        yield backend, store
    finally:
        store.close()
