"""Replicated throwaway servers on loopback, for durability and failover tests.

* :func:`start_redis_with_replica` — one Redis and one replica of it.
* :func:`start_redis_cluster_with_replicas` — a Redis Cluster of masters with one replica
  each and a short ``cluster-node-timeout``, so a killed master's replica is promoted in
  a few seconds.
* :func:`start_postgres_with_standby` — a PostgreSQL primary and a streaming standby
  (``pg_basebackup``), synchronous or not.

Each returns an object whose ``close()`` kills every process it started and removes its
directories; every wait is bounded. Built on :mod:`testsupport.servers`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from testsupport.servers import (
    HOST,
    PostgresServer,
    RedisCluster,
    RedisServer,
    ServerStartError,
    find_postgres_bindir,
    find_redis_binaries,
    start_postgres,
    start_redis,
)
from testsupport.servers._process import (
    _free_port,
    _make_base_dir,
    _Process,
    _remove_dir,
    _run,
    _sql_ready,
    _wait_until,
)
from testsupport.servers.postgresql import _cluster_dirs, _owned_by, _postgres_user
from testsupport.servers.redis_server import _redis_common_args, _redis_major

#: Bound of every wait for replication, promotion or a healthy cluster.
WAIT_LIMIT: Final = 30.0


def _poll(ready: Callable[[], bool], what: str, timeout: float = WAIT_LIMIT) -> None:
    """Wait until ``ready()`` (errors count as not yet), or raise ServerStartError."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, RuntimeError):
            if ready():
                return
        if time.monotonic() > deadline:
            raise ServerStartError(f"{what}: not reached in {timeout:.0f}s")
        time.sleep(0.05)


def _info(node: RedisServer, section: str) -> dict[str, str]:
    reply = node.command("INFO", section)
    assert isinstance(reply, str)
    pairs = (line.split(":", 1) for line in reply.splitlines() if ":" in line)
    return {key: value.strip() for key, value in pairs}


def freeze(node: RedisServer) -> None:
    """Stop a Redis process (SIGSTOP): it keeps its connections but answers nothing."""
    if node.pid is not None:
        os.kill(node.pid, signal.SIGSTOP)


def thaw(node: RedisServer) -> None:
    """Resume a process stopped by :func:`freeze`."""
    if node.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(node.pid, signal.SIGCONT)


# --------------------------------------------------------------------------- Redis


class RedisPrimaryReplica:
    """A Redis primary and one replica of it."""

    def __init__(self, primary: RedisServer, replica: RedisServer) -> None:
        self.primary = primary
        self.replica = replica

    def in_sync(self) -> bool:
        """Tell whether the replica is connected and has every write of the primary."""
        primary, replica = _info(self.primary, "replication"), _info(self.replica, "replication")
        return (
            primary.get("connected_slaves") == "1"
            and replica.get("master_link_status") == "up"
            and primary.get("master_repl_offset") == replica.get("slave_repl_offset")
        )

    def wait_in_sync(self) -> None:
        """Wait (bounded) until the replica is connected and caught up, e.g. after a thaw."""
        _poll(self.in_sync, "Redis replica in sync")

    def close(self) -> None:
        """Kill both servers and remove their directories."""
        for node in (self.replica, self.primary):
            thaw(node)
            node.close()


def start_redis_with_replica(*, extra_args: Sequence[str] = ()) -> RedisPrimaryReplica:
    """Start a Redis (``appendonly yes``) and a replica of it, and wait until they are in sync."""
    primary = start_redis(extra_args=["--repl-diskless-sync-delay", "0", *extra_args])
    replica: RedisServer | None = None
    try:
        replica = start_redis(extra_args=[*extra_args, "--replicaof", HOST, str(primary.port)])
        pair = RedisPrimaryReplica(primary, replica)
        pair.wait_in_sync()
        return pair
    except BaseException:
        if replica is not None:
            replica.close()
        primary.close()
        raise


