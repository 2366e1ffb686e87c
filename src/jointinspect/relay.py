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
  runs past the timeout counts as failed: it runs on a worker thread the relay stops
  waiting for (Python cannot kill it), so a slow notifier that finishes later may deliver
  the notification a second time — harmless to a receiver that deduplicates by key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import attrs
import pendulum

from jointinspect.model.notification import Notification
from jointinspect.ports import Notifier, Store

_log = logging.getLogger("jointinspect.relay")


def deliver_pending(store: Store, notifier: Notifier, batch: int = 100) -> int:
    """Deliver undelivered notifications in batches until none is left; return the count."""
    total = 0
    while True:
        with store.unit_of_work() as uow:
            pending = uow.outbox.pending(batch)
        if not pending:
            return total
        delivered: list[str] = []
        try:
            for note in pending:
                notifier.send(note)
                delivered.append(note.key)
        finally:
            if delivered:
                with store.unit_of_work() as uow:
                    uow.outbox.mark_delivered(delivered)
                    uow.commit()
                total += len(delivered)


@attrs.frozen
class DeliveryReport:
    """What one `relay` pass did.

    Attributes:
        delivered: notifications handed over and marked delivered.
        failed_key: the notification whose send failed (then left pending), if any.
        error: that send's error (``TimeoutError`` for a send past the timeout).
        retry_at: when that notification is due again.
    """

    delivered: int = 0
    failed_key: str | None = None
    error: BaseException | None = attrs.field(default=None, eq=False)
    retry_at: pendulum.DateTime | None = None


class SendTimeout(TimeoutError):
    """A send did not return within the relay's timeout."""


def send_within(notifier: Notifier, note: Notification, timeout: float) -> None:
    """``notifier.send(note)``, giving up after ``timeout`` seconds (0: wait for it).

    Raises:
        SendTimeout: the send is still running (it goes on in a daemon thread).
        Exception: whatever the send raised.
    """
    if timeout <= 0:
        notifier.send(note)
        return
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            notifier.send(note)
        except BaseException as exc:  # handed to the caller below
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, name=f"jointinspect-send-{note.key}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise SendTimeout(f"send of {note.key!r} still running after {timeout:g} s")
    if outcome[0] is not None:
        raise outcome[0]


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
    ``n``-th consecutive failure of one notification."""
    total = 0
    while True:
        with store.unit_of_work() as uow:
            pending = uow.outbox.pending(batch, now)
        if not pending:
            return DeliveryReport(total)
        delivered: list[str] = []
        failure: tuple[Notification, BaseException] | None = None
        for note in pending:
            try:
                send_within(notifier, note, timeout)
            except Exception as exc:
                failure = (note, exc)
                break
            delivered.append(note.key)
        with store.unit_of_work() as uow:
            if delivered:
                uow.outbox.mark_delivered(delivered)
            if failure is not None:
                attempts = uow.outbox.attempts(failure[0].key) + 1
                retry_at = now + backoff(attempts)
                uow.outbox.mark_failed(failure[0].key, retry_at)
            uow.commit()
        total += len(delivered)
        if failure is not None:
            failed, error = failure
            _log.warning(
                "delivery of %s failed (attempt %d), retry at %s: %r",
                failed.key,
                attempts,
                retry_at,
                error,
                exc_info=error,
            )
            return DeliveryReport(total, failed.key, error, retry_at)


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
