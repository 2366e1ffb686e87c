"""Enterprise quiet slots: periods in which routine visits are not placed."""

from __future__ import annotations

import datetime as dt

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.operations import quiet_slots


class QuietSlotFacet(Facet):
    """The Engine's quiet-slot operations (see `jointinspect.rules.quiet_slots`)."""

    def declare_quiet_slot(
        self, enterprise: str, start: dt.date, end: dt.date, reason: str = "", *, by: Principal
    ) -> QuietSlot:
        """The enterprise (``by``) declares local days ``start`` to ``end`` quiet, within
        ``policy.quiet_slots``; routine plans are then placed outside them.

        Raises:
            ValidationError: ``quiet_slot.*`` (too many, too long, overlapping, in the past).
        """
        return quiet_slots.declare_quiet_slot(self._context, enterprise, start, end, reason, by)

    def withdraw_quiet_slot(self, slot_id: str, *, by: Principal) -> QuietSlot:
        """The enterprise (``by``) withdraws one of its quiet slots."""
        return quiet_slots.withdraw_quiet_slot(self._context, slot_id, by)