class ReplicatedRedisCluster(RedisCluster):
    """A Redis Cluster whose masters each have one replica (``nodes`` lists all of them)."""

    def role(self, node: RedisServer) -> str:
        """``master`` or ``slave``, as the node itself says."""
        return _info(node, "replication").get("role", "")

    def live(self) -> list[RedisServer]:
        """The nodes whose process runs."""
        return [node for node in self.nodes if node.running]

    def master_of_slot(self, slot: int) -> RedisServer:
        """The live node that serves ``slot`` as a master."""
        for node in self.live():
            reply = node.command("CLUSTER", "SLOTS")
            assert isinstance(reply, list)
            for entry in reply:
                start, end, master = int(entry[0]), int(entry[1]), entry[2]
                if start <= slot <= end:
                    port = int(master[1])
                    return next(n for n in self.nodes if n.port == port)
        raise ServerStartError(f"no live node serves slot {slot}")

    def replica_of(self, master: RedisServer) -> RedisServer:
        """The live node that replicates ``master``."""
        for node in self.live():
            info = _info(node, "replication")
            if info.get("role") == "slave" and info.get("master_port") == str(master.port):
                return node
        raise ServerStartError(f"no live replica of the node on port {master.port}")

    def rejoin(self, node: RedisServer) -> None:
        """Start a killed node again: it rejoins as a replica of the master that replaced
        it; wait until every master has an in-sync replica again."""
        node.start()
        _poll(lambda: self.role(node) == "slave", "killed node rejoined as a replica")
        _poll(self.healthy, "cluster ok after rejoin")
        _poll(self.replicas_in_sync, "replicas in sync after rejoin")

    def slot(self, key: str) -> int:
        """The hash slot of ``key``."""
        reply = self.live()[0].command("CLUSTER", "KEYSLOT", key)
        assert isinstance(reply, int)
        return reply

    def replicas_in_sync(self) -> bool:
        """Tell whether every live master has a connected replica with all its writes, and
        every live node's ``CLUSTER NODES`` knows each live replica as one."""
        replicas = sum(1 for node in self.live() if self.role(node) == "slave")
        for node in self.live():
            listed = node.command("CLUSTER", "NODES")
            assert isinstance(listed, str)
            if sum("slave" in line.split()[2].split(",") for line in listed.splitlines() if line) < replicas:
                return False
            info = _info(node, "replication")
            if info.get("role") != "master":
                continue
            replica = info.get("slave0", "")
            if (
                info.get("connected_slaves") != "1"
                or "state=online" not in replica
                or f"offset={info.get('master_repl_offset')}," not in replica
            ):
                return False
        return True

    def healthy(self) -> bool:
        """Every live node sees all slots served and the cluster state ok."""
        for node in self.live():
            info = self.cluster_info(node)
            if info.get("cluster_state") != "ok" or info.get("cluster_slots_ok") != "16384":
                return False
        return True

    def wait_promoted(self, slot: int, old: RedisServer, timeout: float = WAIT_LIMIT) -> RedisServer:
        """Wait until a node other than ``old`` serves ``slot`` and the cluster is ok."""

        def promoted() -> bool:
            return self.master_of_slot(slot) is not old and self.role(self.master_of_slot(slot)) == "master"

        _poll(promoted, "replica promotion", timeout)
        _poll(self.healthy, "cluster ok after promotion", timeout)
        return self.master_of_slot(slot)

    def close(self) -> None:
        """Kill every node and remove the cluster's directory."""
        for node in self.nodes:
            thaw(node)
        super().close()


def start_redis_cluster_with_replicas(masters: int = 3, node_timeout_ms: int = 1000) -> ReplicatedRedisCluster:
    """Start ``masters`` masters and as many replicas, joined into one cluster, and wait
    until every replica is in sync. ``appendonly`` is off: a failover, not a restart, is
    what these clusters are for."""
    server_bin, cli = find_redis_binaries()
    major = _redis_major(server_bin)
    if major < 7:
        raise ServerStartError("the replicated cluster helper needs Redis >= 7 (--cluster-port)")
    base = _make_base_dir("redis-cluster-rep")
    nodes: list[RedisServer] = []
    try:
        for index in range(masters * 2):
            directory = base / f"node{index}"
            directory.mkdir()
            node = RedisServer(
                server_bin,
                _free_port(),
                directory,
                [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", str(node_timeout_ms), "--appendonly", "no", "--save", "",
                    "--cluster-port", str(_free_port()), "--repl-diskless-sync-delay", "0",
                    # a replica may take over however long ago it last heard its master
                    "--cluster-replica-validity-factor", "0", *_redis_common_args(major),
                ],
                owns_directory=False,
            )  # fmt: skip
            nodes.append(node)
            node.start()
        # redis-cli makes the first ``masters`` nodes masters and the others their replicas
        _run(
            [
                cli, "--cluster", "create", *(f"{HOST}:{n.port}" for n in nodes),
                "--cluster-replicas", "1", "--cluster-yes",
            ]
        )  # fmt: skip
        cluster = ReplicatedRedisCluster(nodes, base)
        _poll(cluster.healthy, "Redis cluster ok")
        _poll(cluster.replicas_in_sync, "Redis cluster replicas in sync")
        return cluster
    except BaseException:
        for started in nodes:
            started.close()
        _remove_dir(base)
        raise


