"""Servers that already run, named by environment variables, in place of throwaway ones.

A city's CI often has its own PostgreSQL, MariaDB and Redis. When one of these variables is
set, the root ``conftest.py`` uses that server instead of starting a throwaway one:

* ``JOINTINSPECT_TEST_POSTGRESQL_URL``: ``postgresql+psycopg://user:pw@host:port/db``; the
  user must be allowed to create and drop databases.
* ``JOINTINSPECT_TEST_MARIADB_URL``: ``mysql+pymysql://user:pw@host:port/db``; same right.
* ``JOINTINSPECT_TEST_REDIS_URL``: ``redis://[:pw@]host:port/N``.
* ``JOINTINSPECT_TEST_REDIS_CLUSTER_URL``: ``redis://[:pw@]host:port`` of one node (a seed;
  the masters are discovered with ``CLUSTER NODES``).

Isolation, and its caveats:

* SQL: every pytest session (every xdist worker) creates its own database
  ``ji_<pid>_<n>`` for the shared URL and one more per ``*_db_url`` test, and drops them all
  at the end of the session. Nothing outside them is touched.
* Redis: the tests empty their database with ``FLUSHDB``. Worker ``gwK`` of pytest-xdist uses
  database ``N + K`` (``N`` from the URL, 0 when absent), so databases ``N`` to
  ``N + workers - 1`` must be dedicated to the tests: their keys are deleted.
* Redis Cluster has only database 0: the tests run ``FLUSHALL`` on every master, so the cluster
  must be dedicated to the tests, and with several xdist workers their cluster tests may see
  each other's keys (run those with ``-n 0`` or ``-p no:xdist``).
* Tests that kill and restart a server (the ``redis_server`` fixture) always get a throwaway
  one: a server that someone else runs is never killed.

Unlike :mod:`testsupport.servers`, the SQL helpers here need the Python drivers (psycopg,
PyMySQL), which the ``dev`` extra installs: a server elsewhere has no local command-line client.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from testsupport import servers
from testsupport.servers import MariaDBServer, PostgresServer, RedisCluster, RedisServer
from testsupport.servers.redis_server import _encode_command, _read_reply

__all__ = [
    "ENV_URLS",
    "ExternalMariaDB",
    "ExternalPostgres",
    "ExternalRedis",
    "ExternalRedisCluster",
    "external_url",
    "mariadb_for_tests",
    "postgres_for_tests",
    "redis_cluster_for_tests",
    "redis_for_tests",
]

#: server kind (the ``server`` marker's argument) -> the variable naming an existing server.
ENV_URLS: Final = {
    "postgresql": "JOINTINSPECT_TEST_POSTGRESQL_URL",
    "mariadb": "JOINTINSPECT_TEST_MARIADB_URL",
    "redis": "JOINTINSPECT_TEST_REDIS_URL",
    "redis-cluster": "JOINTINSPECT_TEST_REDIS_CLUSTER_URL",
}

_counter = itertools.count(1)


def external_url(kind: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the URL of the existing ``kind`` server named by its variable, or None."""
    env = os.environ if environ is None else environ
    url = env.get(ENV_URLS[kind], "").strip()
    return url or None


def _unique_name() -> str:
    # The pid keeps xdist workers (and concurrent CI jobs on one host) apart.
    return f"ji_{os.getpid()}_{next(_counter)}"


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


class _ExternalSQL:
    """Shared part of the external SQL servers: databases created here are dropped at close."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.parts: SplitResult = urlsplit(url)
        self.created: list[str] = []
        self.database = self.create_database_name()

    @property
    def url(self) -> str:
        """Return the URL of this session's own database."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """Return the URL of ``database`` on this server."""
        return _with_database(self.admin_url, database)

    def create_database_name(self, name: str | None = None) -> str:
        """Create a database (a unique name by default) and return its name."""
        name = name or _unique_name()
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name {name!r}")
        self._execute(self._create_sql(name))
        self.created.append(name)
        return name

    def create_database(self, name: str | None = None) -> str:
        """Create a new empty database (a unique name by default) and return its URL."""
        return self.url_for(self.create_database_name(name))

    def close(self) -> None:
        """Drop every database this object created; the server keeps running."""
        while self.created:
            self._execute(self._drop_sql(self.created.pop()))

    def _create_sql(self, name: str) -> str:
        raise NotImplementedError

    def _drop_sql(self, name: str) -> str:
        raise NotImplementedError

    def _execute(self, sql: str) -> None:
        raise NotImplementedError


