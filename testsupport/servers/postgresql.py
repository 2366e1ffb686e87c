"""A throwaway PostgreSQL cluster (initdb, postgres, psql from the system packages)."""

import glob
import os
import pwd
import re
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from testsupport.servers._process import (
    _PORT_ATTEMPTS,
    HOST,
    ServerBinariesMissing,
    ServerStartError,
    _free_port,
    _make_base_dir,
    _port_in_use_error,
    _Process,
    _remove_dir,
    _run,
    _sql_ready,
    _wait_until,
)


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


def _owned_by(user: str | None, *paths: Path) -> None:
    """Hand ``paths`` to ``user``, the account PostgreSQL runs as (it refuses root)."""
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)


def _cluster_dirs(base: Path, user: str | None) -> tuple[Path, Path]:
    """The data directory (not created: initdb or pg_basebackup does) and the socket
    directory of a cluster under ``base``, both usable by ``user``."""
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    _owned_by(user, base, sockets)
    return data, sockets


def start_postgres(*, extra_args: Sequence[str] = ()) -> PostgresServer:
    """Initialise and start a PostgreSQL cluster and create database ``jointinspect``.

    ``extra_args`` go last on the ``postgres`` command line (later ``-c`` settings win)."""
    bindir = find_postgres_bindir()
    user = _postgres_user()
    base = _make_base_dir("pg")
    try:
        data, sockets = _cluster_dirs(base, user)
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
