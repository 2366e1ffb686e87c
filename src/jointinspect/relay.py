"""The outbox relay: hands committed notifications to the notifier, at least once.

A notification is marked delivered only after ``notifier.send`` returned; a crash between
the two re-sends it next time, which the notifier absorbs by its idempotency key.

Two entry points:

* `deliver_pending` — the plain loop: a failing send stops it and its error propagates
  (what the notifier contract suite drives).
* `relay` — what the engine runs: it never raises the notifier's error. A failed send is
  logged, counted on its outbox row and retried after an exponential, capped backoff
  (`jointinspect.policy.schema.DeliveryPolicy`); the first failure ends the pass, so a
  notifier that is down costs one attempt (at most one timeout) per call. A send that
  runs past the timeout counts as failed: it runs on a sending thread the relay stops
  waiting for (Python cannot kill it), so a slow notifier that finishes later may deliver
  the notification a second time — harmless to a receiver that deduplicates by key.
  The sending thread is reused (one per calling thread), so the timeout costs a hand-off
  per pass, not a thread per send.

Some outbox rows are *bundles* (`jointinspect.notices.bundles`: the licence sweep queues one
per page): both entry points expand each into its notifications and send those, in order;
the notifier never receives a bundle. A bundle's row is marked delivered only when every
notification in it was sent. When one of them fails, the bundle stays pending (in `relay`,
its attempt is counted and deferred like any failed row) and its next attempt sends it
whole again: the notifications already sent arrive a second time, which the notifier
absorbs by their keys. A bundle that cannot be expanded fails like a send. Rows are sent in
rounds of about ``batch`` notifications (a bundle is never split), so memory stays bounded
however large the bundles.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable, Iterator

import attrs
import pendulum

from jointinspect.model.notification import Notification
from jointinspect.notices.bundles import expand
from jointinspect.ports import Notifier, Store

_log = logging.getLogger("jointinspect.relay")


@attrs.frozen
class _Round:
    """Consecutive outbox rows and the notifications they stand for (bundles expanded).

    ``ends[i]`` is how many of ``notes`` the rows up to ``rows[i]`` give: row ``i`` is
    wholly sent once that many notifications were. ``broken`` is the row after ``rows``
    whose bundle could not be expanded, with the error, if any.
    """

    rows: list[Notification]
    notes: list[Notification]
    ends: list[int]
    broken: tuple[Notification, Exception] | None = None

    def settled(self, sent: int) -> int:
        """How many of ``rows`` are wholly sent when the first ``sent`` notes were."""
        count = 0
        for end in self.ends:
            if end > sent:
                break
            count += 1
        return count


def _rounds(rows: list[Notification], size: int) -> Iterator[_Round]:
    """``rows`` in rounds of at least ``size`` notifications (the last may have fewer): a
    bundle is expanded when its round is built, never split across rounds."""
    taken: list[Notification] = []
    notes: list[Notification] = []
    ends: list[int] = []
    for row in rows:
        try:
            members = expand(row)
        except Exception as exc:  # a damaged bundle fails like a send, after the rows before it
            yield _Round(taken, notes, ends, (row, exc))
            return
        if members is None:
            notes.append(row)
        else:
            notes.extend(members)
        taken.append(row)
        ends.append(len(notes))
        if len(notes) >= size:
            yield _Round(taken, notes, ends)
            taken, notes, ends = [], [], []
    if taken:
        yield _Round(taken, notes, ends)


def deliver_pending(store: Store, notifier: Notifier, batch: int = 100) -> int:
    """Deliver undelivered notifications in batches until none is left; return how many
    notifications were handed over in rows marked delivered (a bundle counts as its
    members). A failing send stops it and its error propagates; a bundle it interrupted
    stays pending and is sent whole next time (see the module docstring)."""
    total = 0
    while True:
        with store.unit_of_work() as uow:
            pending = uow.outbox.pending(batch)
        if not pending:
            return total
        for chunk in _rounds(pending, batch):
            sent = 0
            try:
                for note in chunk.notes:
                    notifier.send(note)
                    sent += 1
                if chunk.broken is not None:
                    raise chunk.broken[1]
            finally:
                settled = chunk.settled(sent)
                if settled:
                    with store.unit_of_work() as uow:
                        uow.outbox.mark_delivered([row.key for row in chunk.rows[:settled]])
                        uow.commit()
                    total += chunk.ends[settled - 1]


@attrs.frozen
class DeliveryReport:
    """What one `relay` pass did.

    Attributes:
        delivered: notifications handed over in rows marked delivered (a bundle counts as
            its members).
        failed_key: the outbox row whose send failed (then left pending), if any: the
            notification itself, or the bundle holding it.
        error: that send's error (``TimeoutError`` for a send past the timeout).
        retry_at: when that notification is due again.
    """

    delivered: int = 0
    failed_key: str | None = None
    error: BaseException | None = attrs.field(default=None, eq=False)
    retry_at: pendulum.DateTime | None = None


class SendTimeout(TimeoutError):
    """A send did not return within the relay's timeout."""


