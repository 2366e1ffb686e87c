"""Pytest fixtures giving every test suite of the repository real throwaway servers.

Servers start lazily, the first time a test asks for one, and once per pytest session
(with pytest-xdist: once per worker, each worker gets its own servers). They are killed
and their temporary directories removed at the end of the session.

When a server's binaries are not installed the tests that need it are skipped locally,
but fail when ``CI=true`` or ``JOINTINSPECT_REQUIRE_SERVERS=1``: CI must never pass by
skipping. ``bash scripts/test.sh`` installs the servers and runs everything.

Fixtures (see docs/development.md):

* ``postgresql_url`` / ``mariadb_url`` (session): SQLAlchemy URL of a shared database.
* ``postgresql_db_url`` / ``mariadb_db_url`` (function): URL of a new, empty database.
* ``postgresql_server`` / ``mariadb_server`` (session): the server handles.
* ``redis_url`` (session) and ``redis_clean_url`` (function, flushed first): shared Redis.
* ``redis_server`` (function): a dedicated Redis with ``kill9()`` / ``start()`` /
  ``restart()`` / ``stop()``, running and empty at the start of every test.
* ``redis_cluster`` / ``redis_cluster_nodes`` (session) and ``redis_cluster_clean_nodes``
  (function, flushed first): a 3-master Redis Cluster.

Servers that already run can stand in for the throwaway ones: set
``JOINTINSPECT_TEST_POSTGRESQL_URL``, ``JOINTINSPECT_TEST_MARIADB_URL``,
``JOINTINSPECT_TEST_REDIS_URL`` or ``JOINTINSPECT_TEST_REDIS_CLUSTER_URL`` (see
:mod:`testsupport.external` for how the tests isolate themselves there).

Every test using one of them is marked ``server(name)``, so ``pytest -m "not server"``
runs the pure-Python tests only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NoReturn, TypeVar

import pytest
from hypothesis import settings

from testsupport import external, servers
from testsupport.external import ExternalMariaDB, ExternalPostgres, ExternalRedis, ExternalRedisCluster
from testsupport.servers import (
    MariaDBServer,
    PostgresServer,
    RedisCluster,
    RedisServer,
    ServerBinariesMissing,
)

_T = TypeVar("_T")

# No per-example deadline: it is a wall-clock assertion, and on a loaded 2-core CI machine (or
# a slower Python) an example can exceed hypothesis' default 200 ms without anything being wrong.
settings.register_profile("jointinspect", deadline=None)
settings.load_profile("jointinspect")

#: fixture name -> the ``server`` marker's argument for tests using it.
SERVER_FIXTURES = {
    "postgresql_server": "postgresql",
    "postgresql_url": "postgresql",
    "postgresql_db_url": "postgresql",
    "mariadb_server": "mariadb",
    "mariadb_url": "mariadb",
    "mariadb_db_url": "mariadb",
    "redis_url": "redis",
    "redis_clean_url": "redis",
    "redis_server": "redis",
    "redis_cluster": "redis-cluster",
    "redis_cluster_nodes": "redis-cluster",
    "redis_cluster_clean_nodes": "redis-cluster",
}


def pytest_report_header(config: pytest.Config) -> str:
    """Say up front whether missing servers skip or fail."""
    mode = "required (missing ones fail)" if servers.servers_required() else "optional (skip)"
    return f"jointinspect test servers: {mode}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a server fixture with ``server(name)``."""
    for item in items:
        if item.get_closest_marker("server") is not None:
            continue
        names = sorted({SERVER_FIXTURES[f] for f in getattr(item, "fixturenames", ()) if f in SERVER_FIXTURES})
        if names:
            item.add_marker(pytest.mark.server(*names))


def _unavailable(reason: str) -> NoReturn:
    if servers.servers_required():
        pytest.fail(
            f"{reason} (servers are required here: CI=true or JOINTINSPECT_REQUIRE_SERVERS=1)",
            pytrace=False,
        )
    pytest.skip(reason)


def _started(start: Callable[[], _T]) -> _T:
    """Start a server, turning missing binaries into a skip (or a failure in CI)."""
    try:
        return start()
    except ServerBinariesMissing as exc:
        _unavailable(str(exc))


# --------------------------------------------------------------------------- SQL servers


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer | ExternalPostgres]:
    """Start one throwaway PostgreSQL server for the session (or use the one named by env)."""
    server = _started(external.postgres_for_tests)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgresql_url(postgresql_server: PostgresServer | ExternalPostgres) -> str:
    """Return the URL ``postgresql+psycopg://jointinspect@127.0.0.1:PORT/jointinspect``."""
    return postgresql_server.url


@pytest.fixture
def postgresql_db_url(postgresql_server: PostgresServer | ExternalPostgres) -> str:
    """Return the URL of a new, empty PostgreSQL database for this test only."""
    return postgresql_server.create_database()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer | ExternalMariaDB]:
    """Start one throwaway MariaDB server for the session (or use the one named by env)."""
    server = _started(external.mariadb_for_tests)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def mariadb_url(mariadb_server: MariaDBServer | ExternalMariaDB) -> str:
    """Return the URL ``mysql+pymysql://root@127.0.0.1:PORT/jointinspect``."""
    return mariadb_server.url


@pytest.fixture
def mariadb_db_url(mariadb_server: MariaDBServer | ExternalMariaDB) -> str:
    """Return the URL of a new, empty MariaDB database for this test only."""
    return mariadb_server.create_database()


# --------------------------------------------------------------------------- Redis


@pytest.fixture(scope="session")
def _redis_shared() -> Iterator[RedisServer | ExternalRedis]:
    server = _started(external.redis_for_tests)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_url(_redis_shared: RedisServer | ExternalRedis) -> str:
    """Return ``redis://127.0.0.1:PORT/0`` of a Redis shared by the session's tests."""
    return _redis_shared.url


@pytest.fixture
def redis_clean_url(_redis_shared: RedisServer | ExternalRedis) -> str:
    """Return the shared Redis's URL after deleting every key in it."""
    _redis_shared.flushall()
    return _redis_shared.url


@pytest.fixture(scope="session")
def _redis_faults() -> Iterator[RedisServer]:
    # Separate from the shared server: a test that kills it cannot break the others.
    server = _started(servers.start_redis)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server(_redis_faults: RedisServer) -> Iterator[RedisServer]:
    """Return a dedicated Redis (``appendonly yes``), running and empty, to kill and restart."""
    _redis_faults.start()
    _redis_faults.flushall()
    yield _redis_faults
    # Leave it running for the next test whatever this one did to it.
    _redis_faults.start()


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisCluster | ExternalRedisCluster]:
    """Start a Redis Cluster of 3 masters (no replicas) on loopback for the session (or use env's)."""
    cluster = _started(external.redis_cluster_for_tests)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def redis_cluster_nodes(redis_cluster: RedisCluster | ExternalRedisCluster) -> list[tuple[str, int]]:
    """Return the cluster's startup nodes as ``[(host, port), ...]``."""
    return redis_cluster.startup_nodes


@pytest.fixture
def redis_cluster_clean_nodes(redis_cluster: RedisCluster | ExternalRedisCluster) -> list[tuple[str, int]]:
    """Return the cluster's startup nodes after deleting every key on every master."""
    redis_cluster.flushall()
    return redis_cluster.startup_nodes
