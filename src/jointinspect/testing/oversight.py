"""Contract cases for the ports of issue 12 capabilities 5, 6 and 8: the enforcement loop
(guidance, penalty, assistance), the inefficient-inspection watch and conflicting standards.

Subclass `OversightContract` with ``make_store`` (a fresh, empty store), as for
`jointinspect.testing.contract.StoreContract`. It runs on the memory store, SQLite,
PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pendulum
import pytest

from jointinspect.errors import IntegrityError
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.guidance import LoopStage, LoopStep
from jointinspect.model.watch import InspectorStreak, NoFindingVisit
from jointinspect.ports import Store

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
E1, E2 = "91370600MA3C4XYZ1A", "91370600MA3C4XYZ2B"


def _step(n: int, result: str = "r1", enterprise: str = E1, minutes: int = 0) -> LoopStep:
    stage = (LoopStage.GUIDANCE, LoopStage.PENALTY, LoopStage.ASSISTANCE)[n % 3]
    return LoopStep(
        id=f"s{n}",
        result_id=result,
        enterprise=enterprise,
        department="SCJG",
        item="SCJG-01",
        stage=stage,
        at=T0.add(minutes=minutes),
        actor="officer:SCJG",
        note=f"第{n}步",
        list_kind="first_violation" if stage is LoopStage.GUIDANCE else "",
        circumstance="未公示" if stage is LoopStage.GUIDANCE else "",
    )


def _flag(n: int, inspection: str = "i1") -> ConflictFlag:
    return ConflictFlag(
        id=f"f{n}",
        inspection_id=inspection,
        enterprise=E1,
        items=("YJGL-01", f"HBJ-0{n}"),
        departments=("HBJ", "YJGL"),
        topic="开窗防爆 / 关窗减排",
        flagged_at=T0,
    )


class OversightContract:
    """What every store's enforcement loop, watch and conflict repositories must do."""

    def make_store(self) -> Store:
        """Return a fresh, empty store (override)."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh store per test, closed afterwards."""
        s = self.make_store()
        try:
            yield s
        finally:
            s.close()

    # ------------------------------------------------------------ enforcement loop

    def test_loop_steps_round_trip_in_order_per_result_and_enterprise(self, store: Store) -> None:
        steps = [_step(0, minutes=5), _step(1, minutes=1), _step(2, "r2", minutes=1), _step(3, "r3", E2)]
        with store.unit_of_work() as uow:
            for step in steps:
                uow.enforcement_loop.add(step)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.enforcement_loop.for_result("r1") == [steps[1], steps[0]]
            assert uow.enforcement_loop.for_enterprise(E1) == [steps[1], steps[2], steps[0]]
            assert uow.enforcement_loop.for_enterprise(E2) == [steps[3]]
            assert uow.enforcement_loop.for_result("nope") == []

    def test_a_loop_step_id_is_unique_and_rolls_back(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.enforcement_loop.add(_step(0))
            uow.commit()
        with store.unit_of_work() as uow, pytest.raises(IntegrityError):
            uow.enforcement_loop.add(_step(0))
        with store.unit_of_work() as uow:
            uow.enforcement_loop.add(_step(1))  # not committed
        with store.unit_of_work() as uow:
            assert [s.id for s in uow.enforcement_loop.for_enterprise(E1)] == ["s0"]

    # ----------------------------------------------------------------------- watch

    def test_a_streak_is_upserted_per_inspector_and_enterprise(self, store: Store) -> None:
        run = (NoFindingVisit("i1", T0), NoFindingVisit("i2", T0.add(days=3)))
        streak = InspectorStreak("SCJG-I01", E1, run)
        with store.unit_of_work() as uow:
            assert uow.watch.get("SCJG-I01", E1) is None
            uow.watch.put(streak)
            uow.watch.put(InspectorStreak("SCJG-I01", E2))
            uow.watch.put(InspectorStreak("SCJG-I02", E1, run[:1]))
            uow.commit()
        explained = attrs.evolve(
            streak, visits=(), explanation="企业合规", explained_by="supervisor/li", explained_at=T0.add(days=5)
        )
        with store.unit_of_work() as uow:
            assert uow.watch.get("SCJG-I01", E1) == streak
            uow.watch.put(explained)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.watch.get("SCJG-I01", E1) == explained
            assert [s.enterprise for s in uow.watch.for_inspector("SCJG-I01")] == sorted([E1, E2])
            assert uow.watch.get("SCJG-I02", E1) == InspectorStreak("SCJG-I02", E1, run[:1])
            assert uow.watch.for_inspector("SCJG-I09") == []

    def test_a_streak_write_rolls_back(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.watch.put(InspectorStreak("SCJG-I01", E1, (NoFindingVisit("i1", T0),)))
        with store.unit_of_work() as uow:
            assert uow.watch.get("SCJG-I01", E1) is None

    # ------------------------------------------------------------------- conflicts

    def test_conflict_flags_are_added_resolved_and_listed_per_inspection(self, store: Store) -> None:
        flags = [_flag(2), _flag(1), _flag(3, "i2")]
        with store.unit_of_work() as uow:
            for flag in flags:
                uow.conflicts.add(flag)
            uow.commit()
        resolved = attrs.evolve(
            flags[0], prevailing="YJGL-01", reason="防爆优先", resolved_by="officer:YJGL", resolved_at=T0.add(hours=2)
        )
        with store.unit_of_work() as uow:
            assert uow.conflicts.get("f2") == flags[0]
            assert uow.conflicts.for_inspection("i1") == [flags[1], flags[0]]
            uow.conflicts.update(resolved)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.conflicts.get("f2") == resolved and resolved.resolved
            assert uow.conflicts.for_inspection("i2") == [flags[2]]
            assert uow.conflicts.get("nope") is None

    def test_conflict_flags_refuse_duplicates_and_unknown_updates(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.conflicts.add(_flag(1))
            uow.commit()
        with store.unit_of_work() as uow, pytest.raises(IntegrityError):
            uow.conflicts.add(_flag(1))
        with store.unit_of_work() as uow, pytest.raises(IntegrityError):
            uow.conflicts.update(_flag(9))
        with store.unit_of_work() as uow:
            assert [f.id for f in uow.conflicts.for_inspection("i1")] == ["f1"]
