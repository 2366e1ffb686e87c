"""Maintenance operations an operator calls: sign an audit anchor now, verify the audit log,
prune delivered notifications and expired one-time keys (each authorized, matrix rows
``anchor_audit``, ``verify_audit`` and ``prune``)."""

from __future__ import annotations

from collections.abc import Iterable

import pendulum

from jointinspect.audit import Anchor, AuditHead, verify_log
from jointinspect.auth import AuthContext, Principal
from jointinspect.operations._unit import Context, boundary, operation, permit
from jointinspect.operations.durability import PruneReport, prune_before_retention, queue_anchor, sign_anchor


def anchor_audit(context: Context, by: Principal) -> Anchor:
    """Sign the audit head now and hand it to the sink; return the anchor.

    Raises:
        Forbidden: ``by`` may not (matrix row ``anchor_audit``).
        ValidationError: the engine has no key store.
    """
    by = boundary("anchor_audit", by)
    permit(context, "anchor_audit", by, AuthContext())
    with operation(context, by) as effects:
        anchor = sign_anchor(context, effects.uow.audit.head(), effects.now)
        if context.anchor_sink is None:
            queue_anchor(effects, anchor)
    if context.anchor_sink is not None:
        context.anchor_sink.publish(anchor)  # called directly: the sink's error is the caller's
    return anchor


def verify_audit(
    context: Context,
    by: Principal,
    expected_head: AuditHead | tuple[int, str] | None = None,
    anchors: Iterable[Anchor] = (),
) -> int:
    """Verify the audit log against its head row, streaming; see `jointinspect.audit.verify`."""
    by = boundary("verify_audit", by)
    permit(context, "verify_audit", by, AuthContext())
    anchors = tuple(anchors)
    with context.store.unit_of_work() as uow:
        return verify_log(uow.audit, expected_head=expected_head, anchors=anchors, keys=context.keys)


def prune(context: Context, by: Principal, retention: pendulum.Duration | None = None) -> PruneReport:
    """Delete delivered notifications and expired one-time keys older than the retention.

    Raises:
        Forbidden: ``by`` may not (matrix row ``prune``).
        ValidationError: ``retention`` outside 1 day .. `MAX_RETENTION_DAYS`.
    """
    by = boundary("prune", by)
    permit(context, "prune", by, AuthContext())
    return prune_before_retention(context, retention)
