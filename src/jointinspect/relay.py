"""The outbox relay: hands committed notifications to the notifier, at least once.

A notification is marked delivered only after ``notifier.send`` returned; a crash between
the two re-sends it next time, which the notifier absorbs by its idempotency key. A failing
send stops the batch so that order per outbox is kept.
"""

from __future__ import annotations

from jointinspect.model.notification import Notification
from jointinspect.ports import Notifier, Store


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
