"""The notifier contract suite: what every `Notifier` must do for the outbox relay.

Subclass `NotifierContract` in a pytest module, override the ``notifier`` fixture (or
`make_notifier`) and `delivered`, which reports what the receiving side applied::

    from jointinspect.testing.notifier import NotifierContract

    class TestMyNotifier(NotifierContract):
        def make_notifier(self):
            self.inbox = MyInbox()
            return MyNotifier(self.inbox)

        def delivered(self):
            return self.inbox.applied_keys()

Override `break_next` to let the suite make the next sends fail transiently; without it the
failure test is skipped. The suite checks keyed, at-least-once delivery: one send is applied
once, a second send of the same key has no effect, every catalogued kind is accepted, and
through `jointinspect.relay.deliver_pending` every notification is applied exactly once even
when the relay re-sends after a crash or a failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pendulum
import pytest

from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification, Role
from jointinspect.notices import CATALOGUE, Field
from jointinspect.ports import Notifier, Store
from jointinspect.relay import deliver_pending

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")

_SAMPLE = {
    Field.TEXT: "现场检查记录",
    Field.ID: "ID-0001",
    Field.NUMBER: "3",
    Field.TIME: "2026-03-10T01:30:00+00:00",
    Field.ENTERPRISE: "91370600000000001X",
    Field.DEPARTMENT: "SCJG",
    Field.DEPARTMENTS: "SCJG,XFJY",
    Field.INSPECTOR: "SCJG-I01",
    Field.ITEM: "SCJG-01",
    Field.KIND: "routine",
    Field.REASON: "no_scan",
    Field.RATER: "anonymous",
}


def sample_notification(kind: str, key: str | None = None) -> Notification:
    """A notification of a catalogued ``kind`` with a value for each payload key."""
    notice = CATALOGUE[kind]
    return Notification(
        key=key or f"{kind}:sample",
        kind=kind,
        role=notice.roles[0] if notice.roles else Role.SUPERVISOR,
        recipient="SCJG" if notice.roles and notice.roles[0] is Role.DEPARTMENT else "judicial",
        subject=_SAMPLE[notice.subject_field],
        at=T0,
        payload={k: _SAMPLE[f] for k, f in notice.fields.items()},
    )


class _CrashAfter:
    """Sends, then fails every ``every``-th time as if the process died before marking."""

    def __init__(self, inner: Notifier, every: int) -> None:
        self.inner, self.every, self.count = inner, every, 0

    def send(self, notification: Notification) -> None:
        self.inner.send(notification)
        self.count += 1
        if self.count % self.every == 0:
            raise RuntimeError("crashed before the relay marked it delivered")


class NotifierContract:
    """Base class of the notifier contract tests."""

    def make_notifier(self) -> Notifier:
        """Return a notifier delivering to a fresh receiving side (override)."""
        raise NotImplementedError

    def delivered(self) -> list[str]:
        """Keys the receiving side applied, once per application, in order (override)."""
        raise NotImplementedError

    def break_next(self, sends: int) -> None:
        """Make the next ``sends`` sends fail transiently (override to enable the test)."""
        pytest.skip("this notifier's suite cannot inject failures")

    @pytest.fixture
    def notifier(self) -> Iterator[Notifier]:
        """The notifier under test (closed afterwards when it has ``close``)."""
        made = self.make_notifier()
        yield made
        close = getattr(made, "close", None)
        if callable(close):
            close()

    def _store_with(self, notes: list[Notification]) -> Store:
        store = MemoryStore()
        with store.unit_of_work() as uow:
            for n in notes:
                uow.outbox.add(n)
            uow.commit()
        return store

    def _pending(self, store: Store) -> list[Notification]:
        with store.unit_of_work() as uow:
            return uow.outbox.pending(1_000_000)

    def test_one_send_is_applied_once(self, notifier: Notifier) -> None:
        note = sample_notification("plan.filed")
        notifier.send(note)
        assert self.delivered() == [note.key]

    def test_a_second_send_of_a_key_has_no_effect(self, notifier: Notifier) -> None:
        note = sample_notification("plan.approved")
        notifier.send(note)
        notifier.send(note)
        assert self.delivered() == [note.key]

    def test_every_catalogued_kind_is_accepted(self, notifier: Notifier) -> None:
        notes = [sample_notification(kind, f"{kind}:{n}") for n, kind in enumerate(sorted(CATALOGUE))]
        for note in notes:
            notifier.send(note)
        assert Counter(self.delivered()) == Counter(n.key for n in notes)

    def test_the_relay_applies_each_notification_once_across_crashes(self, notifier: Notifier) -> None:
        kinds = sorted(CATALOGUE)
        notes = [sample_notification(kinds[n % len(kinds)], f"relay:{n:03d}") for n in range(25)]
        store = self._store_with(notes)
        crashing = _CrashAfter(notifier, every=4)
        for _ in range(50):
            if not self._pending(store):
                break
            try:
                deliver_pending(store, crashing, batch=7)
            except RuntimeError:
                continue
        assert self._pending(store) == []
        applied = Counter(self.delivered())
        assert set(applied) == {n.key for n in notes}
        assert max(applied.values()) == 1

    def test_a_failed_send_stays_pending_and_is_delivered_later(self, notifier: Notifier) -> None:
        notes = [sample_notification("complaint.filed", f"fail:{n}") for n in range(3)]
        store = self._store_with(notes)
        self.break_next(1)
        with pytest.raises(Exception):  # noqa: B017 - any error keeps it pending; the type is the notifier's
            deliver_pending(store, notifier)
        assert notes[0].key in {n.key for n in self._pending(store)}
        assert deliver_pending(store, notifier) >= 1
        assert self._pending(store) == []
        assert Counter(self.delivered()) == Counter(n.key for n in notes)
