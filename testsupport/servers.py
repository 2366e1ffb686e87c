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

import contextlib
import ctypes
import functools
import glob
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Final

__all__ = [
    "MariaDBServer",
    "PostgresServer",
    "RedisCluster",
    "RedisServer",
    "RespError",
    "ServerBinariesMissing",
    "ServerStartError",
    "resp_command",
    "servers_required",
    "start_mariadb",
    "start_postgres",
    "start_redis",
    "start_redis_cluster",
]

HOST: Final = "127.0.0.1"
_START_TIMEOUT: Final = 60.0
_STOP_TIMEOUT: Final = 15.0
_PORT_ATTEMPTS: Final = 4
#: Ports already handed out by this process; a server may not have bound its port yet
#: when the next one is chosen, so the OS alone cannot tell us it is taken.
_claimed_ports: set[int] = set()
_claim_lock = threading.Lock()


class ServerBinariesMissing(RuntimeError):
    """The server's executables are not installed on this machine."""


class ServerStartError(RuntimeError):
    """The server's executables exist but the server did not start or become ready."""


class RespError(RuntimeError):
    """Redis answered a command with an error reply."""


def servers_required(environ: Mapping[str, str] | None = None) -> bool:
    """Tell whether a missing server must fail the run instead of skipping its tests.

    True in CI (``CI=true``) and when ``JOINTINSPECT_REQUIRE_SERVERS=1``.
    """
    env = os.environ if environ is None else environ
    ci = env.get("CI", "").strip().lower() in {"true", "1", "yes"}
    forced = env.get("JOINTINSPECT_REQUIRE_SERVERS", "").strip().lower() in {"1", "true", "yes"}
    return ci or forced


# --------------------------------------------------------------------------- processes


def _keep_dirs() -> bool:
    return os.environ.get("JOINTINSPECT_KEEP_SERVER_DIRS", "") in {"1", "true", "yes"}


def _make_base_dir(kind: str) -> Path:
    parent = os.environ.get("JOINTINSPECT_SERVERS_TMPDIR") or None
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"jointinspect-{kind}-", dir=parent))


