"""The guidance-penalty-assistance loop, the inefficient-inspection watch and conflicting
standards (issue 12): JSON bodies keyed and indexed by what the engine looks them up by."""

from __future__ import annotations

from sqlalchemy import select

from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.guidance import LoopStep
from jointinspect.model.watch import InspectorStreak
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema_oversight as s
from jointinspect_sqlalchemy.repositories._common import _Repo


class _EnforcementLoop(_Repo):
    def add(self, step: LoopStep) -> None:
        row = {
            "id": step.id,
            "result_id": step.result_id,
            "enterprise": step.enterprise,
            "at": codec.micros(step.at),
            "body": codec.dumps(step),
        }
        self._add(s.loop_steps, row, "loop step", step.id)

    def for_result(self, result_id: str) -> list[LoopStep]:
        t = s.loop_steps
        return self._bodies(select(t.c.body).where(t.c.result_id == result_id).order_by(t.c.at, t.c.id), LoopStep)

    def for_enterprise(self, enterprise: str) -> list[LoopStep]:
        t = s.loop_steps
        return self._bodies(select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.at, t.c.id), LoopStep)


class _Watch(_Repo):
    def get(self, inspector_id: str, enterprise: str) -> InspectorStreak | None:
        t = s.inspector_streaks
        found = self._bodies(
            select(t.c.body).where(t.c.inspector_id == inspector_id, t.c.enterprise == enterprise), InspectorStreak
        )
        return found[0] if found else None

    def put(self, streak: InspectorStreak) -> None:
        row = {"inspector_id": streak.inspector_id, "enterprise": streak.enterprise, "body": codec.dumps(streak)}
        self._uow.upsert(s.inspector_streaks, row)

    def for_inspector(self, inspector_id: str) -> list[InspectorStreak]:
        t = s.inspector_streaks
        return self._bodies(
            select(t.c.body).where(t.c.inspector_id == inspector_id).order_by(t.c.enterprise), InspectorStreak
        )


def _flag_row(flag: ConflictFlag) -> dict[str, object]:
    return {"id": flag.id, "inspection_id": flag.inspection_id, "body": codec.dumps(flag)}


class _Conflicts(_Repo):
    def add(self, flag: ConflictFlag) -> None:
        self._add(s.conflict_flags, _flag_row(flag), "conflict flag", flag.id)

    def update(self, flag: ConflictFlag) -> None:
        self._update(s.conflict_flags, "id", _flag_row(flag), "conflict flag")

    def get(self, flag_id: str) -> ConflictFlag | None:
        found: ConflictFlag | None = self._one(s.conflict_flags, flag_id, ConflictFlag)
        return found

    def for_inspection(self, inspection_id: str) -> list[ConflictFlag]:
        t = s.conflict_flags
        return self._bodies(select(t.c.body).where(t.c.inspection_id == inspection_id).order_by(t.c.id), ConflictFlag)
