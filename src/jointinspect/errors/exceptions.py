"""The exception classes: `JointInspectError`, the root whose message comes from the
catalogue, and one subclass per kind of refusal or failure."""

from __future__ import annotations

from typing import Any, ClassVar

from jointinspect.errors.catalogue import MESSAGES
from jointinspect.errors.display import display_fields, format_message


class JointInspectError(Exception):
    """Root of every error jointinspect raises on purpose.

    Attributes:
        code: stable, dotted error code, e.g. ``"frequency.blocked"``.
        details: the values the message was built from.
        message_en: the English message.
        message_zh: the Chinese message.
    """

    default_code: ClassVar[str] = "input.invalid"
    #: True when retrying the same call later may succeed (storage outages, conflicts).
    retryable: ClassVar[bool] = False

    def __init__(self, code: str | None = None, /, **details: Any) -> None:
        self.code = code or self.default_code
        self.details: dict[str, Any] = dict(details)
        en, zh = MESSAGES.get(self.code, ("{code}", "{code}"))
        fields = {"code": self.code, **self.details}
        self.message_en = format_message(en, display_fields(fields, zh=False))
        self.message_zh = format_message(zh, display_fields(fields, zh=True))
        super().__init__(f"[{self.code}] {self.message_en} / {self.message_zh}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly view: code, both messages and the details as strings."""
        return {
            "code": self.code,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
            "details": {k: str(v) for k, v in self.details.items()},
        }


class ValidationError(JointInspectError, ValueError):
    """Input that can never be accepted as given (bad code, bad window, unknown item...)."""


class NotFoundError(JointInspectError, LookupError):
    """A referenced enterprise, plan, inspection... does not exist."""

    default_code = "not_found"


class PolicyError(ValidationError):
    """A policy (configuration) that cannot be loaded or is inconsistent."""

    default_code = "policy.invalid"


class FilingRejected(JointInspectError):
    """A plan that violates a filing rule (advance notice, quiet period, whitelist...)."""


class FrequencyBlocked(FilingRejected):
    """A plan refused by a blocking frequency rule. ``details['hits']`` lists the rules."""

    default_code = "frequency.blocked"


class IdempotencyConflict(JointInspectError):
    """A plan number (idempotency key) filed again with different content (issue 8)."""

    default_code = "plan.idempotency_conflict"


class ApprovalError(JointInspectError):
    """An approval that does not apply (plan not pending, wrong approver)."""


class TokenError(JointInspectError):
    """A code (QR token) that cannot be decoded, verified or is outside its validity."""

    default_code = "token.malformed"


class CheckInRejected(JointInspectError):
    """A check-in or check-out refused; ``code`` names the reason (``checkin.*`` / ``token.*``)."""


class IllegalTransition(JointInspectError):
    """A state-machine action not allowed in the current state; nothing changed."""

    default_code = "rectification.illegal_transition"


class StorageError(JointInspectError):
    """Root of storage failures; adapters keep the driver's exception as ``__cause__``."""

    default_code = "storage.operational"


class IntegrityError(StorageError):
    """The store refused a write (constraint violation); retrying will not help."""

    default_code = "storage.integrity"


class OperationalError(StorageError):
    """The store is unreachable, timed out or lost the connection; retrying may help."""

    default_code = "storage.operational"
    retryable = True


class ReplicationError(OperationalError):
    """Fewer replicas than required acknowledged a write in time: the write is undone or left
    unconfirmed, and a failover could have lost it; retrying may help."""

    default_code = "storage.replication"


class DurabilityError(StorageError):
    """The store's configuration cannot keep a committed write through a crash or a
    failover (strict mode of the SQL store's durability check); retrying will not help."""

    default_code = "storage.durability"


class ConcurrencyConflict(StorageError):
    """Another transaction changed the same thing first; retry the whole operation."""

    default_code = "storage.conflict"
    retryable = True


class Forbidden(JointInspectError):
    """The principal may not perform the operation on this record; nothing changed.
    ``details`` name the principal and the operation; ``code`` the reason (``auth.*``)."""

    default_code = "auth.forbidden"


class AuditChainBroken(JointInspectError):
    """The audit log's hash chain does not verify."""

    default_code = "audit.broken"


class DeliveryFailed(JointInspectError):
    """A notification did not reach its channel; sending it again later may succeed."""

    default_code = "notify.failed"
    retryable = True


class DeliveryRejected(DeliveryFailed):
    """A channel refused a notification for good (bad address, 4xx): resending cannot help."""

    default_code = "notify.rejected"
    retryable = False


class NotifyConfigError(ValidationError):
    """Notification routing or channel configuration is invalid."""

    default_code = "notify.config_invalid"


class WebhookRejected(JointInspectError):
    """A received webhook failed verification: bad signature, stale timestamp or replay."""

    default_code = "webhook.signature_invalid"


class InspectionWatchBlocked(JointInspectError):
    """An inspector blocked by the inefficient-inspection watch (Chengdu): too many
    consecutive no-finding inspections of one enterprise until a supervisor explains them."""

    default_code = "watch.explanation_required"