def _remove_dir(path: Path) -> None:
    if not _keep_dirs():
        shutil.rmtree(path, ignore_errors=True)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on and we have not handed out."""
    with _claim_lock:
        for _ in range(200):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((HOST, 0))
                port = int(sock.getsockname()[1])
            if port not in _claimed_ports:
                _claimed_ports.add(port)
                return port
    raise ServerStartError("no free TCP port found on 127.0.0.1")


def _free_port_pair(offset: int) -> int:
    """Return a free port ``p`` such that ``p + offset`` is free too (Redis < 7 cluster bus)."""
    with _claim_lock:
        for _ in range(500):
            port = random.randint(20000, 65535 - offset)
            pair = (port, port + offset)
            if any(p in _claimed_ports for p in pair):
                continue
            if all(_port_free(p) for p in pair):
                _claimed_ports.update(pair)
                return port
    raise ServerStartError("no free TCP port pair found on 127.0.0.1")


_PR_SET_PDEATHSIG: Final = 1
try:
    # Looked up here, not in the forked child, where loading a library could deadlock.
    _prctl: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: servers are then only stopped by close()
    _prctl = None


def _death_signal_preexec(sig: signal.Signals) -> Callable[[], None]:
    """Make the child get ``sig`` when the test process dies, so no server outlives it.

    Runs in the child after the user switch (prctl's setting is cleared by a uid change).
    """

    signum = int(sig)

    def preexec() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)

    return preexec


class _Process:
    """A server process with its log file, in its own session (process group)."""

    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        *,
        user: str | None = None,
        death_signal: signal.Signals = signal.SIGKILL,
        stop_signal: signal.Signals = signal.SIGTERM,
        cwd: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self.stop_signal = stop_signal
        log: IO[bytes] = log_path.open("ab")
        try:
            self.popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                user=user,
                start_new_session=True,
                # The death signal follows the *thread* that forks: a server started from
                # a short-lived worker thread would die with that thread, so only the main
                # thread asks for it (session teardown still stops every server).
                preexec_fn=(  # noqa: PLW1509 - only calls prctl
                    _death_signal_preexec(death_signal)
                    if threading.current_thread() is threading.main_thread()
                    else None
                ),
                env=_child_env(user),
            )
        finally:
            log.close()

    @property
    def pid(self) -> int:
        """Return the server's process id."""
        return self.popen.pid

    def alive(self) -> bool:
        """Tell whether the process is still running."""
        return self.popen.poll() is None

    def stop(self, sig: signal.Signals | None = None, timeout: float = _STOP_TIMEOUT) -> None:
        """Signal the process, wait for it, and kill its whole group if it lingers."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(sig if sig is not None else self.stop_signal)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)
        # Backends or helpers the server forked die with it; make sure of it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def kill9(self) -> None:
        """Kill the process with SIGKILL (no chance to flush or clean up) and reap it."""
        self.stop(signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        """Return the last lines of the server's log, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _child_env(user: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MYSQL", "REDIS"))}
    env["LC_ALL"] = "C.UTF-8"
    env["LANG"] = "C.UTF-8"
    if user is not None:
        entry = pwd.getpwnam(user)
        env["HOME"] = entry.pw_dir
        env["USER"] = env["LOGNAME"] = user
    return env


def _run(argv: Sequence[str], *, user: str | None = None, timeout: float = 120.0) -> str:
    """Run a helper command, returning its output or raising ServerStartError with it."""
    proc = subprocess.run(
        list(argv),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        user=user,
        env=_child_env(user),
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise ServerStartError(f"command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def _wait_until(ready: Callable[[], bool], process: _Process, what: str, timeout: float = _START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not process.alive():
            raise ServerStartError(
                f"{what} exited with code {process.popen.returncode} while starting:\n{process.log_tail()}"
            )
        try:
            if ready():
                return
        except (OSError, RespError, ServerStartError, subprocess.SubprocessError):
            pass
        if time.monotonic() > deadline:
            process.stop(signal.SIGKILL)
            raise ServerStartError(f"{what} did not become ready in {timeout:.0f}s:\n{process.log_tail()}")
        time.sleep(0.05)


def _sql_ready(run_sql: Callable[[str], str]) -> Callable[[], bool]:
    return lambda: run_sql("SELECT 1").strip() == "1"


def _port_in_use_error(process: _Process) -> bool:
    text = process.log_tail(60).lower()
    return "address already in use" in text or "could not bind" in text


# --------------------------------------------------------------------------- PostgreSQL


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_postgres_bindir() -> Path:
    """Return the directory with PostgreSQL's ``initdb``, ``postgres`` and ``psql``."""
    override = os.environ.get("JOINTINSPECT_PG_BINDIR")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    else:
        candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)]
        initdb = shutil.which("initdb")
        if initdb:
            candidates.append(Path(initdb).resolve().parent)
        candidates.append(Path("/usr/local/pgsql/bin"))
    for directory in candidates:
        if all((directory / exe).is_file() for exe in ("initdb", "postgres", "psql")):
            return directory
    raise ServerBinariesMissing(
        "PostgreSQL server binaries not found (initdb, postgres, psql): install postgresql or run scripts/test.sh"
    )


def _postgres_user() -> str | None:
    """Return the unprivileged user that runs PostgreSQL, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("JOINTINSPECT_PG_USER")
    for name in ([wanted] if wanted else []) + ["postgres", "nobody"]:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ServerStartError("running as root and no unprivileged user to run PostgreSQL")


class PostgresServer:
    """A running throwaway PostgreSQL cluster; superuser ``jointinspect``, trust auth."""

    user: Final = "jointinspect"
    database: Final = "jointinspect"

    def __init__(self, bindir: Path, port: int, base_dir: Path, process: _Process) -> None:
        self.bindir = bindir
        self.port = port
        self.base_dir = base_dir
        self._process = process
        self._counter = 0

    @property
    def pid(self) -> int:
        """Return the postmaster's process id."""
        return self._process.pid

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the default database (psycopg 3 driver)."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """Return the SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://{self.user}@{HOST}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with ``psql`` (unaligned, tuples only) and return its output."""
        return _run(
            [
                str(self.bindir / "psql"),
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", HOST, "-p", str(self.port), "-U", self.user, "-d", database,
                "-c", sql,
            ]
        )  # fmt: skip

    def create_database(self, name: str | None = None) -> str:
        """Create a new empty database (a unique name by default) and return its URL."""
        if name is None:
            self._counter += 1
            name = f"t{os.getpid()}_{self._counter}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name {name!r}")
        # template0 is never connected to, so copying it cannot fail on a busy template.
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url_for(name)

    def close(self) -> None:
        """Stop the server (immediate shutdown) and remove its directory."""
        self._process.stop()
        _remove_dir(self.base_dir)


