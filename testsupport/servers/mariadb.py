"""A throwaway MariaDB server (mariadb-install-db, mariadbd, mariadb from the system packages)."""

import functools
import os
import re
import signal
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
    _which,
)


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
