"""The memory store's quiet-slot repository (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence

from jointinspect.memory._tables import _Base, _require_new
from jointinspect.model.quiet_slot import QuietSlot


class _QuietSlots(_Base):
    def add(self, slot: QuietSlot) -> None:
        _require_new(self._t.quiet_slots, slot.id, "quiet slot")
        self._t.quiet_slots.put(self._j, slot.id, slot)
        self._t.quiet_slots_by_enterprise.add(self._j, slot.enterprise, slot.id)

    def get(self, slot_id: str) -> QuietSlot | None:
        found: QuietSlot | None = self._t.quiet_slots.rows.get(slot_id)
        return found

    def remove(self, slot_id: str) -> None:
        slot = self.get(slot_id)
        if slot is not None:
            self._t.quiet_slots.delete(self._j, slot_id)
            self._t.quiet_slots_by_enterprise.remove(self._j, slot.enterprise, slot_id)

    def for_enterprise(self, enterprise: str) -> list[QuietSlot]:
        ids = self._t.quiet_slots_by_enterprise.ids.get(enterprise, {})
        slots: list[QuietSlot] = [self._t.quiet_slots.rows[i] for i in ids]
        return sorted(slots, key=lambda s: (s.start, s.id))

    def for_enterprises(self, enterprises: Sequence[str]) -> dict[str, list[QuietSlot]]:
        return {enterprise: self.for_enterprise(enterprise) for enterprise in enterprises}
