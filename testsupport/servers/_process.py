"""Processes, ports and directories shared by the throwaway servers; the errors they raise."""

import contextlib
import ctypes
import os
import pwd
import random
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
