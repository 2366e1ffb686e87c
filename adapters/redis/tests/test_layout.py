"""What the compact layout adds to the contract: enterprise-addressed confirm/release, the
separator characters refused, only hash-tagged keys written, TTLs that never shrink."""

from __future__ import annotations

import pendulum
import pytest
from jointinspect_redis import RedisLedger
from redis_support import unique_prefix

from jointinspect.errors import ValidationError
from jointinspect.rules.frequency import ReservationState
from jointinspect.testing.ledger import ENTERPRISE, OTHER_ENTERPRISE, T0, rolling, visit

CHECKS = [rolling("one_per_week", 1)]


def test_confirm_and_release_with_the_enterprise(any_client) -> None:
    ledger = RedisLedger(any_client, prefix=unique_prefix())
    pending = visit("a", T0, pending_until=T0.add(minutes=10))
    assert ledger.check_and_reserve(pending, CHECKS, T0).allowed
    ledger.confirm("a", OTHER_ENTERPRISE)  # wrong enterprise: nothing there, nothing done
    assert ledger.reservations(ENTERPRISE)[0].state is ReservationState.PENDING
    ledger.confirm("a", ENTERPRISE)
    ledger.confirm("a", ENTERPRISE)  # idempotent
    [kept] = ledger.reservations(ENTERPRISE)
    assert kept.state is ReservationState.CONFIRMED and kept.expires_at is None
    assert kept.at == T0 and kept.inspectors == ("i-1", "i-2")
    # confirmed: still counts after the pending expiry
    late = T0.add(hours=1)
    assert not ledger.check_and_reserve(visit("b", T0.add(days=1)), CHECKS, late).allowed
    ledger.release("a", ENTERPRISE)
    ledger.release("a", ENTERPRISE)
    assert ledger.reservations(ENTERPRISE) == []
    assert ledger.check_and_reserve(visit("b", T0.add(days=1)), CHECKS, late).allowed


@pytest.mark.parametrize("field", [{"rid": "a\x1fb"}, {"department": "D\x1e"}, {"inspectors": ("i\x1f1",)}])
def test_separator_characters_are_refused(single_client, field) -> None:
    ledger = RedisLedger(single_client, prefix=unique_prefix())
    rid = field.pop("rid", "a")
    with pytest.raises(ValidationError) as caught:
        ledger.check_and_reserve(visit(rid, T0, **field), CHECKS, T0)
    assert caught.value.code == "input.invalid"
    assert ledger.reservations(ENTERPRISE) == []


def test_only_hash_tagged_keys_are_written(single_client) -> None:
    prefix = unique_prefix()
    ledger = RedisLedger(single_client, prefix=prefix)
    ledger.check_and_reserve(visit("a", T0, inspectors=()), CHECKS, T0)
    ledger.check_and_reserve(visit("b", T0, enterprise=OTHER_ENTERPRISE), [], T0)
    keys = sorted(k.decode() for k in single_client.scan_iter(match=f"{prefix}:*"))
    assert keys == sorted(
        f"{prefix}:{{{e}}}:{suffix}" for e in (ENTERPRISE, OTHER_ENTERPRISE) for suffix in ("v", "id")
    )
    [a] = ledger.reservations(ENTERPRISE)
    assert a.inspectors == ()


def test_ttl_follows_the_latest_visit_and_never_shrinks(single_client) -> None:
    ledger = RedisLedger(single_client, prefix=unique_prefix(), retention=pendulum.duration(days=30))
    zkey, hkey = (f"{ledger._prefix}:{{{ENTERPRISE}}}:{s}" for s in ("v", "id"))
    far = T0.add(days=100)  # outside every window of the next visit
    ledger.check_and_reserve(visit("far", far), CHECKS, T0)
    ttl_far = single_client.pttl(zkey)
    assert ttl_far > pendulum.duration(days=129).in_seconds() * 1000
    ledger.check_and_reserve(visit("near", T0), CHECKS, T0)  # earlier: must not shorten it
    assert single_client.pttl(zkey) > pendulum.duration(days=129).in_seconds() * 1000
    assert single_client.pttl(hkey) > pendulum.duration(days=129).in_seconds() * 1000
    ledger.check_and_reserve(visit("later", T0.add(days=200)), [], T0)  # no checks: still grows
    assert single_client.pttl(zkey) > pendulum.duration(days=229).in_seconds() * 1000


def test_visits_older_than_the_retention_are_trimmed(single_client) -> None:
    ledger = RedisLedger(single_client, prefix=unique_prefix(), retention=pendulum.duration(days=30))
    ledger.check_and_reserve(visit("old", T0), CHECKS, T0)
    ledger.check_and_reserve(visit("new", T0.add(days=40)), CHECKS, T0.add(days=31))
    assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["new"]
    # the id index is trimmed too: reserving "old" again records it anew
    assert ledger.check_and_reserve(visit("old", T0.add(days=50)), [], T0.add(days=31)).allowed
    assert [r.id for r in ledger.reservations(ENTERPRISE)] == ["new", "old"]
