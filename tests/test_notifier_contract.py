"""The collecting notifier passes the notifier contract suite (the suite's own check)."""

from __future__ import annotations

from jointinspect.model.notification import Notification
from jointinspect.ports import Notifier
from jointinspect.relay import CollectingNotifier
from jointinspect.testing.notifier import NotifierContract


class FailingFirst(CollectingNotifier):
    """Collects, after failing the next ``failures`` sends."""

    failures = 0

    def send(self, notification: Notification) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("down")
        super().send(notification)


class TestCollectingNotifier(NotifierContract):
    def make_notifier(self) -> Notifier:
        self.inbox = FailingFirst()
        return self.inbox

    def delivered(self) -> list[str]:
        return list(self.inbox.received)

    def break_next(self, sends: int) -> None:
        self.inbox.failures = sends
