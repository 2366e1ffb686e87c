"""Durability and maintenance: delivery that fails safe, signed audit anchors, pruning.

* Delivery: after commit the engine relays the outbox with `jointinspect.relay.relay`,
  which never raises the notifier's error; a failure is logged and the notification left
  pending with a backoff. Only `deliver` (``Engine.deliver_notifications``, called
  directly) reports a failure, as `DeliveryFailed`.
* Anchors: the audit head signed with the key store's key (`jointinspect.audit.make_anchor`)
  on demand (`jointinspect.operations.maintenance.anchor_audit`) and every
  ``policy.audit.anchor_every`` entries. The default sink is a notification of kind
  ``audit.anchor`` to the supervising office, queued in the same transaction as the entries
  it anchors; an `AnchorSink` of the integrator's is called after commit (a failure is
  logged; the next anchor covers the entries).
* Pruning: delivered outbox rows and expired one-time keys older than the policy retention
  (`jointinspect.operations.maintenance.prune`, and every ``policy.maintenance.prune_every``
  operations).

These are the hooks the unit of work runs around a commit; the operations an engine user
calls are in `jointinspect.operations.maintenance`, so this module needs nothing from the
unit of work but its types.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import attrs
import pendulum

from jointinspect.audit import Anchor, AuditHead, make_anchor
from jointinspect.errors import DeliveryFailed, ValidationError
from jointinspect.model.notification import Role
from jointinspect.policy.schema import MAX_RETENTION_DAYS
from jointinspect.relay import relay

if TYPE_CHECKING:
    from jointinspect.operations._context import Context, Effects

_log = logging.getLogger("jointinspect")

#: Who the default anchor notification goes to (the supervising office, 司法行政部门).
ANCHOR_RECIPIENT = "supervisor"


# --- delivery ------------------------------------------------------------------------------


def _relay(context: Context, batch: int) -> tuple[int, BaseException | None, str | None]:
    if context.notifier is None:
        return 0, None, None
    rules = context.policy.delivery
    report = relay(
        context.store,
        context.notifier,
        now=context.clock.now(),
        backoff=rules.backoff,
        timeout=rules.send_timeout_seconds,
        batch=batch,
    )
    return report.delivered, report.error, report.failed_key


def auto_deliver(context: Context) -> None:
    """After a commit: relay what is due; log, never raise (the operation succeeded)."""
    try:
        _relay(context, 100)
    except Exception:  # a store error while relaying: the rows stay pending
        _log.warning("relaying the outbox after commit failed; the notifications stay pending", exc_info=True)


def deliver(context: Context, batch: int = 100) -> int:
    """Relay due notifications; return how many were delivered.

    Raises:
        DeliveryFailed: a send failed (the notification stays pending, retried after a
            backoff); delivered ones stay delivered.
    """
    delivered, error, key = _relay(context, batch)
    if error is not None:
        channel = type(context.notifier).__name__
        raise DeliveryFailed(key=key, channel=channel, reason=repr(error), delivered=delivered) from error
    return delivered


# --- anchors -------------------------------------------------------------------------------


def sign_anchor(context: Context, head: AuditHead, now: pendulum.DateTime) -> Anchor:
    """Sign ``head`` at ``now`` with the engine's key store (a typed error without one)."""
    if context.keys is None:
        raise ValidationError(
            "input.invalid",
            reason="the engine has no key store (keys=...) to sign anchors",
            reason_zh="引擎未配置密钥库,无法签署审计锚点",
        )
    return make_anchor(head.seq, head.hash, now, context.keys)


def queue_anchor(effects: Effects, anchor: Anchor) -> None:
    """Queue the default sink's ``audit.anchor`` notification in the operation's outbox."""
    effects.notify(
        "audit.anchor",
        Role.SUPERVISOR,
        ANCHOR_RECIPIENT,
        f"audit:{anchor.seq}",
        key=f"audit.anchor:{anchor.seq}:{anchor.hash}",
        seq=anchor.seq,
        hash=anchor.hash,
        at=anchor.at.isoformat(),
        key_id=anchor.key_id,
        signature=anchor.signature,
    )


def anchor_before_commit(context: Context, effects: Effects) -> Anchor | None:
    """When this operation's entries crossed a multiple of ``policy.audit.anchor_every``,
    sign the head; queue the default notification in this transaction. Returns the anchor
    for an integrator's sink (published after commit), else ``None``."""
    every = context.policy.audit.anchor_every
    first, last = effects.audited
    if every <= 0 or last is None or last.seq // every == (first - 1) // every:
        return None
    if context.keys is None:
        _log.warning("audit.anchor_every is set but the engine has no key store: no anchor signed")
        return None
    anchor = sign_anchor(context, AuditHead(last.seq, last.hash), effects.now)
    if context.anchor_sink is None:
        queue_anchor(effects, anchor)
        return None
    return anchor


def publish_after_commit(context: Context, anchor: Anchor | None) -> None:
    """Hand an anchor to the integrator's sink; log, never raise."""
    if anchor is None or context.anchor_sink is None:
        return
    try:
        context.anchor_sink.publish(anchor)
    except Exception:
        _log.warning("the anchor sink refused anchor %d; the next anchor covers it", anchor.seq, exc_info=True)


# --- pruning -------------------------------------------------------------------------------


@attrs.frozen
class PruneReport:
    """What `prune` removed, and the cutoff it used."""

    before: pendulum.DateTime
    outbox: int
    replay_keys: int


def prune_before_retention(context: Context, retention: pendulum.Duration | None) -> PruneReport:
    """Prune what is older than ``retention`` (the policy's when ``None``); not authorized here."""
    keep = context.policy.maintenance.retention if retention is None else retention
    if not pendulum.duration(days=1) <= keep <= pendulum.duration(days=MAX_RETENTION_DAYS):
        raise ValidationError(
            "input.invalid",
            reason=f"retention must be 1..{MAX_RETENTION_DAYS} days",
            reason_zh=f"保留期须为 1 至 {MAX_RETENTION_DAYS} 天",
        )
    before = context.clock.now() - keep
    with context.store.unit_of_work() as uow:
        outbox = uow.outbox.prune(before)
        uow.commit()
    keys = context.store.replay_guard().prune(before)
    _log.info("pruned %d delivered notifications and %d replay keys before %s", outbox, keys, before)
    return PruneReport(before, outbox, keys)


def prune_on_the_way(context: Context) -> None:
    """Every ``policy.maintenance.prune_every`` operations: prune; log, never raise."""
    every = context.policy.maintenance.prune_every
    if every <= 0:
        return
    context.counters[0] += 1
    if context.counters[0] % every:
        return
    try:
        prune_before_retention(context, None)
    except Exception:
        _log.warning("pruning on the way failed; run Engine.prune", exc_info=True)
