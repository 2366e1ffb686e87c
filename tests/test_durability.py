"""Delivery that fails safe, signed audit anchors and pruning, through the engine (issue 9).

Notifiers here fail on purpose: one that raises, one that hangs past the relay's timeout,
one that succeeds after N failures. Whatever they do, an operation returns normally once
it committed, nothing is lost and a deduplicating receiver applies each key once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import attrs
import pendulum
import pytest

from jointinspect.audit import Anchor, AuditEntry, AuditHead, AuditRecord, verify, verify_log
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import AuditChainBroken, DeliveryFailed, Forbidden, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.notification import Notification
from jointinspect.policy.schema import AuditPolicy, DeliveryPolicy, MaintenancePolicy, Policy
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate
from jointinspect.testing.tamper import _recompute

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=6, departments=2)
SEED = b"durability-tests-signing-seed-32"
SYSTEM = Principal.system("scheduler")
FAST_TIMEOUT = 0.05  # seconds a hanging send is waited for (the test never measures it)


class Flaky:
    """Fails its first ``failures`` sends, then hands over to a deduplicating receiver."""

    def __init__(self, failures: int, error: type[Exception] = ConnectionError) -> None:
        self.failures, self.error = failures, error
        self.receiver = CollectingNotifier()
        self.calls = 0

    def send(self, notification: Notification) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error("channel down")
        self.receiver.send(notification)


class Hanging:
    """The first send blocks until released (past the relay's timeout), then delivers."""

    def __init__(self) -> None:
        self.release, self.finished = threading.Event(), threading.Event()
        self.receiver = CollectingNotifier()
        self.calls = 0

    def send(self, notification: Notification) -> None:
        self.calls += 1
        if self.calls == 1:
            self.release.wait(30)
            self.receiver.send(notification)
            self.finished.set()
            return
        self.receiver.send(notification)


def make(notifier: object, policy: Policy | None = None, **kwargs: object) -> tuple[Engine, FixedClock]:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    eng = Engine(
        store=MemoryStore(),
        policy=policy or Policy(),
        clock=clock,
        notifier=None,
        keys=MemoryKeyStore.from_seed(SEED),
        ids=lambda: f"id{next(counter):04d}",
        **kwargs,  # type: ignore[arg-type]
    )
    populate(eng, CITY)
    eng.notifier = notifier  # type: ignore[assignment]  # after the reference data
    return eng, clock


def file(eng: Engine, n: int) -> FilingOutcome:
    """File a plan for enterprise ``n`` (the call the issue's repro retried)."""
    start = eng.clock.now().add(days=21 + n)
    request = PlanRequest(
        CITY.enterprises[n].credit_code,
        "SCJG",
        start,
        start.add(hours=8),
        items=("SCJG-01",),
        inspectors=("SCJG-I01", "SCJG-I02"),
    )
    return eng.file_plan(request, by=Principal.officer("SCJG"))


def pending(eng: Engine) -> list[str]:
    with eng.store.unit_of_work() as uow:
        return [n.key for n in uow.outbox.pending(1000)]


def plans_of(eng: Engine, n: int) -> int:
    with eng.store.unit_of_work() as uow:
        return len(uow.plans.for_enterprise(CITY.enterprises[n].credit_code))


# --- delivery ------------------------------------------------------------------------------


def test_a_raising_notifier_never_makes_a_committed_operation_raise() -> None:
    notifier = Flaky(failures=10**9)
    eng, _ = make(notifier)
    outcome = file(eng, 0)  # the repro raised ConnectionError here, after commit
    assert outcome.plan.id and plans_of(eng, 0) == 1
    assert pending(eng) and notifier.receiver.received == {}
    with eng.store.unit_of_work() as uow:
        assert uow.outbox.attempts(pending(eng)[0]) == 1
    # A caller has no reason to retry, so no duplicate plan; another filing also succeeds.
    file(eng, 1)
    assert plans_of(eng, 0) == 1 and plans_of(eng, 1) == 1


def test_deliver_notifications_reports_a_failure_only_when_called_directly() -> None:
    notifier = Flaky(failures=10**9)
    eng, clock = make(notifier, auto_deliver=False)
    file(eng, 0)
    waiting = pending(eng)
    for n in range(len(waiting)):  # each call tries one notification, the first not yet tried
        with pytest.raises(DeliveryFailed) as info:
            eng.deliver_notifications(by=Principal.system())
        assert info.value.code == "notify.failed" and info.value.details["key"] == waiting[n]
    calls = notifier.calls
    assert eng.deliver_notifications(by=Principal.system()) == 0 and notifier.calls == calls  # none due yet: none tried
    assert pending(eng) == waiting  # nothing lost
    clock.advance(seconds=Policy().delivery.backoff(1).total_seconds())
    with pytest.raises(DeliveryFailed):
        eng.deliver_notifications(by=Principal.system())
    assert notifier.calls == calls + 1
    with eng.store.unit_of_work() as uow:
        assert uow.outbox.attempts(waiting[0]) == 2 and uow.outbox.attempts(waiting[-1]) == 1


def test_a_notifier_that_succeeds_after_n_failures_delivers_everything_once() -> None:
    policy = Policy(delivery=DeliveryPolicy(backoff_seconds=10, backoff_cap_seconds=40))
    notifier = Flaky(failures=4)
    eng, clock = make(notifier, policy)
    for n in range(3):
        file(eng, n)  # never raises
    expected = set(pending(eng)) | set(notifier.receiver.received)
    retry_delays = []
    for _ in range(20):
        if not pending(eng):
            break
        try:
            eng.deliver_notifications(by=Principal.system())
        except DeliveryFailed:
            with eng.store.unit_of_work() as uow:
                retry_delays.append(uow.outbox.attempts(pending(eng)[0]))
            clock.advance(seconds=40)
    assert pending(eng) == []
    assert set(notifier.receiver.received) == expected and len(expected) >= 3
    assert notifier.receiver.sends == len(expected)  # nothing delivered twice
    assert [policy.delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 40, 40]


def test_a_hanging_notifier_does_not_hold_the_operation_and_is_deduplicated() -> None:
    notifier = Hanging()
    policy = Policy(delivery=DeliveryPolicy(send_timeout_seconds=FAST_TIMEOUT))
    eng, clock = make(notifier, policy)
    outcome = file(eng, 0)  # returns although the send is still running
    assert plans_of(eng, 0) == 1 and outcome.plan.id
    stuck = pending(eng)
    assert stuck and notifier.receiver.received == {}
    notifier.release.set()
    assert notifier.finished.wait(30)  # the hung send completes late...
    clock.advance(hours=2)
    eng.deliver_notifications(by=Principal.system())  # ...and the retry re-sends it: the receiver applies it once
    assert pending(eng) == []
    assert set(notifier.receiver.received) >= set(stuck)
    assert notifier.receiver.sends == len(notifier.receiver.received) + 1  # one re-send, absorbed


def test_any_notifier_error_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    eng, _ = make(_Exploding())
    file(eng, 0)
    assert plans_of(eng, 0) == 1
    assert any(r.name == "jointinspect.relay" and "failed" in r.getMessage() for r in caplog.records)


class _Exploding:
    def send(self, notification: Notification) -> None:
        raise RuntimeError("boom")


# --- anchors -------------------------------------------------------------------------------


def test_anchor_on_demand_goes_to_the_supervisor_and_detects_a_rewrite() -> None:
    receiver = CollectingNotifier()
    eng, _ = make(receiver)
    file(eng, 0)
    anchor = eng.anchor_audit(by=SYSTEM)
    [note] = receiver.of_kind("audit.anchor")
    assert note.role.value == "supervisor" and Anchor.from_dict(note.data() | {"seq": anchor.seq}) == anchor
    with eng.store.unit_of_work() as uow:
        head = uow.audit.head()
    assert (anchor.seq, anchor.hash) == (head.seq, head.hash)
    assert eng.verify_audit(anchors=[anchor], expected_head=head, by=SYSTEM) == head.seq
    # Someone with database access rewrites an entry, re-hashes the chain and the head row:
    # the chain and the head agree with each other, only the signed anchor does not.
    tables = eng.store._tables  # type: ignore[attr-defined]
    rows = [tables.audit.rows[s] for s in sorted(tables.audit.rows)]
    new_rows, new_head = _recompute(True)(list(rows), head)
    tables.audit.rows = {int(str(r.seq)): r for r in new_rows}
    tables.audit_head.rows["head"] = new_head
    assert eng.verify_audit(by=SYSTEM) == head.seq  # undetectable without the anchor
    with pytest.raises(AuditChainBroken):
        eng.verify_audit(anchors=[anchor], by=SYSTEM)
    forged = attrs.evolve(anchor, hash=str(new_rows[-1].hash))  # re-signing needs the key
    with pytest.raises(AuditChainBroken) as info:
        eng.verify_audit(anchors=[forged], by=SYSTEM)
    assert info.value.code == "audit.anchor_invalid"


def test_anchors_every_n_entries_to_a_sink_of_the_integrators_choice() -> None:
    class Sink:
        def __init__(self) -> None:
            self.anchors: list[Anchor] = []

        def publish(self, anchor: Anchor) -> None:
            self.anchors.append(anchor)

    sink = Sink()
    eng, _ = make(CollectingNotifier(), Policy(audit=AuditPolicy(anchor_every=5)), anchor_sink=sink)
    ends = []  # the last entry of each filing
    for n in range(4):
        file(eng, n)
        with eng.store.unit_of_work() as uow:
            ends.append(uow.audit.head().seq)
    with eng.store.unit_of_work() as uow:
        head = uow.audit.head()
        entries = list(uow.audit.iter_entries())
    # One anchor per operation that crossed a multiple of 5, naming its last entry
    # (reference data added one entry per operation: entries 5, 10, 15, 20).
    starts = [e + 1 for e in [ends[0] - 2, *ends[:-1]]]
    crossing = [end for start, end in zip(starts, ends, strict=True) if end // 5 > (start - 1) // 5]
    assert [a.seq for a in sink.anchors] == [5, 10, 15, 20, *crossing]
    by_seq = {e.seq: e.hash for e in entries}
    assert all(by_seq[a.seq] == a.hash for a in sink.anchors)
    assert verify(entries, head=head, anchors=sink.anchors, keys=eng.keys) == head.seq


def test_default_anchors_every_n_entries_are_notifications() -> None:
    receiver = CollectingNotifier()
    eng, _ = make(receiver, Policy(audit=AuditPolicy(anchor_every=3)))
    for n in range(3):
        file(eng, n)
    anchors = [Anchor.from_dict({**n.data(), "seq": int(n.data()["seq"])}) for n in receiver.of_kind("audit.anchor")]
    assert anchors and eng.verify_audit(anchors=anchors, by=SYSTEM) > 0


def test_anchor_audit_needs_a_maintainer_and_a_key_store() -> None:
    eng, _ = make(CollectingNotifier())
    with pytest.raises(Forbidden):
        eng.anchor_audit(by=Principal.enterprise(CITY.enterprises[0].credit_code))
    eng.keys = None
    with pytest.raises(ValidationError):
        eng.anchor_audit(by=SYSTEM)


def test_expected_head_from_outside_detects_entries_forged_after_it() -> None:
    eng, _ = make(CollectingNotifier())
    file(eng, 0)
    with eng.store.unit_of_work() as uow:
        head = uow.audit.head()
    file(eng, 1)
    with pytest.raises(AuditChainBroken):
        eng.verify_audit(expected_head=(head.seq, head.hash), by=SYSTEM)
    with eng.store.unit_of_work() as uow:
        now_head = uow.audit.head()
    assert eng.verify_audit(expected_head=AuditHead(now_head.seq, now_head.hash), by=SYSTEM) == now_head.seq


# --- pruning -------------------------------------------------------------------------------


def test_prune_forgets_old_delivered_rows_and_expired_keys_only() -> None:
    eng, clock = make(CollectingNotifier())
    file(eng, 0)
    guard = eng.store.replay_guard()
    assert guard.consume("old", clock.now().add(hours=1), clock.now())
    clock.advance(days=100)
    file(eng, 1)
    assert guard.consume("live", clock.now().add(days=1), clock.now())
    with eng.store.unit_of_work() as uow:
        total = len(uow.outbox._t.outbox.rows)  # type: ignore[attr-defined]
    report = eng.prune(by=SYSTEM)
    assert report.before == clock.now() - Policy().maintenance.retention
    assert report.replay_keys == 1 and 0 < report.outbox < total
    assert eng.prune(by=SYSTEM).outbox == 0
    assert not guard.consume("live", clock.now().add(days=1), clock.now())


def test_prune_is_bounded_and_authorized() -> None:
    eng, _ = make(CollectingNotifier())
    with pytest.raises(ValidationError):
        eng.prune(by=SYSTEM, retention=pendulum.duration(hours=1))
    with pytest.raises(ValidationError):
        eng.prune(by=SYSTEM, retention=pendulum.duration(days=10_000))
    with pytest.raises(Forbidden):
        eng.prune(by=Principal.inspector("SCJG-I01", department="SCJG"))
    with pytest.raises(ValueError):
        MaintenancePolicy(retention_days=0)


def test_prune_on_the_way_every_n_operations() -> None:
    policy = Policy(maintenance=MaintenancePolicy(retention_days=1, prune_every=2))
    eng, clock = make(CollectingNotifier(), policy)
    file(eng, 0)
    clock.advance(days=30)
    file(eng, 1)
    file(eng, 2)
    with eng.store.unit_of_work() as uow:
        delivered_old = [
            k
            for k, (_, n, done) in uow.outbox._t.outbox.rows.items()  # type: ignore[attr-defined]
            if done and n.at < clock.now().subtract(days=1)
        ]
    assert delivered_old == []


# --- verification under concurrent appends --------------------------------------------------


class _RacingLog:
    """A log read without one snapshot: the head row is read before entries appended
    meanwhile (``moves``: the head row was moved by them, as an append does)."""

    def __init__(self, store: MemoryStore, stale: AuditHead, *, moves: bool) -> None:
        self.store, self.stale, self.moves, self.reads = store, stale, moves, 0

    def head(self) -> AuditHead:
        self.reads += 1
        if self.reads == 1 or not self.moves:
            return self.stale
        with self.store.unit_of_work() as uow:
            return uow.audit.head()

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]:
        with self.store.unit_of_work() as uow:
            yield from list(uow.audit.iter_entries(after_seq))


def test_verify_log_tells_a_concurrent_append_from_a_forged_one() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for n in range(5):
            uow.audit.append(AuditRecord(T0.add(minutes=n), "system", "x.done", f"s{n}"))
            if n == 2:
                stale = uow.audit.head()
        uow.commit()
    assert verify_log(_RacingLog(store, stale, moves=True)) == 5  # re-read: the head moved
    with pytest.raises(AuditChainBroken):
        verify_log(_RacingLog(store, stale, moves=False))  # entries past a head that did not move
