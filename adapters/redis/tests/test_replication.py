"""Replica acknowledgement on a Redis primary with one replica: an acknowledged write is on
the replica when the call returns; with the replica frozen the call fails as a retryable
ReplicationError and its effect is taken back (a new reservation, a consumed key),
so its retry is not blocked; refusals such as NOREPLICAS are retryable."""

from __future__ import annotations

from collections.abc import Iterator

import pendulum
import pytest
import redis
import redis.cluster
import redis.exceptions
from jointinspect_redis import RedisLedger, RedisReplayGuard
from jointinspect_redis._common import retryable

from jointinspect import Engine, FixedClock, PlanRequest
from jointinspect.errors import OperationalError, ReplicationError
from jointinspect.policy import MatchingPolicy, Policy
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing.city import build_city
from jointinspect.testing.contract import populate
from jointinspect.testing.ledger import ENTERPRISE, T0, rolling, visit
from jointinspect.testing.principals import SYSTEM, officer
from testsupport import replicas, servers

pytestmark = pytest.mark.server("redis")

SHORT = pendulum.duration(milliseconds=200)


@pytest.fixture(scope="module")
def pair() -> Iterator[replicas.RedisPrimaryReplica]:
    try:
        started = replicas.start_redis_with_replica()
    except servers.ServerBinariesMissing as exc:
        if servers.servers_required():
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def clean(pair: replicas.RedisPrimaryReplica) -> Iterator[replicas.RedisPrimaryReplica]:
    # A test that froze the replica leaves it reconnecting: start each test in sync, or a
    # 200 ms acknowledgement can time out on a loaded machine.
    pair.wait_in_sync()
    pair.primary.flushall()
    pair.wait_in_sync()
    yield pair
    replicas.thaw(pair.replica)


def on_replica(pair: replicas.RedisPrimaryReplica) -> RedisLedger:
    return RedisLedger(pair.replica.url, replicas=0)


def test_the_default_waits_on_a_replicated_server_only(clean: replicas.RedisPrimaryReplica, redis_url: str) -> None:
    expected = [(clean.primary.url, None, 1), (clean.primary.url, 0, 0), (redis_url, None, 0)]
    for url, asked, wanted in expected:
        ledger, guard = RedisLedger(url, replicas=asked), RedisReplayGuard(url, replicas=asked)
        assert (ledger.replicas, guard.replicas) == (wanted, wanted)
        ledger.close()
        guard.close()


def test_an_acknowledged_write_is_on_the_replica(clean: replicas.RedisPrimaryReplica) -> None:
    ledger = RedisLedger(clean.primary.url, replicas=1, replica_timeout=SHORT)
    checks = [rolling("one_per_week", 1)]
    assert ledger.check_and_reserve(visit("a", T0, pending_until=T0.add(minutes=5)), checks, T0).allowed
    [seen] = on_replica(clean).reservations(ENTERPRISE)
    assert seen.id == "a" and seen.state is ReservationState.PENDING
    ledger.confirm("a", ENTERPRISE)
    [seen] = on_replica(clean).reservations(ENTERPRISE)
    assert seen.state is ReservationState.CONFIRMED
    ledger.release("a", ENTERPRISE)
    assert on_replica(clean).reservations(ENTERPRISE) == []
    ledger.close()


def test_without_acknowledgement_nothing_is_reported_reserved(clean: replicas.RedisPrimaryReplica) -> None:
    ledger = RedisLedger(clean.primary.url, replicas=1, replica_timeout=SHORT)
    checks = [rolling("one_per_week", 1)]
    replicas.freeze(clean.replica)
    try:
        with pytest.raises(ReplicationError) as caught:
            ledger.check_and_reserve(visit("c", T0), checks, T0)
        assert caught.value.retryable and isinstance(caught.value, OperationalError)
        assert caught.value.code == "storage.replication" and caught.value.details["acked"] == 0
        assert ledger.reservations(ENTERPRISE) == []  # the confirmed reservation was taken back
        with pytest.raises(ReplicationError):
            ledger.check_and_reserve(visit("p", T0, pending_until=T0.add(minutes=5)), checks, T0)
        assert ledger.reservations(ENTERPRISE) == []  # a pending one too: its retry is not blocked
    finally:
        replicas.thaw(clean.replica)
    decision = ledger.check_and_reserve(visit("p", T0, pending_until=T0.add(minutes=5)), checks, T0)
    assert decision.reservation is not None and decision.reservation.id == "p"
    replicas.freeze(clean.replica)
    try:
        with pytest.raises(ReplicationError):  # a confirmation not acknowledged stays here
            ledger.confirm("p", ENTERPRISE)
    finally:
        replicas.thaw(clean.replica)
    # once the replica answers again, the retried confirmation is acknowledged
    ledger.confirm("p", ENTERPRISE)
    assert [r.state for r in on_replica(clean).reservations(ENTERPRISE)] == [ReservationState.CONFIRMED]
    ledger.close()