class ExternalPostgres(_ExternalSQL):
    """A PostgreSQL server someone else runs, given by ``JOINTINSPECT_TEST_POSTGRESQL_URL``."""

    def _create_sql(self, name: str) -> str:
        return f'CREATE DATABASE "{name}"'

    def _drop_sql(self, name: str) -> str:
        return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'

    def _execute(self, sql: str) -> None:
        import psycopg  # noqa: PLC0415 - only for external servers

        p = self.parts
        with psycopg.connect(
            host=p.hostname or "localhost",
            port=p.port or 5432,
            user=unquote(p.username or ""),
            password=unquote(p.password or ""),
            dbname=p.path.lstrip("/") or "postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.encode())


class ExternalMariaDB(_ExternalSQL):
    """A MariaDB/MySQL server someone else runs, given by ``JOINTINSPECT_TEST_MARIADB_URL``."""

    def _create_sql(self, name: str) -> str:
        return f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

    def _drop_sql(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS `{name}`"

    def _execute(self, sql: str) -> None:
        import pymysql  # noqa: PLC0415 - only for external servers

        p = self.parts
        conn = pymysql.connect(
            host=p.hostname or "localhost",
            port=p.port or 3306,
            user=unquote(p.username or ""),
            password=unquote(p.password or ""),
            autocommit=True,
        )
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()


class ExternalRedis:
    """A Redis server someone else runs; this session owns one database number on it."""

    def __init__(self, url: str, worker_offset: int | None = None) -> None:
        parts = urlsplit(url)
        base = int(parts.path.lstrip("/") or 0)
        self.db = base + (_xdist_worker_index() if worker_offset is None else worker_offset)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 6379
        self.password = unquote(parts.password) if parts.password else None
        self.username = unquote(parts.username) if parts.username else None
        self.url = urlunsplit(parts._replace(path=f"/{self.db}"))

    def command(self, *args: str | bytes | int) -> object:
        """Send one command to this session's database and return its reply."""
        return _resp(self.host, self.port, args, password=self.password, username=self.username, db=self.db)

    def flushall(self) -> None:
        """Delete every key of this session's database only (``FLUSHDB``, not ``FLUSHALL``)."""
        self.command("FLUSHDB")

    def close(self) -> None:
        """Nothing to stop: the server belongs to someone else."""


class ExternalRedisCluster:
    """A Redis Cluster someone else runs, found from one seed node."""

    def __init__(self, url: str) -> None:
        self.seed = ExternalRedis(url, worker_offset=0)
        self.url = self.seed.url.rsplit("/", 1)[0]

    def _node(self, host: str, port: int) -> ExternalRedis:
        auth = ""
        if self.seed.password is not None:
            auth = f"{self.seed.username or ''}:{self.seed.password}@"
        return ExternalRedis(f"redis://{auth}{host}:{port}/0", worker_offset=0)

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        """Return ``(host, port)`` of every master, from ``CLUSTER NODES`` on the seed."""
        reply = self.seed.command("CLUSTER", "NODES")
        assert isinstance(reply, str)
        masters = []
        for line in reply.splitlines():
            fields = line.split()
            if len(fields) > 2 and "master" in fields[2].split(",") and "fail" not in fields[2]:
                address = fields[1].split("@", 1)[0]
                host, _, port = address.rpartition(":")
                masters.append((host or self.seed.host, int(port)))
        return sorted(masters)

    def cluster_info(self, node: Any = None) -> dict[str, str]:
        """Return ``CLUSTER INFO`` of the seed (or ``node``) as a dictionary."""
        reply = (node or self.seed).command("CLUSTER", "INFO")
        assert isinstance(reply, str)
        pairs = (line.split(":", 1) for line in reply.splitlines() if ":" in line)
        return {key: value.strip() for key, value in pairs}

    def flushall(self) -> None:
        """Delete every key on every master (the cluster must be dedicated to the tests)."""
        for host, port in self.startup_nodes:
            self._node(host, port).command("FLUSHALL")

    def close(self) -> None:
        """Nothing to stop: the cluster belongs to someone else."""


def _xdist_worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    match = re.fullmatch(r"gw(\d+)", worker)
    return int(match.group(1)) if match else 0


def _resp(
    host: str,
    port: int,
    args: tuple[str | bytes | int, ...],
    *,
    password: str | None,
    username: str | None,
    db: int,
    timeout: float = 5.0,
) -> object:
    """Send AUTH and SELECT as needed, then one command; return the command's reply."""
    with socket.create_connection((host, port), timeout=timeout) as sock, sock.makefile("rb") as stream:
        if password is not None:
            auth: tuple[str, ...] = (username, password) if username else (password,)
            sock.sendall(_encode_command(("AUTH", *auth)))
            _read_reply(stream)
        if db and args[:1] != ("CLUSTER",) and args[:1] != ("FLUSHALL",):
            sock.sendall(_encode_command(("SELECT", db)))
            _read_reply(stream)
        sock.sendall(_encode_command(args))
        return _read_reply(stream)


# --------------------------------------------------------------------------- what the fixtures call


def postgres_for_tests() -> PostgresServer | ExternalPostgres:
    """Return the PostgreSQL named by its variable, else start a throwaway one."""
    url = external_url("postgresql")
    return ExternalPostgres(url) if url else servers.start_postgres()


def mariadb_for_tests() -> MariaDBServer | ExternalMariaDB:
    """Return the MariaDB named by its variable, else start a throwaway one."""
    url = external_url("mariadb")
    return ExternalMariaDB(url) if url else servers.start_mariadb()


def redis_for_tests() -> RedisServer | ExternalRedis:
    """Return the Redis named by its variable (one database of it), else start a throwaway one."""
    url = external_url("redis")
    return ExternalRedis(url) if url else servers.start_redis()


def redis_cluster_for_tests() -> RedisCluster | ExternalRedisCluster:
    """Return the Redis Cluster named by its variable, else start a throwaway one."""
    url = external_url("redis-cluster")
    return ExternalRedisCluster(url) if url else servers.start_redis_cluster()
