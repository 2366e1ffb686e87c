"""Rule groups of the system itself: who may change reference data (authorization), code
lifetimes, audit anchors, maintenance (pruning) and notification delivery."""

from __future__ import annotations

from typing import Any

import attrs
import pendulum

from jointinspect.errors import PolicyError
from jointinspect.policy.bounds import Range
from jointinspect.policy.meanings import MEANINGS

#: Principal kinds a policy may name (`jointinspect.auth.PrincipalKind` values).
PRINCIPAL_KINDS = frozenset({"officer", "inspector", "enterprise", "supervisor", "legal_office", "system"})


def _principal_kinds(_: object, attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]) -> None:
    unknown = sorted(set(value) - PRINCIPAL_KINDS)
    if unknown:
        raise PolicyError(
            reason=f"authorization.{attribute.name}: unknown principal kinds {unknown}",
            reason_zh=f"authorization.{attribute.name}:未知的执行主体类别 {unknown}",
        )


_ADMINS = frozenset({"system", "supervisor"})


@attrs.frozen
class AuthorizationPolicy:
    """Which principal kinds may change what every operation relies on (see
    docs/authorization.md); the rest of the matrix is fixed by law and not configurable."""

    #: registering enterprises, departments, inspectors, items and scenarios.
    reference: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.reference"], default=_ADMINS, validator=_principal_kinds
    )
    #: putting an enterprise on or off the whitelist.
    whitelist: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.whitelist"], default=_ADMINS, validator=_principal_kinds
    )
    #: moving an enterprise's site (the geofence centre).
    sites: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.sites"], default=_ADMINS, validator=_principal_kinds
    )
    #: marking an enterprise for key supervision.
    key_supervision: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.key_supervision"], default=_ADMINS, validator=_principal_kinds
    )
    #: moving an inspector to another department.
    inspector_department: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.inspector_department"], default=_ADMINS, validator=_principal_kinds
    )
    #: maintenance: delivering notifications, reconciling, pruning, sweeping, verifying the audit.
    maintenance: frozenset[str] = attrs.field(
        metadata=MEANINGS["AuthorizationPolicy.maintenance"], default=_ADMINS, validator=_principal_kinds
    )


#: No code may be valid longer than this, whatever a policy says (about five years).
MAX_CODE_LIFETIME_DAYS = 1830


def _lifetime(_: object, __: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= MAX_CODE_LIFETIME_DAYS:
        raise PolicyError(
            reason=f"codes.max_lifetime_days must be 1..{MAX_CODE_LIFETIME_DAYS} (got {value})",
            reason_zh=f"codes.max_lifetime_days 须在 1 至 {MAX_CODE_LIFETIME_DAYS} 之间(实为 {value})",
        )


@attrs.frozen
class CodesPolicy:
    """Bounds on signed codes, enforced at issue and at verification."""

    #: longest validity (expires_at - issued_at) of any code; a signed code claiming more is refused.
    max_lifetime_days: int = attrs.field(
        metadata=MEANINGS["CodesPolicy.max_lifetime_days"],
        default=400,
        validator=Range(1, MAX_CODE_LIFETIME_DAYS, _lifetime),
    )

    @property
    def max_lifetime(self) -> pendulum.Duration:
        """The bound as a duration."""
        return pendulum.duration(days=self.max_lifetime_days)


#: Retention bounds (days) for pruned history: at least a day, at most about ten years.
MAX_RETENTION_DAYS = 3660


def _within(field: str, low: float, high: float) -> Range:
    def check(_: object, __: attrs.Attribute[Any], value: float) -> None:
        if not low <= value <= high:
            raise PolicyError(
                reason=f"{field} must be {low:g}..{high:g} (got {value})",
                reason_zh=f"{field} 须在 {low:g} 至 {high:g} 之间(实为 {value})",
            )

    return Range(low, high, check)


@attrs.frozen
class AuditPolicy:
    """The audit trail's signed anchors (docs/audit-trail.md)."""

    #: sign the head every this many entries (0: only on demand, `Engine.anchor_audit`).
    anchor_every: int = attrs.field(
        metadata=MEANINGS["AuditPolicy.anchor_every"], default=0, validator=_within("audit.anchor_every", 0, 10_000_000)
    )


@attrs.frozen
class MaintenancePolicy:
    """Bounded growth: what `Engine.prune` forgets and when (docs/concepts.md)."""

    #: delivered notifications and expired one-time keys older than this many days are pruned.
    retention_days: int = attrs.field(
        metadata=MEANINGS["MaintenancePolicy.retention_days"],
        default=90,
        validator=_within("maintenance.retention_days", 1, MAX_RETENTION_DAYS),
    )
    #: also prune after every this many operations (0: only when `Engine.prune` is called).
    prune_every: int = attrs.field(
        metadata=MEANINGS["MaintenancePolicy.prune_every"],
        default=0,
        validator=_within("maintenance.prune_every", 0, 10_000_000),
    )

    @property
    def retention(self) -> pendulum.Duration:
        """The retention as a duration."""
        return pendulum.duration(days=self.retention_days)


@attrs.frozen
class DeliveryPolicy:
    """How the outbox relay retries a notifier that fails (docs/concepts.md, "Delivery")."""

    #: delay before the first retry; it doubles after each further failure...
    backoff_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.backoff_seconds"],
        default=30.0,
        validator=_within("delivery.backoff_seconds", 0, 86_400),
    )
    #: ...up to this cap.
    backoff_cap_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.backoff_cap_seconds"],
        default=3600.0,
        validator=_within("delivery.backoff_cap_seconds", 0, 7 * 86_400),
    )
    #: a send still running after this many seconds counts as failed (0: wait for it).
    send_timeout_seconds: float = attrs.field(
        metadata=MEANINGS["DeliveryPolicy.send_timeout_seconds"],
        default=10.0,
        validator=_within("delivery.send_timeout_seconds", 0, 3600),
    )

    def backoff(self, attempts: int) -> pendulum.Duration:
        """The delay after the ``attempts``-th consecutive failure (1, 2, ...)."""
        exponent = min(max(attempts, 1) - 1, 32)
        return pendulum.duration(seconds=min(self.backoff_seconds * 2**exponent, self.backoff_cap_seconds))