def test_a_consumed_key_without_acknowledgement_is_taken_back(clean: replicas.RedisPrimaryReplica) -> None:
    guard = RedisReplayGuard(clean.primary.url, replicas=1, replica_timeout=SHORT)
    until = T0.add(hours=1)
    replicas.freeze(clean.replica)
    try:
        with pytest.raises(ReplicationError):
            guard.consume("code-1:insp", until, T0)
    finally:
        replicas.thaw(clean.replica)
    assert guard.consume("code-1:insp", until, T0) is True  # the retry consumes it
    assert guard.consume("code-1:insp", until, T0) is False  # and a replay is refused
    guard.close()


def test_noreplicas_is_a_retryable_refusal(clean: replicas.RedisPrimaryReplica) -> None:
    admin = redis.Redis.from_url(clean.primary.url)
    admin.config_set("min-replicas-to-write", 2)  # one replica only: every write is refused
    try:
        ledger = RedisLedger(clean.primary.url, replicas=0)
        with pytest.raises(OperationalError) as caught:
            ledger.check_and_reserve(visit("n", T0), [rolling("one_per_week", 1)], T0)
        assert caught.value.retryable and "NOREPLICAS" in caught.value.message_en
        with pytest.raises(OperationalError):
            RedisReplayGuard(clean.primary.url, replicas=0).consume("k", T0.add(hours=1), T0)
        ledger.close()
    finally:
        admin.config_set("min-replicas-to-write", 0)
        admin.close()


def test_a_filing_without_acknowledgement_fails_and_leaves_no_plan(clean: replicas.RedisPrimaryReplica) -> None:
    city = build_city(enterprises=4, departments=3)
    ledger = RedisLedger(clean.primary.url, replicas=1, replica_timeout=SHORT)
    clock = FixedClock(T0.subtract(days=21))
    engine = Engine(ledger=ledger, policy=Policy(matching=MatchingPolicy(min_common_hours=2)), clock=clock)
    populate(engine, city)
    ent = next(e for e in city.enterprises if e.credit_class != "A")
    request = PlanRequest(
        ent.credit_code, "SCJG", T0, T0.add(hours=4), items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"]
    )
    replicas.freeze(clean.replica)
    try:
        with pytest.raises(ReplicationError):  # the pending reservation was not acknowledged
            engine.file_plan(request, by=officer("SCJG"))
    finally:
        replicas.thaw(clean.replica)
    assert engine.inspections_of(ent.credit_code, by=SYSTEM) == []  # nothing committed: the caller retries
    out = engine.file_plan(request, by=officer("SCJG"))
    assert out.inspection is not None
    held = {r.id: r.state for r in on_replica(clean).reservations(ent.credit_code)}
    assert held == {out.inspection.id: ReservationState.CONFIRMED}  # confirmed on the replica too
    ledger.close()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (redis.exceptions.ResponseError("NOREPLICAS Not enough good replicas to write."), True),
        (redis.exceptions.ResponseError("Error running script: @user_script:12: NOREPLICAS Not enough"), True),
        (redis.exceptions.MasterDownError("MASTERDOWN Link with MASTER is down"), True),
        (redis.exceptions.ReadOnlyError("READONLY You can't write against a read only replica."), True),
        (redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"), False),
    ],
)
def test_refusals_a_failover_causes_are_retryable(error: Exception, expected: bool) -> None:
    assert retryable(error) is expected


def test_the_default_on_clusters(redis_cluster_nodes: list[tuple[str, int]]) -> None:
    # the session's cluster has no replicas: nothing to wait for
    client = redis.cluster.RedisCluster(startup_nodes=[redis.cluster.ClusterNode(h, p) for h, p in redis_cluster_nodes])
    try:
        assert RedisLedger(client).replicas == 0
    finally:
        client.close()
