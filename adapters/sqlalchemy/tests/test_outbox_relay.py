"""The outbox relay killed with SIGKILL mid-batch loses nothing and, to a deduplicating
receiver, sends nothing twice.

The relay runs in a child process whose notifier appends each key to a receiver file
(flushed and fsynced, as a remote receiver would have it) and kills its own process with
SIGKILL after the 25th send: inside the third batch of ten, after ``send`` returned and
before ``mark_delivered`` committed. A second relay then finishes the job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pendulum
from jointinspect_sqlalchemy import SQLStore

from jointinspect.model.notification import Notification, Role
from jointinspect.relay import deliver_pending

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
NOTES = 60
RELAY = textwrap.dedent(
    """
    import os, signal, sys
    from jointinspect.relay import deliver_pending
    from jointinspect_sqlalchemy import SQLStore

    url, received, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class FileReceiver:
        sent = 0
        def send(self, note):
            with open(received, "a") as f:
                f.write(note.key + "\\n")
                f.flush()
                os.fsync(f.fileno())
            self.sent += 1
            if self.sent == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

    deliver_pending(SQLStore(url), FileReceiver(), batch=10)
    """
)


class _Receiver:
    """The deduplicating receiver's second life, appending to the same file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, note: Notification) -> None:
        with self.path.open("a") as f:
            f.write(note.key + "\n")


def test_relay_killed_mid_batch(sql_store: SQLStore, sql_url: str, tmp_path: Path) -> None:
    keys = [f"note-{n:03d}" for n in range(NOTES)]
    with sql_store.unit_of_work() as uow:
        for key in keys:
            uow.outbox.add(Notification(key, "plan.filed", Role.SUPERVISOR, "judicial", key, T0))
        uow.commit()
    received = tmp_path / "received.txt"
    child = subprocess.run(
        [sys.executable, "-c", RELAY, sql_url, str(received), "25"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    first_life = received.read_text().split()
    assert first_life == keys[:25]
    with sql_store.unit_of_work() as uow:
        # Batches 1-2 were marked delivered; batch 3 was sent in part but never marked.
        assert [n.key for n in uow.outbox.pending(NOTES)] == keys[20:]
    assert deliver_pending(sql_store, _Receiver(received), batch=10) == NOTES - 20
    arrivals = received.read_text().split()
    assert set(arrivals) == set(keys)  # nothing lost
    assert len(arrivals) - len(set(arrivals)) == 5  # only the unmarked part of batch 3 repeats
    assert sorted(k for k in set(arrivals) if arrivals.count(k) > 1) == keys[20:25]
    with sql_store.unit_of_work() as uow:
        assert uow.outbox.pending(NOTES) == []
