"""Pipelined bulk reservations keep the per-visit semantics; lost scripts are reloaded."""

from __future__ import annotations

from jointinspect_redis import RedisLedger
from redis_support import unique_prefix

from jointinspect.rules.frequency import Action, Reservation, evaluate
from jointinspect.testing.ledger import ENTERPRISE, OTHER_ENTERPRISE, T0, rolling, visit

CHECKS = [rolling("one_per_week", 1), rolling("warn_2", 2, action=Action.WARN)]


def test_batch_matches_sequential_reference(any_client) -> None:
    ledger = RedisLedger(any_client, prefix=unique_prefix())
    batch = [
        (visit(f"b{i}", T0.add(days=3 * i), enterprise=e), CHECKS)
        for i in range(20)
        for e in (ENTERPRISE, OTHER_ENTERPRISE)
    ]
    decisions = ledger.check_and_reserve_many(batch, T0)
    shadow: list[Reservation] = []
    for (request, checks), decision in zip(batch, decisions, strict=True):
        expected = evaluate(shadow, request, checks, T0)
        assert decision == expected
        if expected.allowed:
            shadow.append(request)
    assert sum(d.allowed for d in decisions) == len(shadow) < len(batch)
    # the batch is idempotent: running it again records nothing new
    ledger.check_and_reserve_many(batch, T0)
    assert len(ledger.reservations(ENTERPRISE)) + len(ledger.reservations(OTHER_ENTERPRISE)) == len(shadow)


def test_scripts_flushed_on_the_server_are_reloaded(any_client) -> None:
    ledger = RedisLedger(any_client, prefix=unique_prefix())
    assert ledger.check_and_reserve(visit("a", T0), CHECKS, T0).allowed
    any_client.script_flush()
    assert not ledger.check_and_reserve(visit("b", T0), CHECKS, T0).allowed
    any_client.script_flush()
    [decision] = ledger.check_and_reserve_many([(visit("c", T0.add(days=7)), CHECKS)], T0)
    assert decision.allowed
    any_client.script_flush()
    ledger.confirm("c")
    ledger.release("a")
    assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["c"]
