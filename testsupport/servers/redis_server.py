"""Throwaway Redis servers and a Redis Cluster, with a tiny RESP client (no driver needed)."""

import re
import signal
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from testsupport.servers._process import (
    _PORT_ATTEMPTS,
    _START_TIMEOUT,
    HOST,
    RespError,
    ServerBinariesMissing,
    ServerStartError,
    _free_port,
    _free_port_pair,
    _make_base_dir,
    _port_in_use_error,
    _Process,
    _remove_dir,
    _run,
    _wait_until,
    _which,
)


def _encode_command(args: Sequence[str | bytes | int]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _read_reply(stream: IO[bytes]) -> object:
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise OSError("connection closed by Redis")
    kind, body = line[:1], line[1:-2]
    if kind == b"+":
        return body.decode()
    if kind == b"-":
        raise RespError(body.decode())
    if kind == b":":
        return int(body)
    if kind == b"$":
        size = int(body)
        if size < 0:
            return None
        data = stream.read(size + 2)
        return data[:-2].decode(errors="replace")
    if kind == b"*":
        count = int(body)
        return None if count < 0 else [_read_reply(stream) for _ in range(count)]
    raise OSError(f"unexpected Redis reply {line!r}")


def resp_command(port: int, *args: str | bytes | int, timeout: float = 5.0) -> object:
    """Send one command to the Redis server on ``127.0.0.1:port`` and return its reply."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(_encode_command(args))
        with sock.makefile("rb") as stream:
            return _read_reply(stream)


def find_redis_binaries() -> tuple[str, str]:
    """Return the paths of ``redis-server`` and ``redis-cli``."""
    server = _which("redis-server")
    cli = _which("redis-cli")
    if server is None or cli is None:
        raise ServerBinariesMissing(
            "Redis binaries not found (redis-server, redis-cli): "
            "install redis-server and redis-tools or run scripts/test.sh"
        )
    return server, cli


def _redis_major(server_bin: str) -> int:
    out = _run([server_bin, "--version"])
    match = re.search(r"v=(\d+)\.", out)
    return int(match.group(1)) if match else 0


class RedisServer:
    """One Redis server process on a fixed port and data directory.

    The port and directory stay the same across :meth:`kill9` / :meth:`start`, so a
    restarted server reloads its append-only file: exactly the crash a production
    Redis with ``appendonly yes`` survives.
    """

    def __init__(
        self,
        server_bin: str,
        port: int,
        directory: Path,
        extra_args: Sequence[str] = (),
        *,
        owns_directory: bool = True,
    ) -> None:
        self.server_bin = server_bin
        self.port = port
        self.directory = directory
        self.extra_args = list(extra_args)
        self._owns_directory = owns_directory
        self._process: _Process | None = None

    @property
    def host(self) -> str:
        """Return the address the server listens on."""
        return HOST

    @property
    def url(self) -> str:
        """Return the ``redis://`` URL of database 0."""
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """Return the process id, or None while stopped."""
        return self._process.pid if self.running else None  # type: ignore[union-attr]

    @property
    def running(self) -> bool:
        """Tell whether the server process is alive."""
        return self._process is not None and self._process.alive()

    def command(self, *args: str | bytes | int) -> object:
        """Send one command and return its reply (see :func:`resp_command`)."""
        return resp_command(self.port, *args)

    def _ready(self) -> bool:
        if self.command("PING") != "PONG":
            return False
        info = self.command("INFO", "persistence")
        return isinstance(info, str) and "loading:0" in info

    def start(self, timeout: float = _START_TIMEOUT) -> None:
        """Start the server (no-op when running) and wait until it has loaded its data."""
        if self.running:
            return
        argv = [
            self.server_bin, "--port", str(self.port), "--bind", HOST,
            "--dir", str(self.directory), "--logfile", "", "--daemonize", "no",
            "--protected-mode", "no", *self.extra_args,
        ]  # fmt: skip
        self._process = _Process(argv, self.directory / "redis.log", cwd=self.directory)
        _wait_until(self._ready, self._process, f"Redis on port {self.port}", timeout)

    def stop(self) -> None:
        """Shut the server down cleanly (SIGTERM: it flushes its append-only file)."""
        if self._process is not None:
            self._process.stop(signal.SIGTERM)

    def kill9(self) -> None:
        """Kill the server with SIGKILL, as a crash would; :meth:`start` brings it back."""
        if self._process is not None:
            self._process.kill9()

    def restart(self) -> None:
        """Stop the server if it runs (cleanly) and start it again on the same port and data."""
        self.stop()
        self.start()

    def flushall(self) -> None:
        """Delete every key in every database."""
        self.command("FLUSHALL")

    def close(self) -> None:
        """Kill the server and remove its directory."""
        if self._process is not None:
            self._process.kill9()
        if self._owns_directory:
            _remove_dir(self.directory)


def _redis_common_args(major: int) -> list[str]:
    # DEBUG lets fault tests pause or crash a server deliberately (Redis >= 7 needs opt-in).
    return ["--enable-debug-command", "local"] if major >= 7 else []


def start_redis(*, appendfsync: str = "everysec", extra_args: Sequence[str] = ()) -> RedisServer:
    """Start a single Redis server with ``appendonly yes`` and RDB snapshots off.

    With ``appendfsync everysec`` a reply is sent only after its write reached the
    append-only file (the kernel's page cache), so ``kill -9`` of the process loses no
    confirmed write; only a machine crash could. Pass ``appendfsync="always"`` to fsync
    every write.
    """
    server_bin, _cli = find_redis_binaries()
    major = _redis_major(server_bin)
    base = _make_base_dir("redis")
    args = [
        "--appendonly", "yes", "--appendfsync", appendfsync, "--save", "",
        *_redis_common_args(major), *extra_args,
    ]  # fmt: skip
    last_error: ServerStartError | None = None
    try:
        for _ in range(_PORT_ATTEMPTS):
            server = RedisServer(server_bin, _free_port(), base, args)
            try:
                server.start()
            except ServerStartError as exc:
                server.kill9()
                if server._process is not None and _port_in_use_error(server._process):
                    last_error = exc
                    continue
                raise
            return server
        raise last_error or ServerStartError("Redis did not start")
    except BaseException:
        _remove_dir(base)
        raise


class RedisCluster:
    """A running Redis Cluster of masters without replicas, all slots assigned."""

    def __init__(self, nodes: Sequence[RedisServer], base_dir: Path) -> None:
        self.nodes = list(nodes)
        self.base_dir = base_dir

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        """Return ``(host, port)`` of every master, for ``redis.cluster.RedisCluster``."""
        return [(node.host, node.port) for node in self.nodes]

    @property
    def url(self) -> str:
        """Return a ``redis://`` URL of one node (``RedisCluster.from_url`` discovers the rest)."""
        return self.nodes[0].url

    def cluster_info(self, node: RedisServer | None = None) -> dict[str, str]:
        """Return ``CLUSTER INFO`` of one node as a dictionary."""
        reply = (node or self.nodes[0]).command("CLUSTER", "INFO")
        assert isinstance(reply, str)
        pairs = (line.split(":", 1) for line in reply.splitlines() if ":" in line)
        return {key: value.strip() for key, value in pairs}

    def healthy(self) -> bool:
        """Tell whether every node sees the whole cluster with all slots served."""
        expected = str(len(self.nodes))
        for node in self.nodes:
            info = self.cluster_info(node)
            if (
                info.get("cluster_state") != "ok"
                or info.get("cluster_slots_ok") != "16384"
                or info.get("cluster_known_nodes") != expected
            ):
                return False
        return True

    def flushall(self) -> None:
        """Delete every key on every master."""
        for node in self.nodes:
            node.flushall()

    def close(self) -> None:
        """Kill every node and remove the cluster's directory."""
        for node in self.nodes:
            node.close()
        _remove_dir(self.base_dir)


def start_redis_cluster(masters: int = 3) -> RedisCluster:
    """Start ``masters`` cluster-enabled Redis servers and join them into one cluster."""
    if masters < 3:
        raise ValueError("redis-cli --cluster create needs at least 3 masters")
    server_bin, cli = find_redis_binaries()
    major = _redis_major(server_bin)
    base = _make_base_dir("redis-cluster")
    nodes: list[RedisServer] = []
    try:
        for index in range(masters):
            directory = base / f"node{index}"
            directory.mkdir()
            node: RedisServer | None = None
            for _attempt in range(_PORT_ATTEMPTS):
                if major >= 7:
                    port, bus = _free_port(), _free_port()
                    bus_args = ["--cluster-port", str(bus)]
                else:
                    port, bus_args = _free_port_pair(10000), []
                candidate = RedisServer(
                    server_bin,
                    port,
                    directory,
                    [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "3000", "--appendonly", "no", "--save", "",
                        *bus_args, *_redis_common_args(major),
                    ],
                    owns_directory=False,
                )  # fmt: skip
                try:
                    candidate.start()
                except ServerStartError:
                    candidate.kill9()
                    (directory / "nodes.conf").unlink(missing_ok=True)
                    if candidate._process is not None and _port_in_use_error(candidate._process):
                        continue
                    raise
                node = candidate
                break
            if node is None:
                raise ServerStartError("Redis cluster node did not start: no free port")
            nodes.append(node)
        _run(
            [
                cli, "--cluster", "create", *(f"{HOST}:{n.port}" for n in nodes),
                "--cluster-replicas", "0", "--cluster-yes",
            ]
        )  # fmt: skip
        cluster = RedisCluster(nodes, base)
        deadline = time.monotonic() + _START_TIMEOUT
        while not cluster.healthy():
            if time.monotonic() > deadline:
                raise ServerStartError(f"Redis cluster not ok: {cluster.cluster_info()}")
            time.sleep(0.05)
        return cluster
    except BaseException:
        for started in nodes:
            started.close()
        _remove_dir(base)
        raise
