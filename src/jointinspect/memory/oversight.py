"""The memory store's repositories for the guidance-penalty-assistance loop, the
inefficient-inspection watch and conflicting standards (issue 12)."""

from __future__ import annotations

from jointinspect.memory._tables import _Base, _require_existing, _require_new
from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.guidance import LoopStep
from jointinspect.model.watch import InspectorStreak


class _EnforcementLoop(_Base):
    def add(self, step: LoopStep) -> None:
        _require_new(self._t.loop_steps, step.id, "loop step")
        self._t.loop_steps.put(self._j, step.id, step)
        self._t.loop_steps_by_result.add(self._j, step.result_id, step.id)
        self._t.loop_steps_by_enterprise.add(self._j, step.enterprise, step.id)

    def _sorted(self, ids: object) -> list[LoopStep]:
        steps = [self._t.loop_steps.rows[i] for i in ids]  # type: ignore[attr-defined]
        return sorted(steps, key=lambda s: (s.at, s.id))

    def for_result(self, result_id: str) -> list[LoopStep]:
        return self._sorted(self._t.loop_steps_by_result.ids.get(result_id, {}))

    def for_enterprise(self, enterprise: str) -> list[LoopStep]:
        return self._sorted(self._t.loop_steps_by_enterprise.ids.get(enterprise, {}))


class _Watch(_Base):
    def get(self, inspector_id: str, enterprise: str) -> InspectorStreak | None:
        return self._t.streaks.rows.get((inspector_id, enterprise))

    def put(self, streak: InspectorStreak) -> None:
        self._t.streaks.put(self._j, (streak.inspector_id, streak.enterprise), streak)

    def for_inspector(self, inspector_id: str) -> list[InspectorStreak]:
        found = [s for (who, _), s in self._t.streaks.rows.items() if who == inspector_id]
        return sorted(found, key=lambda s: s.enterprise)


class _Conflicts(_Base):
    def add(self, flag: ConflictFlag) -> None:
        _require_new(self._t.conflict_flags, flag.id, "conflict flag")
        self._t.conflict_flags.put(self._j, flag.id, flag)
        self._t.conflict_flags_by_inspection.add(self._j, flag.inspection_id, flag.id)

    def update(self, flag: ConflictFlag) -> None:
        _require_existing(self._t.conflict_flags, flag.id, "conflict flag")
        self._t.conflict_flags.put(self._j, flag.id, flag)

    def get(self, flag_id: str) -> ConflictFlag | None:
        return self._t.conflict_flags.rows.get(flag_id)

    def for_inspection(self, inspection_id: str) -> list[ConflictFlag]:
        ids = sorted(self._t.conflict_flags_by_inspection.ids.get(inspection_id, {}))
        return [self._t.conflict_flags.rows[i] for i in ids]
