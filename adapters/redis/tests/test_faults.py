"""Driver errors become typed, retry-classified errors; nothing partial; kill -9 loses nothing."""

from __future__ import annotations

import time

import pendulum
import pytest
import redis
import redis.exceptions
from jointinspect_redis import RedisLedger, RedisReplayGuard, RedisStreamNotifier
from redis.backoff import NoBackoff
from redis.retry import Retry

from jointinspect.errors import OperationalError, StorageError
from jointinspect.model.notification import Notification
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing.ledger import ENTERPRISE, T0, rolling, visit

CHECKS = [rolling("one_per_week", 1)]


def no_retry_client(url: str, timeout: float = 1.0) -> redis.Redis:
    # redis-py retries connection errors itself by default; the tests want the first error.
    return redis.Redis.from_url(
        url, retry=Retry(NoBackoff(), 0), socket_timeout=timeout, socket_connect_timeout=timeout
    )


def test_stopped_server_is_a_retryable_error_and_records_nothing(redis_server) -> None:
    client = no_retry_client(redis_server.url)
    ledger = RedisLedger(client)
    guard = RedisReplayGuard(client)
    notifier = RedisStreamNotifier(client)
    assert ledger.check_and_reserve(visit("a", T0), CHECKS, T0).allowed
    redis_server.stop()
    calls = [
        lambda: ledger.check_and_reserve(visit("b", T0.add(days=8)), CHECKS, T0),
        lambda: ledger.confirm("a"),
        lambda: ledger.release("a"),
        lambda: ledger.reservations(ENTERPRISE),
        lambda: guard.consume("k", T0.add(hours=1), T0),
        lambda: notifier.send(Notification("n1", "k", "supervisor", "x", "s", T0)),
    ]
    for call in calls:
        with pytest.raises(OperationalError) as caught:
            call()
        assert caught.value.retryable and caught.value.code == "storage.operational"
        assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
    redis_server.start()
    assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a"]
    assert ledger.check_and_reserve(visit("b", T0.add(days=8)), CHECKS, T0).allowed
    client.close()


def test_timeout_is_retryable_and_retry_with_same_id_reserves_once(redis_server) -> None:
    client = no_retry_client(redis_server.url, timeout=0.05)
    ledger = RedisLedger(client)
    ledger.reservations(ENTERPRISE)  # connect and load the scripts before the pause
    admin = redis.Redis.from_url(redis_server.url)
    pause_ms = 300
    admin.execute_command("CLIENT", "PAUSE", pause_ms, "WRITE")
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught:
        ledger.check_and_reserve(visit("a", T0), CHECKS, T0)
    assert isinstance(caught.value.__cause__, redis.exceptions.TimeoutError)
    # The outcome is unknown to the caller; retrying with the same id is safe.
    time.sleep(max(0.0, pause_ms / 1000 - (time.monotonic() - started)) + 0.05)
    assert ledger.check_and_reserve(visit("a", T0), CHECKS, T0).allowed
    assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["a"]
    admin.close()
    client.close()


def test_server_refusal_is_a_non_retryable_storage_error(redis_client_clean) -> None:
    ledger = RedisLedger(redis_client_clean, prefix="wrong")
    redis_client_clean.set(f"wrong:{{{ENTERPRISE}}}:id", "not a hash")
    with pytest.raises(StorageError) as caught:
        ledger.check_and_reserve(visit("a", T0), CHECKS, T0)
    assert not isinstance(caught.value, OperationalError) and not caught.value.retryable
    assert isinstance(caught.value.__cause__, redis.exceptions.ResponseError)


@pytest.fixture
def redis_client_clean(redis_clean_url: str):
    client = redis.Redis.from_url(redis_clean_url)
    yield client
    client.close()


def test_kill9_and_restart_loses_no_confirmed_reservation(redis_server) -> None:
    client = no_retry_client(redis_server.url)
    client.config_set("appendfsync", "always")
    ledger = RedisLedger(client)
    guard = RedisReplayGuard(client)
    made = []
    for i in range(20):
        pending = i % 2 == 0
        r = visit(f"v{i:02}", T0.add(days=7 * i), pending_until=T0.add(hours=1) if pending else None)
        assert ledger.check_and_reserve(r, CHECKS, T0).allowed
        if pending:
            ledger.confirm(r.id)
        made.append(r.id)
    assert guard.consume("code-1/i-1", T0.add(hours=1), T0)
    redis_server.kill9()
    redis_server.start()
    kept = ledger.reservations(ENTERPRISE)
    assert [r.id for r in kept] == made
    assert all(r.state is ReservationState.CONFIRMED for r in kept)
    assert not guard.consume("code-1/i-1", T0.add(hours=1), T0.add(minutes=1))
    # and the ledger still enforces its rules on the reloaded data
    assert not ledger.check_and_reserve(visit("late", T0.add(days=3, hours=1)), CHECKS, T0).allowed
    client.close()


def test_now_not_the_server_clock_decides_pending_expiry(single_client) -> None:
    # A ledger far in the past or future of the server's clock behaves the same.
    for base in (pendulum.datetime(2001, 1, 1, tz="UTC"), pendulum.datetime(2199, 1, 1, tz="UTC")):
        ledger = RedisLedger(single_client, prefix=f"clock{base.year}")
        ledger.check_and_reserve(visit("a", base, pending_until=base.add(minutes=5)), CHECKS, base)
        assert not ledger.check_and_reserve(visit("b", base), CHECKS, base.add(minutes=4)).allowed
        assert ledger.check_and_reserve(visit("c", base), CHECKS, base.add(minutes=5)).allowed
