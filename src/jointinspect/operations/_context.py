"""What every operation carries: the engine's collaborators (`Context`) and the effects one
operation collects before its commit (`Effects`). Apart from the unit of work (`_unit`) so
that the commit hooks (`durability`) need these types without importing the unit of work."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs
import pendulum

from jointinspect.audit import AuditEntry, AuditRecord
from jointinspect.auth import Principal
from jointinspect.model.notification import Notification, Role, checked_key
from jointinspect.policy.schema import Policy
from jointinspect.ports import AnchorSink, Authorizer, Clock, FrequencyLedger, KeyStore, Notifier, Store, UnitOfWork

__all__ = ["Context", "Effects"]


@attrs.frozen
class Context:
    """The collaborators every operation needs; built from the `Engine`'s attributes."""

    store: Store
    policy: Policy
    clock: Clock
    keys: KeyStore | None
    notifier: Notifier | None
    ledger: FrequencyLedger | None
    ids: Callable[[], str]
    auto_deliver: bool
    pending_ttl: pendulum.Duration
    anchor_sink: AnchorSink | None = None
    #: operations since start (``policy.maintenance.prune_every``); shared by evolved copies.
    counters: list[int] = attrs.field(factory=lambda: [0], eq=False)
    authorizers: Sequence[Authorizer] = ()


def default_key(kind: str, role: Role, recipient: str, subject: str) -> str:
    """A notification's outbox key when the operation names none: one per kind, subject
    and recipient, so the same event queued twice is delivered once."""
    return f"{kind}:{subject}:{role}:{recipient}"


class Effects:
    """Notifications and audit records collected during one operation."""

    def __init__(self, uow: UnitOfWork, now: pendulum.DateTime, by: Principal) -> None:
        self.uow, self.now, self.by, self.actor = uow, now, by, by.actor
        # Work outside the unit of work (a separate ledger): run after commit, or undo on failure.
        self.after_commit: list[Callable[[], None]] = []
        self.on_failure: list[Callable[[], None]] = []
        # The first sequence number and the last entry this operation audited (anchors).
        self.audited: tuple[int, AuditEntry | None] = (0, None)

    def notify(
        self,
        kind: str,
        role: Role,
        recipient: str,
        subject: str,
        /,
        *,
        key: str | None = None,
        **payload: object,
    ) -> None:
        """Queue a notification in the outbox (keyed, so relaying it twice is harmless)."""
        self.uow.outbox.add(self.notification(kind, role, recipient, subject, key, payload))

    def notification(
        self, kind: str, role: Role, recipient: str, subject: str, key: str | None, payload: Mapping[str, object]
    ) -> Notification:
        """The notification `notify` queues (bulk filing queues a chunk's at once)."""
        key = key or default_key(kind, role, recipient, subject)
        now = self.now
        if type(role) is Role:
            # The converters' work done once, in their order (the key checked first), and the
            # rest left to `Notification.checked`: filing builds three a plan.
            pairs = tuple(sorted([(str(k), str(v)) for k, v in payload.items()]))
            return Notification.checked(checked_key(key), kind, role, recipient, subject, now, pairs)
        return Notification(
            key=key,
            kind=kind,
            role=role,
            recipient=recipient,
            subject=subject,
            at=now,
            payload={k: v for k, v in payload.items()},
        )

    def audit(self, action: str, subject: str, **data: object) -> None:
        """Append an audit record for this operation's actor."""
        self.audited_entries([self.uow.audit.append(self.record(action, subject, data))])

    def record(self, action: str, subject: str, data: Mapping[str, object]) -> AuditRecord:
        """The audit record `audit` appends (bulk filing appends a chunk's at once)."""
        return AuditRecord.checked(self.now, self.actor, action, subject, data)

    def audited_entries(self, entries: Sequence[AuditEntry]) -> None:
        """Note ``entries``, just appended by this operation (for the audit anchors)."""
        if entries:
            self.audited = (self.audited[0] or entries[0].seq, entries[-1])
