"""One exception root, stable error codes, and messages in Chinese and English.

Every error raised on purpose by jointinspect is a `JointInspectError` whose
``code`` is stable across releases (callers and translators may key on it), whose
``message_en`` / ``message_zh`` say what is wrong, and whose ``details`` carry the values
involved. An operation that raises changes no state and emits nothing.

The catalogue `MESSAGES` is the one place where codes and texts live; a test checks
that every code raised anywhere in the package is catalogued.

The package holds the catalogue (``catalogue``), the exception classes (``exceptions``),
how details read in messages (``display``: the display zone, Chinese labels) and the
Chinese names of record kinds (``records``).
"""

from jointinspect.errors.catalogue import MESSAGES
from jointinspect.errors.display import (
    DERIVED_FIELDS,
    DISPLAY_ZONE,
    ENUM_NAMES,
    ZH_LABELS,
    display_fields,
    display_value,
    display_zone,
    set_display_zone,
)
from jointinspect.errors.exceptions import (
    ApprovalError,
    AuditChainBroken,
    CheckInRejected,
    ConcurrencyConflict,
    DeliveryFailed,
    DeliveryRejected,
    DurabilityError,
    FilingRejected,
    Forbidden,
    FrequencyBlocked,
    IdempotencyConflict,
    IllegalTransition,
    InspectionWatchBlocked,
    IntegrityError,
    JointInspectError,
    NotFoundError,
    NotifyConfigError,
    OperationalError,
    PolicyError,
    ReplicationError,
    StorageError,
    TokenError,
    ValidationError,
    WebhookRejected,
)
from jointinspect.errors.records import RECORD_KINDS_ZH, record_zh

__all__ = [
    "DERIVED_FIELDS",
    "DISPLAY_ZONE",
    "ENUM_NAMES",
    "MESSAGES",
    "RECORD_KINDS_ZH",
    "ZH_LABELS",
    "ApprovalError",
    "AuditChainBroken",
    "CheckInRejected",
    "ConcurrencyConflict",
    "DeliveryFailed",
    "DeliveryRejected",
    "DurabilityError",
    "FilingRejected",
    "Forbidden",
    "FrequencyBlocked",
    "IdempotencyConflict",
    "IllegalTransition",
    "InspectionWatchBlocked",
    "IntegrityError",
    "JointInspectError",
    "NotFoundError",
    "NotifyConfigError",
    "OperationalError",
    "PolicyError",
    "ReplicationError",
    "StorageError",
    "TokenError",
    "ValidationError",
    "WebhookRejected",
    "display_fields",
    "display_value",
    "display_zone",
    "record_zh",
    "set_display_zone",
]
