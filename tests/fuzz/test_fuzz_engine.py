"""Every public Engine operation under mixed arguments, on every store: only
`JointInspectError` subclasses escape, and after any error the records, outbox, audit
chain and ledger are unchanged (issue 10).

One world per test (building it per example would cost seconds on a server); successful
operations move it on, which widens what later examples meet.
"""

from __future__ import annotations

from typing import Any

from fuzz_support import EXAMPLES, OPERATIONS, World, make_world, operation, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.errors import Forbidden, JointInspectError
from jointinspect.ports import Store


def test_every_public_operation_has_a_strategy() -> None:
    from jointinspect.service import Engine

    public = {n for n in vars(Engine) if not n.startswith("_") and callable(getattr(Engine, n))}
    # reconcile_reservations needs a separate ledger; covered by the ledger tests
    assert public - set(OPERATIONS) <= {"reconcile_reservations"}, public - set(OPERATIONS)
    # every operation names its principal
    assert all("by" in params for params, _ in OPERATIONS.values())


def test_operations_change_nothing_when_they_refuse(fuzz_store: tuple[str, Store]) -> None:
    backend, store = fuzz_store
    world = make_world(store)
    counts = {"ok": 0, "refused": 0, "forbidden": 0}

    @settings(settings.get_profile("fuzz"), max_examples=EXAMPLES[backend])
    @given(st.data())
    def run(data: st.DataObject) -> None:
        name, call = operation(world, data.draw)
        check(world, name, call, counts)

    run()
    print(
        f"\nfuzz[{backend}]: {counts['ok']} accepted, {counts['refused']} refused"
        f" ({counts['forbidden']} of them Forbidden)"
    )
    assert counts["refused"] > 0  # the strategies do reach the refusals
    assert counts["ok"] > 0  # ... and the successful calls (right principals, valid arguments)
    assert counts["forbidden"] > 0  # ... and the wrong principals


def check(world: World, name: str, call: Any, counts: dict[str, int]) -> None:
    before = snapshot(world)
    try:
        call(world)
    except JointInspectError as err:
        counts["refused"] += 1
        counts["forbidden"] += isinstance(err, Forbidden)
        assert err.code and err.message_en and err.message_zh
        after = snapshot(world)
        assert after == before, f"{name} raised {err.code} and changed the store"
    else:
        counts["ok"] += 1