def start_postgres(*, extra_args: Sequence[str] = ()) -> PostgresServer:
    """Initialise and start a PostgreSQL cluster and create database ``jointinspect``.

    ``extra_args`` go last on the ``postgres`` command line (later ``-c`` settings win)."""
    bindir = find_postgres_bindir()
    user = _postgres_user()
    base = _make_base_dir("pg")
    try:
        data, sockets = base / "data", base / "sock"
        sockets.mkdir()
        if user is not None:
            entry = pwd.getpwnam(user)
            for path in (base, sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        _run(
            [
                str(bindir / "initdb"), "-D", str(data), "-U", PostgresServer.user,
                "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
            ],
            user=user,
        )  # fmt: skip
        last_error: ServerStartError | None = None
        for _ in range(_PORT_ATTEMPTS):
            port = _free_port()
            process = _Process(
                [
                    str(bindir / "postgres"), "-D", str(data), "-p", str(port),
                    "-h", HOST, "-k", str(sockets),
                    # Durability is irrelevant for throwaway test data; speed is not.
                    "-c", "fsync=off", "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off", "-c", "max_connections=200",
                    "-c", "shared_buffers=64MB", "-c", "log_min_messages=warning",
                    *extra_args,
                ],
                base / "postgres.log",
                user=user,
                death_signal=signal.SIGQUIT,
                stop_signal=signal.SIGQUIT,  # immediate shutdown: nothing worth keeping
            )  # fmt: skip
            server = PostgresServer(bindir, port, base, process)
            try:
                _wait_until(
                    _sql_ready(server.psql),
                    process,
                    f"PostgreSQL on port {port}",
                )
            except ServerStartError as exc:
                process.stop(signal.SIGKILL)
                if _port_in_use_error(process):
                    last_error = exc
                    continue
                raise
            server.psql(f'CREATE DATABASE "{PostgresServer.database}"')
            return server
        raise last_error or ServerStartError("PostgreSQL did not start")
    except BaseException:
        _remove_dir(base)
        raise


# --------------------------------------------------------------------------- MariaDB


def _which(*names: str, extra_dirs: Sequence[str] = ("/usr/sbin", "/usr/bin")) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        for directory in extra_dirs:
            candidate = Path(directory) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def find_mariadb_binaries() -> tuple[str, str, str]:
    """Return the paths of ``mariadbd``, ``mariadb-install-db`` and the ``mariadb`` client."""
    server = _which("mariadbd", "mysqld")
    install = _which("mariadb-install-db", "mysql_install_db")
    client = _which("mariadb", "mysql")
    if server is None or install is None or client is None:
        raise ServerBinariesMissing(
            "MariaDB server binaries not found (mariadbd, mariadb-install-db, mariadb): "
            "install mariadb-server or run scripts/test.sh"
        )
    return server, install, client


class MariaDBServer:
    """A running throwaway MariaDB server; user ``root`` without password over TCP."""

    user: Final = "root"
    database: Final = "jointinspect"

    def __init__(self, client: str, port: int, base_dir: Path, process: _Process) -> None:
        self.client = client
        self.port = port
        self.base_dir = base_dir
        self._process = process
        self._counter = 0

    @property
    def pid(self) -> int:
        """Return the server's process id."""
        return self._process.pid

    @property
    def socket_path(self) -> Path:
        """Return the server's Unix socket (used for the initial, local-only setup)."""
        return self.base_dir / "mysqld.sock"

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the default database (PyMySQL driver)."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """Return the SQLAlchemy URL of ``database`` on this server."""
        return f"mysql+pymysql://{self.user}@{HOST}:{self.port}/{database}"

    def sql(self, sql: str, *, tcp: bool = True) -> str:
        """Run SQL with the ``mariadb`` client and return its tab-separated output."""
        where = (
            ["-h", HOST, "-P", str(self.port), "--protocol=TCP"]
            if tcp
            else ["-S", str(self.socket_path), "--protocol=SOCKET"]
        )
        return _run([self.client, "--no-defaults", *where, "-u", "root", "-N", "-B", "-e", sql])

    def create_database(self, name: str | None = None) -> str:
        """Create a new empty database (a unique name by default) and return its URL."""
        if name is None:
            self._counter += 1
            name = f"t{os.getpid()}_{self._counter}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name {name!r}")
        self.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return self.url_for(name)

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self._process.stop(signal.SIGKILL)
        _remove_dir(self.base_dir)


def start_mariadb() -> MariaDBServer:
    """Install a fresh data directory, start MariaDB and create database ``jointinspect``."""
    server_bin, install_bin, client = find_mariadb_binaries()
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    base = _make_base_dir("mariadb")
    try:
        data = base / "data"
        _run(
            [
                install_bin, "--no-defaults", f"--datadir={data}", *as_root,
                "--auth-root-authentication-method=normal", "--skip-test-db",
                "--skip-name-resolve",
            ]
        )  # fmt: skip
        last_error: ServerStartError | None = None
        for _ in range(_PORT_ATTEMPTS):
            port = _free_port()
            process = _Process(
                [
                    server_bin, "--no-defaults", f"--datadir={data}", *as_root,
                    f"--port={port}", f"--bind-address={HOST}",
                    f"--socket={base / 'mysqld.sock'}", f"--pid-file={base / 'mysqld.pid'}",
                    "--skip-name-resolve", "--skip-log-bin", "--max-connections=300",
                    "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                    # Speed over durability: throwaway data.
                    "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
                    "--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M",
                    "--innodb-use-native-aio=0", "--performance-schema=OFF",
                ],
                base / "mariadb.log",
            )  # fmt: skip
            server = MariaDBServer(client, port, base, process)
            try:
                _wait_until(
                    _sql_ready(functools.partial(server.sql, tcp=False)),
                    process,
                    f"MariaDB on port {port}",
                )
            except ServerStartError as exc:
                process.stop(signal.SIGKILL)
                if _port_in_use_error(process):
                    last_error = exc
                    continue
                raise
            # root@localhost exists; the tests connect over TCP from 127.0.0.1.
            server.sql(
                f"CREATE USER IF NOT EXISTS 'root'@'{HOST}';"
                f"GRANT ALL PRIVILEGES ON *.* TO 'root'@'{HOST}' WITH GRANT OPTION;"
                f"CREATE DATABASE `{MariaDBServer.database}` CHARACTER SET utf8mb4"
                " COLLATE utf8mb4_unicode_ci;",
                tcp=False,
            )
            return server
        raise last_error or ServerStartError("MariaDB did not start")
    except BaseException:
        _remove_dir(base)
        raise


# --------------------------------------------------------------------------- Redis


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
