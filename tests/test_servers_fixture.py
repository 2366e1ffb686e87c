"""Smoke tests: each server fixture gives a real, working server (see conftest.py)."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pymysql
import pytest
import redis
from redis.cluster import ClusterNode
from redis.cluster import RedisCluster as RedisClusterClient

from testsupport import external, servers
from testsupport.servers import PostgresServer, RedisCluster, RedisServer, mariadb, redis_server


def _throwaway(kind: str) -> pytest.MarkDecorator:
    """Skip a check of the throwaway server's own setup when the tests use an existing server."""
    return pytest.mark.skipif(external.external_url(kind) is not None, reason=f"{kind} is an existing server")


def _pg_conninfo(url: str) -> str:
    u = urlsplit(url)
    password = f" password={u.password}" if u.password else ""  # set for an existing server
    return f"host={u.hostname} port={u.port} user={u.username}{password} dbname={u.path.lstrip('/')}"


def _mysql_connect(url: str) -> pymysql.connections.Connection:
    u = urlsplit(url)
    assert u.hostname is not None and u.port is not None and u.username is not None
    return pymysql.connect(
        host=u.hostname, port=u.port, user=u.username, password=u.password or "", database=u.path.lstrip("/")
    )


@_throwaway("postgresql")
def test_postgresql_url_accepts_transactions(postgresql_url: str) -> None:
    assert postgresql_url.startswith("postgresql+psycopg://jointinspect@127.0.0.1:")
    with psycopg.connect(_pg_conninfo(postgresql_url)) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 130000
        conn.execute("CREATE TABLE IF NOT EXISTS smoke (k text PRIMARY KEY, v int)")
        conn.execute("INSERT INTO smoke VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = 1")
        conn.commit()
        row = conn.execute("SELECT v FROM smoke WHERE k = 'a'").fetchone()
        assert row == (1,)


def test_postgresql_db_url_is_a_new_empty_database(postgresql_db_url: str, postgresql_server: PostgresServer) -> None:
    other = postgresql_server.create_database()
    assert other != postgresql_db_url
    with psycopg.connect(_pg_conninfo(postgresql_db_url)) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
        conn.commit()
    with psycopg.connect(_pg_conninfo(other)) as conn:
        row = conn.execute("SELECT to_regclass('only_here') IS NULL").fetchone()
        assert row == (True,)


@_throwaway("postgresql")
def test_postgresql_runs_unprivileged(postgresql_url: str) -> None:
    with psycopg.connect(_pg_conninfo(postgresql_url)) as conn:
        row = conn.execute("SHOW fsync").fetchone()
        assert row == ("off",)


@_throwaway("mariadb")
def test_mariadb_url_accepts_innodb_transactions(mariadb_url: str) -> None:
    assert mariadb_url.startswith("mysql+pymysql://root@127.0.0.1:")
    conn = _mysql_connect(mariadb_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            (version,) = cur.fetchone()
            assert "MariaDB" in version
            cur.execute("CREATE TABLE IF NOT EXISTS smoke (k VARCHAR(10) PRIMARY KEY, v INT)")
            cur.execute("REPLACE INTO smoke VALUES ('a', 1)")
        conn.commit()
        with conn.cursor() as cur:
            cur.execute(
                "SELECT engine FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'smoke'"
            )
            assert cur.fetchone() == ("InnoDB",)
            cur.execute("SELECT v FROM smoke WHERE k = 'a'")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_mariadb_db_url_is_a_new_empty_database(mariadb_db_url: str) -> None:
    conn = _mysql_connect(mariadb_db_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            assert cur.fetchall() == ()
    finally:
        conn.close()


@_throwaway("redis")
def test_redis_url_set_get_with_appendonly(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.set("smoke:key", "v") is True
        assert client.get("smoke:key") == b"v"
        assert client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        client.close()


def test_redis_clean_url_is_empty(redis_url: str, redis_clean_url: str) -> None:
    assert redis_clean_url == redis_url
    client = redis.Redis.from_url(redis_clean_url)
    try:
        assert client.dbsize() == 0
    finally:
        client.close()


def test_redis_server_kill9_keeps_confirmed_writes(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        for i in range(200):
            assert client.incr("counter") == i + 1
        first_pid = redis_server.pid
        redis_server.kill9()
        assert not redis_server.running
        with pytest.raises(redis.ConnectionError):
            client.ping()
        redis_server.start()
        assert redis_server.pid != first_pid
        assert client.get("counter") == b"200"
        redis_server.restart()
        assert client.get("counter") == b"200"
    finally:
        client.close()


def test_redis_server_is_running_and_empty_even_after_a_kill(redis_server: RedisServer) -> None:
    # Runs after the test above in file order: the fixture restarted and flushed the server.
    assert redis_server.running
    assert redis_server.command("DBSIZE") == 0
    redis_server.kill9()  # the fixture's teardown must bring it back for the next test


def test_redis_server_stop_and_start(redis_server: RedisServer) -> None:
    assert redis_server.running
    redis_server.command("SET", "k", "v")
    redis_server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", redis_server.port), 1):
        pass
    redis_server.start()
    assert redis_server.command("GET", "k") == "v"


def test_redis_cluster_spreads_keys_over_masters(
    redis_cluster: RedisCluster, redis_cluster_clean_nodes: list[tuple[str, int]]
) -> None:
    assert len(redis_cluster_clean_nodes) >= 3
    assert redis_cluster.cluster_info()["cluster_state"] == "ok"
    client = RedisClusterClient(startup_nodes=[ClusterNode(host, port) for host, port in redis_cluster_clean_nodes])
    try:
        masters = {n.name for n in client.get_primaries()}
        assert len(masters) == len(redis_cluster_clean_nodes)
        keys = [f"smoke:{i}" for i in range(30)]
        for key in keys:
            client.set(key, key.upper())
        for key in keys:
            assert client.get(key) == key.upper().encode()
        used = {client.get_node_from_key(key).name for key in keys}
        assert used == masters  # 30 keys hit every master: the cluster really is sharded
        assert len({client.keyslot(key) for key in keys}) > 1
        # Keys sharing a {hash tag} land in one slot, so one Lua script may touch them all.
        assert client.keyslot("{ent:1}:a") == client.keyslot("{ent:1}:b")
    finally:
        client.close()


def test_servers_required_reads_ci_and_override() -> None:
    assert servers.servers_required({"CI": "true"})
    assert servers.servers_required({"JOINTINSPECT_REQUIRE_SERVERS": "1"})
    assert not servers.servers_required({})
    assert not servers.servers_required({"CI": "false"})


def test_missing_postgres_binaries_raise_with_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOINTINSPECT_PG_BINDIR", str(tmp_path))
    with pytest.raises(servers.ServerBinariesMissing, match=r"scripts/test\.sh"):
        servers.find_postgres_bindir()


def test_missing_redis_binaries_raise_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    for module in (mariadb, redis_server):  # where each start function looks its binaries up
        monkeypatch.setattr(module, "_which", lambda *names, **kw: None)
    with pytest.raises(servers.ServerBinariesMissing, match="redis-server"):
        servers.start_redis()
    with pytest.raises(servers.ServerBinariesMissing, match="mariadb-server"):
        servers.start_mariadb()