# --------------------------------------------------------------------------- PostgreSQL


class PostgresPrimaryStandby:
    """A PostgreSQL primary and a streaming standby (application name ``standby1``)."""

    def __init__(self, primary: PostgresServer, standby: PostgresServer, synchronous: bool) -> None:
        self.primary = primary
        self.standby = standby
        self.synchronous = synchronous

    def kill_primary(self) -> None:
        """Kill the primary's postmaster and its backends with SIGKILL."""
        self.primary._process.kill9()

    def promote(self) -> None:
        """Promote the standby and wait until it accepts writes."""
        self.standby.psql("SELECT pg_promote(true, 30)")
        _poll(lambda: self.standby.psql("SELECT pg_is_in_recovery()").strip() == "f", "standby promotion")

    def close(self) -> None:
        """Kill both servers and remove their directories."""
        self.standby.close()
        self.primary.close()


def start_postgres_with_standby(*, synchronous: bool) -> PostgresPrimaryStandby:
    """Start a primary (``synchronous_commit=on``; with ``synchronous``, the standby is
    named in ``synchronous_standby_names``) and a standby cloned by ``pg_basebackup``
    streaming from it; wait until the standby streams."""
    settings = [
        "-c", "synchronous_commit=on", "-c", "wal_level=replica", "-c", "max_wal_senders=5",
    ]  # fmt: skip
    primary = start_postgres(extra_args=settings)
    base: Path | None = None
    standby: PostgresServer | None = None
    try:
        bindir = find_postgres_bindir()
        user = _postgres_user()
        base = _make_base_dir("pg-standby")
        data, sockets = _cluster_dirs(base, user)
        _run(
            [
                str(bindir / "pg_basebackup"), "-h", HOST, "-p", str(primary.port),
                "-U", PostgresServer.user, "-D", str(data), "-X", "stream", "--no-sync", "--checkpoint=fast",
            ],
            user=user,
        )  # fmt: skip
        (data / "standby.signal").touch()
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"primary_conninfo = 'host={HOST} port={primary.port} user={PostgresServer.user} "
                "application_name=standby1'\n"
            )
        _owned_by(user, data / "standby.signal", data / "postgresql.auto.conf")
        port = _free_port()
        process = _Process(
            [
                str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-h", HOST, "-k", str(sockets),
                "-c", "fsync=off", "-c", "max_connections=200", "-c", "log_min_messages=warning",
                "-c", "synchronous_standby_names=",
            ],
            base / "postgres.log",
            user=user,
            death_signal=signal.SIGQUIT,
            stop_signal=signal.SIGQUIT,
        )  # fmt: skip
        standby = PostgresServer(bindir, port, base, process)
        _wait_until(_sql_ready(standby.psql), process, f"PostgreSQL standby on port {port}")
        pair = PostgresPrimaryStandby(primary, standby, synchronous)
        if synchronous:  # only now: before a standby exists, every commit would wait for it
            primary.psql("ALTER SYSTEM SET synchronous_standby_names = 'standby1'")
            primary.psql("SELECT pg_reload_conf()")
        wanted = "sync" if synchronous else "async"
        _poll(
            lambda: primary.psql("SELECT sync_state FROM pg_stat_replication").strip() == wanted,
            "standby streaming",
        )
        return pair
    except BaseException:
        if standby is not None:
            standby.close()
        elif base is not None:
            _remove_dir(base)
        primary.close()
        raise
