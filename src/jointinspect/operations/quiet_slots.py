"""Quiet slots: an enterprise declares (or withdraws) a period in which routine visits are
not placed; filing honours them (`jointinspect.rules.quiet_slots`)."""

from __future__ import annotations

import datetime as dt

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import NotFoundError
from jointinspect.model.notification import Role
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.operations._unit import Context, boundary, operation, permit, require_enterprise
from jointinspect.rules import quiet_slots as quiet_rules
from jointinspect.timeutil import local_date

__all__ = ["declare_quiet_slot", "withdraw_quiet_slot"]


def declare_quiet_slot(
    context: Context, enterprise: str, start: dt.date, end: dt.date, reason: str, by: Principal
) -> QuietSlot:
    """Declare the enterprise's quiet slot, local days ``start`` to ``end`` (both included)."""
    by = boundary("declare_quiet_slot", by)
    enterprise = v.credit_code(enterprise, "enterprise")
    start, end = v.day(start, "start"), v.day(end, "end")
    reason = v.text(reason, "reason")
    with operation(context, by) as effects:
        uow = effects.uow
        permit(context, "declare_quiet_slot", by, AuthContext(enterprise=enterprise), enterprise)
        uow.lock_enterprise(enterprise)
        require_enterprise(uow, enterprise)
        slot = QuietSlot(context.ids(), enterprise, start, end, reason, effects.now)
        today = local_date(effects.now, context.policy.zone)
        quiet_rules.check_declaration(slot, uow.quiet_slots.for_enterprise(enterprise), today, context.policy)
        uow.quiet_slots.add(slot)
        effects.audit(
            "quiet_slot.declared", slot.id, enterprise=enterprise, start=start.isoformat(), end=end.isoformat()
        )
        effects.notify(
            "quiet_slot.declared",
            Role.SUPERVISOR,
            "judicial",
            slot.id,
            enterprise=enterprise,
            start=start.isoformat(),
            end=end.isoformat(),
            reason=reason,
        )
    return slot


def withdraw_quiet_slot(context: Context, slot_id: str, by: Principal) -> QuietSlot:
    """Withdraw one of the enterprise's quiet slots; routine visits may be placed in it again."""
    by = boundary("withdraw_quiet_slot", by)
    slot_id = v.identifier(slot_id, "slot_id")
    with operation(context, by) as effects:
        uow = effects.uow
        slot = uow.quiet_slots.get(slot_id)
        if slot is None:
            raise NotFoundError(kind="quiet slot", key=slot_id)
        permit(context, "withdraw_quiet_slot", by, AuthContext(enterprise=slot.enterprise), slot_id)
        uow.lock_enterprise(slot.enterprise)
        uow.quiet_slots.remove(slot_id)
        effects.audit("quiet_slot.withdrawn", slot_id, enterprise=slot.enterprise)
        effects.notify("quiet_slot.withdrawn", Role.SUPERVISOR, "judicial", slot_id, enterprise=slot.enterprise)
    return slot
