"""SQLite: half of a bulk filing's WAL checkpoints run beside the next chunk (issue 11).

A bulk-filing chunk writes ~1,900 pages to the write-ahead log, more than SQLite's
automatic checkpoint threshold (1,000 pages), so each chunk's commit copied its pages to
the database file before the next chunk could start: ~2.4 s of a 100,000-plan filing.
Raising the threshold or the page cache did not help (the same pages copied either way).

Here the commits of bulk chunks (units of work that held their writes) take turns, in
rounds of `CLOSING_EVERY`:

* a *background* turn commits without checkpointing, and a thread of the store copies
  that chunk's frames with its own connection (``PRAGMA wal_checkpoint(PASSIVE)``) while
  the next chunk is filed;
* the round's last, *closing*, turn commits (with the automatic checkpoint, which copies
  its own frames), waits for that thread (its work is usually done by then), then
  checkpoints whatever is left itself.

A checkpoint running beside the writer can never let SQLite restart the log (a writer
restarts it only when it began reading while every frame was copied), so checkpointing
every chunk in the background let the WAL grow to 627 MB at 100,000 plans; a closing turn
leaves it wholly copied before the next chunk begins, which bounds it to about a round of
chunks. Only the closing turns copy frames while the filing waits: at 100,000 plans their
commits took 0.9 s in rounds of two chunks (18 ms each, the background turns' 1.8 ms),
which rounds of eight cut to about a quarter, for a log of at most about 60 MB. Only file
databases in WAL mode use it; the thread starts on the first bulk commit and stops in
`SQLStore.close`. Other units of work keep SQLite's automatic
checkpoint, and nothing here changes what a commit makes durable: every frame is in the
log when the commit returns.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

#: SQLite's automatic checkpoint threshold (pages), restored after a background turn.
DEFAULT_AUTOCHECKPOINT = 1_000

#: Bulk chunks per round: the last checkpoints before the next begins (see the module
#: documentation); the WAL holds at most about this many chunks' frames.
CLOSING_EVERY = 8


class Checkpointer:
    """The background checkpoints of one SQLite file database (see the module documentation)."""

    def __init__(self, path: str, closing_every: int = CLOSING_EVERY) -> None:
        if closing_every < 1:
            raise ValueError(f"closing_every must be at least 1, not {closing_every}")
        self._path = path
        self._closing_every = closing_every
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        # Background checkpoints asked for and done: one asked while another runs gets a
        # run of its own (the frames of its chunk came after the running one began).
        self._asked = 0
        self._done = 0
        self._stopping = False
        self._turns = 0  # bulk commits so far: their place in the round
        self._thread: threading.Thread | None = None  # the running one
        self._started: list[threading.Thread] = []  # every one started (joined on close)
        #: checkpoints run by the thread, and by closing turns (for tests and reports).
        self.background_runs = 0
        self.closing_runs = 0

    def commit(self, dbapi_connection: Any, commit: Callable[[], None]) -> None:
        """Run ``commit()`` (a bulk chunk's commit on ``dbapi_connection``) in its turn."""
        with self._lock:
            self._turns += 1
            background = self._turns % self._closing_every != 0 and not self._stopping
        if not background:
            commit()
            with self._lock:  # the frames before this chunk copied (waited for after the
                while self._done < self._asked:  # commit: the write lock is not held meanwhile)
                    self._wake.wait()
            # What the automatic checkpoint does after a commit; best effort like it (a
            # reader's snapshot or another checkpoint only leaves frames for later).
            with contextlib.suppress(sqlite3.Error):
                dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            with self._lock:
                self.closing_runs += 1
            return
        dbapi_connection.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            commit()
        finally:
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_AUTOCHECKPOINT}")
        with self._lock:
            self._start()
            self._asked += 1
            self._wake.notify_all()

    def _start(self) -> None:
        """Start the thread on first use (under the lock)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="jointinspect-wal-checkpoint", daemon=True)
            self._started.append(self._thread)
            self._thread.start()

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while True:
                with self._lock:
                    while self._done == self._asked and not self._stopping:
                        self._wake.wait()
                    if self._done == self._asked:
                        return  # stopping with nothing asked
                    asked = self._asked
                with contextlib.suppress(sqlite3.Error):  # best effort, as after a commit
                    if connection is None:
                        connection = sqlite3.connect(self._path, isolation_level=None)
                    self._checkpoint(connection)
                with self._lock:
                    self._done = asked
                    self.background_runs += 1
                    self._wake.notify_all()
        finally:
            with self._lock:  # a closing turn never waits for a thread that is gone
                self._done = self._asked
                self._thread = None
                self._wake.notify_all()
            if connection is not None:
                connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        """The background checkpoint (a method, so a test can slow it down)."""
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        """Finish the checkpoint asked for, if any, and stop the thread."""
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
            started, self._started = self._started, []
        for thread in started:
            if thread is not threading.current_thread():  # a finalizer may run on it
                thread.join()
