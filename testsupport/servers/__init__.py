"""Throwaway PostgreSQL, MariaDB, Redis and Redis Cluster servers for the test suites.

Each server runs on 127.0.0.1 on a free port, keeps its data in a fresh temporary
directory, and is killed and removed by ``close()``. Nothing here needs a Python database
driver: readiness is checked with the servers' own command-line clients or a tiny RESP
client, so the module works before any adapter is installed.

Binaries come from the system packages (Debian: ``postgresql``, ``mariadb-server``,
``redis-server`` + ``redis-tools``); ``scripts/ensure_servers.sh`` installs them. When a
binary is missing the start functions raise :class:`ServerBinariesMissing`, which the root
``conftest.py`` turns into a skip locally and a failure in CI.

Environment knobs (all optional):

* ``JOINTINSPECT_PG_BINDIR``: directory holding ``initdb`` and ``postgres``.
* ``JOINTINSPECT_PG_USER``: unprivileged user that runs PostgreSQL when we are root
  (default ``postgres``, else ``nobody``).
* ``JOINTINSPECT_SERVERS_TMPDIR``: parent of the servers' temporary directories.
* ``JOINTINSPECT_KEEP_SERVER_DIRS=1``: keep data and logs after ``close()`` for debugging.

Servers that already run replace these throwaway ones when ``JOINTINSPECT_TEST_*_URL`` names
them: see :mod:`testsupport.external`, which the root ``conftest.py`` calls.
"""

from __future__ import annotations

from testsupport.servers._process import HOST, RespError, ServerBinariesMissing, ServerStartError, servers_required
from testsupport.servers.mariadb import MariaDBServer, find_mariadb_binaries, start_mariadb
from testsupport.servers.postgresql import PostgresServer, find_postgres_bindir, start_postgres
from testsupport.servers.redis_server import (
    RedisCluster,
    RedisServer,
    find_redis_binaries,
    resp_command,
    start_redis,
    start_redis_cluster,
)

__all__ = [
    "HOST",
    "MariaDBServer",
    "PostgresServer",
    "RedisCluster",
    "RedisServer",
    "RespError",
    "ServerBinariesMissing",
    "ServerStartError",
    "find_mariadb_binaries",
    "find_postgres_bindir",
    "find_redis_binaries",
    "resp_command",
    "servers_required",
    "start_mariadb",
    "start_postgres",
    "start_redis",
    "start_redis_cluster",
]
