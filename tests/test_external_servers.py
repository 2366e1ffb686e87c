"""Existing servers named by JOINTINSPECT_TEST_*_URL replace the throwaway ones (testsupport.external).

Each test points the variable at a server a fixture started, so "existing" is real, and makes
starting another server fail, so a pass proves the existing one was used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import psycopg
import pymysql
import pytest
import redis

from testsupport import external, servers
from testsupport.servers import RedisCluster, RedisServer

ROOT = Path(__file__).resolve().parents[1]


def _no_throwaway(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError("a throwaway server was started although an existing one was named")


def _pg_databases(url: str) -> set[str]:
    u = urlsplit(url)
    with psycopg.connect(host=u.hostname, port=u.port, user=u.username, dbname="postgres") as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_no_variable_means_a_throwaway_server() -> None:
    assert external.external_url("redis", {}) is None
    assert external.external_url("redis", {"JOINTINSPECT_TEST_REDIS_URL": "  "}) is None
    assert external.external_url("redis-cluster", {"JOINTINSPECT_TEST_REDIS_CLUSTER_URL": "redis://h:1"}) == (
        "redis://h:1"
    )


def test_existing_redis_is_used_one_database_per_worker(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "start_redis", _no_throwaway)
    monkeypatch.setenv("JOINTINSPECT_TEST_REDIS_URL", f"redis://127.0.0.1:{redis_server.port}/3")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    used = external.redis_for_tests()
    assert isinstance(used, external.ExternalRedis)
    assert used.url == f"redis://127.0.0.1:{redis_server.port}/4"  # base 3 + worker 1
    other = redis.Redis(port=redis_server.port, db=0)
    mine = redis.Redis.from_url(used.url)
    try:
        other.set("not-mine", "1")
        used.command("SET", "mine", "1")
        assert mine.get("mine") == b"1"  # really the same server, database 4
        used.flushall()
        assert mine.dbsize() == 0
        assert other.get("not-mine") == b"1"  # FLUSHDB, never FLUSHALL
    finally:
        other.close()
        mine.close()


def test_existing_postgresql_gets_own_databases_dropped_at_close(
    postgresql_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "start_postgres", _no_throwaway)
    monkeypatch.setenv("JOINTINSPECT_TEST_POSTGRESQL_URL", postgresql_server.url)
    used = external.postgres_for_tests()
    assert isinstance(used, external.ExternalPostgres)
    try:
        fresh = used.create_database()
        names = {urlsplit(u).path.lstrip("/") for u in (used.url, fresh)}
        assert len(names) == 2
        assert names <= _pg_databases(postgresql_server.url)
    finally:
        used.close()
    assert not names & _pg_databases(postgresql_server.url)


def test_existing_mariadb_gets_own_databases_dropped_at_close(
    mariadb_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "start_mariadb", _no_throwaway)
    monkeypatch.setenv("JOINTINSPECT_TEST_MARIADB_URL", mariadb_server.url)
    used = external.mariadb_for_tests()
    assert isinstance(used, external.ExternalMariaDB)
    u = urlsplit(mariadb_server.url)
    assert u.hostname is not None and u.port is not None and u.username is not None

    def databases() -> set[str]:
        conn = pymysql.connect(host=u.hostname, port=u.port, user=u.username)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW DATABASES")
                return {row[0] for row in cur.fetchall()}
        finally:
            conn.close()

    try:
        name = urlsplit(used.create_database()).path.lstrip("/")
        assert {name, used.database} <= databases()
    finally:
        used.close()
    assert not {name, used.database} & databases()


def test_existing_cluster_masters_found_from_one_seed(
    redis_cluster: RedisCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "start_redis_cluster", _no_throwaway)
    host, port = redis_cluster.startup_nodes[-1]
    monkeypatch.setenv("JOINTINSPECT_TEST_REDIS_CLUSTER_URL", f"redis://{host}:{port}")
    used = external.redis_cluster_for_tests()
    assert isinstance(used, external.ExternalRedisCluster)
    assert used.startup_nodes == sorted(redis_cluster.startup_nodes)
    assert used.cluster_info()["cluster_state"] == "ok"


def test_conftest_fixture_uses_the_existing_redis(redis_server: RedisServer, tmp_path: Path) -> None:
    # A separate pytest run with the variable set: its redis_clean_url fixture must hand out the
    # existing server's database 2, where the probe key then shows up.
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            import redis

            def test_probe(redis_clean_url):
                client = redis.Redis.from_url(redis_clean_url)
                client.set("probe", redis_clean_url)
                client.close()
            """
        )
    )
    env = {
        **os.environ,
        "JOINTINSPECT_TEST_REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/2",
        "JOINTINSPECT_REQUIRE_SERVERS": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:xdist", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*argv, probe.name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    client = redis.Redis(port=redis_server.port, db=2)
    try:
        assert client.get("probe") == f"redis://127.0.0.1:{redis_server.port}/2".encode()
    finally:
        client.close()