_workers = threading.local()


def _worker() -> concurrent.futures.ThreadPoolExecutor:
    """The calling thread's sending thread, started once and reused (a thread per send
    would cost more than the operation that queued the notification)."""
    found: concurrent.futures.ThreadPoolExecutor | None = getattr(_workers, "pool", None)
    if found is None:
        found = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="jointinspect-send")
        _workers.pool = found
    return found


Failure = tuple[Notification, Exception]


def send_all(notifier: Notifier, notes: list[Notification], timeout: float) -> tuple[list[str], Failure | None]:
    """Send ``notes`` in order until one fails; return the keys sent and the failure.

    With ``timeout`` > 0 the sends run on the calling thread's sending thread and each may
    take at most ``timeout`` seconds: a send still running then fails with `SendTimeout`,
    its thread is abandoned (it finishes that send on its own, then stops) and the next
    call gets a fresh one.
    """
    if timeout <= 0:
        sent: list[str] = []
        for note in notes:
            try:
                notifier.send(note)
            except Exception as exc:
                return sent, (note, exc)
            sent.append(note.key)
        return sent, None
    results: queue.SimpleQueue[tuple[Notification, Exception | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def job() -> None:
        for note in notes:
            if stop.is_set():
                return
            try:
                notifier.send(note)
            except Exception as exc:  # reported to the waiting relay
                results.put((note, exc))
                return
            results.put((note, None))

    pool = _worker()
    pool.submit(job)
    delivered: list[str] = []
    for note in notes:
        try:
            done, error = results.get(timeout=timeout)
        except queue.Empty:
            stop.set()
            _workers.pool = None
            pool.shutdown(wait=False)
            return delivered, (note, SendTimeout(f"send of {note.key!r} still running after {timeout:g} s"))
        if error is not None:
            return delivered, (done, error)
        delivered.append(done.key)
    return delivered, None


def relay(
    store: Store,
    notifier: Notifier,
    *,
    now: pendulum.DateTime,
    backoff: Callable[[int], pendulum.Duration],
    timeout: float = 0.0,
    batch: int = 100,
) -> DeliveryReport:
    """Deliver due notifications until none is left or a send fails; never raises the
    notifier's error (see the module docstring). ``backoff(n)`` is the delay after the
    ``n``-th consecutive failure of one outbox row (a bundle fails as a whole)."""
    total = 0
    while True:
        with store.unit_of_work() as uow:
            pending = uow.outbox.pending(batch, now)
        if not pending:
            return DeliveryReport(total)
        for chunk in _rounds(pending, batch):
            sent, failure = send_all(notifier, chunk.notes, timeout)
            settled = chunk.settled(len(sent))
            failed: tuple[Notification, Notification, BaseException] | None = None
            if failure is not None:  # the row holding the failed notification
                failed = (chunk.rows[settled], failure[0], failure[1])
            elif chunk.broken is not None:
                failed = (chunk.broken[0], chunk.broken[0], chunk.broken[1])
            with store.unit_of_work() as uow:
                if settled:
                    uow.outbox.mark_delivered([row.key for row in chunk.rows[:settled]])
                if failed is not None:
                    attempts = uow.outbox.attempts(failed[0].key) + 1
                    retry_at = now + backoff(attempts)
                    uow.outbox.mark_failed(failed[0].key, retry_at)
                uow.commit()
            total += chunk.ends[settled - 1] if settled else 0
            if failed is not None:
                row, note, error = failed
                inside = "" if note is row else f" (in bundle {row.key})"
                _log.warning(
                    "delivery of %s%s failed (attempt %d), retry at %s: %r",
                    note.key,
                    inside,
                    attempts,
                    retry_at,
                    error,
                    exc_info=error,
                )
                return DeliveryReport(total, row.key, error, retry_at)


class CollectingNotifier:
    """A notifier that keeps what it receives, deduplicated by key (tests, demos)."""

    def __init__(self) -> None:
        self.received: dict[str, Notification] = {}
        self.sends = 0

    def send(self, notification: Notification) -> None:
        """Keep the notification unless its key was seen (a re-send has no effect)."""
        self.sends += 1
        self.received.setdefault(notification.key, notification)

    def of_kind(self, kind: str) -> list[Notification]:
        """Received notifications of one kind, in arrival order."""
        return [n for n in self.received.values() if n.kind == kind]
