"""Quiet slots that enterprises declared (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select

from jointinspect.model.quiet_slot import QuietSlot
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema_fieldwork as f
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.repositories._common import _Repo


class _QuietSlots(_Repo):
    def add(self, slot: QuietSlot) -> None:
        row = {"id": slot.id, "enterprise": slot.enterprise, "start": slot.start.isoformat(), "body": codec.dumps(slot)}
        self._add(f.quiet_slots, row, "quiet slot", slot.id)

    def get(self, slot_id: str) -> QuietSlot | None:
        found: QuietSlot | None = self._one(f.quiet_slots, slot_id, QuietSlot)
        return found

    def remove(self, slot_id: str) -> None:
        self._uow.execute(delete(f.quiet_slots).where(f.quiet_slots.c.id == slot_id))

    def for_enterprise(self, enterprise: str) -> list[QuietSlot]:
        t = f.quiet_slots
        return self._prepared_bodies(
            "quiet-slots-for-enterprise",
            lambda: select(t.c.body).where(t.c.enterprise == bindparam("enterprise")).order_by(t.c.start, t.c.id),
            {"enterprise": enterprise},
            QuietSlot,
        )

    def for_enterprises(self, enterprises: Sequence[str]) -> dict[str, list[QuietSlot]]:
        t = f.quiet_slots
        out: dict[str, list[QuietSlot]] = {enterprise: [] for enterprise in enterprises}
        rows = read_among(
            self._uow,
            "quiet-slots",
            lambda among: (
                select(t.c.enterprise, t.c.body)
                .where(among(t.c.enterprise, "enterprises"))
                .order_by(t.c.enterprise, t.c.start, t.c.id)
            ),
            {"enterprises": enterprises},
        )
        for enterprise, body in rows:
            out[enterprise].append(codec.loads(body, QuietSlot))
        return out
