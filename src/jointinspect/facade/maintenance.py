"""Keeping the engine healthy: delivery, the frequency ledger, the audit chain, pruning."""

from __future__ import annotations

from collections.abc import Iterable

import pendulum

from jointinspect.audit import Anchor, AuditHead
from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.operations import maintenance, reservations
from jointinspect.operations._unit import deliver_notifications
from jointinspect.operations.durability import PruneReport


class MaintenanceFacet(Facet):
    """The Engine's upkeep operations, run by the system or an operator."""

    def deliver_notifications(self, batch: int = 100, *, by: Principal) -> int:
        """Relay due outbox notifications to the notifier; return how many. At least once,
        keyed; a failed send stays pending, retried after a capped exponential backoff
        (``policy.delivery``). Operations never raise for it; this call does.

        Raises:
            DeliveryFailed: a send failed or ran past ``policy.delivery.send_timeout_seconds``.
        """
        return deliver_notifications(self._context, batch, by=by)

    def reconcile_reservations(self, enterprise: str, *, by: Principal) -> int:
        """Confirm or release a separate ledger's pending reservations; returns how many changed."""
        return reservations.reconcile_reservations(self._context, enterprise, by)

    def rebuild_reservations(self, enterprise: str | None = None, *, by: Principal) -> int:
        """Rebuild a failed-over ledger (`jointinspect.ledger_rebuild`); returns how many changed."""
        return reservations.rebuild_reservations(self._context, enterprise, by)

    def verify_audit(
        self, *, by: Principal, expected_head: AuditHead | tuple[int, str] | None = None, anchors: Iterable[Anchor] = ()
    ) -> int:
        """Verify the audit chain against the store's head row, streaming; return its length.
        ``expected_head`` (seq, hash) is the head recorded outside the database; ``anchors``
        are signed anchors, checked with ``keys``.

        Raises:
            AuditChainBroken: an altered, removed, reordered or corrupted entry, or a log that
                does not end at the head row / ``expected_head`` or disagrees with an anchor.
        """
        return maintenance.verify_audit(self._context, by, expected_head, anchors)

    def anchor_audit(self, *, by: Principal) -> Anchor:
        """Sign the audit head (seq, hash, time) with ``keys`` and hand it to ``anchor_sink``
        (default: an ``audit.anchor`` notification to the supervisor).

        Raises:
            Forbidden: ``by`` may not maintain the engine. ValidationError: no key store.
        """
        return maintenance.anchor_audit(self._context, by)

    def prune(self, *, by: Principal, retention: pendulum.Duration | None = None) -> PruneReport:
        """Delete delivered notifications and expired one-time keys older than ``retention``
        (default ``policy.maintenance.retention_days``; 1 day to 10 years).

        Raises:
            Forbidden: ``by`` may not maintain the engine. ValidationError: bad retention.
        """
        return maintenance.prune(self._context, by, retention)
