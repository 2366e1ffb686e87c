"""jointinspect: coordinate the inspections a city's departments make of enterprises.

Plans are filed and merged into joint visits, whitelisted enterprises are spared, visit
frequency is capped, inspectors check in with signed QR codes, results are shared between
departments, problems are tracked until fixed, and supervisors are warned when a rule is
broken. Start with `Engine`::

    from jointinspect import Engine, MemoryStore, FixedClock, MemoryKeyStore

    engine = Engine(store=MemoryStore(), clock=FixedClock(...), keys=MemoryKeyStore.from_seed(b"..."))
"""

from jointinspect._version import __version__
from jointinspect.audit import AuditEntry, AuditRecord
from jointinspect.auth import Principal, PrincipalKind
from jointinspect.clock import FixedClock, SystemClock
from jointinspect.codes import CodeClaims, CodeKind, MemoryKeyStore, qr_png, qr_svg
from jointinspect.codes.offline import OfflineRecord, SignedOfflineRecord, sign_offline  # issue 12
from jointinspect.engine import Engine
from jointinspect.errors import (
    ApprovalError,
    AuditChainBroken,
    CheckInRejected,
    ConcurrencyConflict,
    FilingRejected,
    Forbidden,
    FrequencyBlocked,
    IllegalTransition,
    InspectionWatchBlocked,
    IntegrityError,
    JointInspectError,
    NotFoundError,
    OperationalError,
    PolicyError,
    StorageError,
    TokenError,
    ValidationError,
)
from jointinspect.memory import MemoryLedger, MemoryReplayGuard, MemoryStore
from jointinspect.model import (
    Complaint,
    ComplaintReason,
    CoordinateSystem,
    CreditClass,
    Department,
    Enterprise,
    Evaluation,
    GeoPoint,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Inspector,
    Notification,
    Outcome,
    Plan,
    PlanStatus,
    Rectification,
    RectificationState,
    ResultRecord,
    Role,
    Scenario,
    SupervisionItem,
    Visit,
    Window,
)
from jointinspect.model.quiet_slot import QuietSlot  # issue 12
from jointinspect.operations.spot_checks import SpotCheckOutcome, SpotCheckRequest  # issue 12
from jointinspect.policy import Policy, load_policy, load_policy_file, preset
from jointinspect.relay import CollectingNotifier, deliver_pending
from jointinspect.requests import BulkItem, BulkOutcome, CodeView, FilingOutcome, IssuedCode, PlanRequest, ResultOutcome
from jointinspect.rules.matching import Group, match_batch
from jointinspect.rules.spot_check import verify_draw  # issue 12
from jointinspect.stores import open_store

__all__ = [
    "ApprovalError",
    "AuditChainBroken",
    "AuditEntry",
    "AuditRecord",
    "BulkItem",
    "BulkOutcome",
    "CheckInRejected",
    "CodeClaims",
    "CodeKind",
    "CodeView",
    "CollectingNotifier",
    "Complaint",
    "ComplaintReason",
    "ConcurrencyConflict",
    "CoordinateSystem",
    "CreditClass",
    "Department",
    "Engine",
    "Enterprise",
    "Evaluation",
    "FilingOutcome",
    "FilingRejected",
    "FixedClock",
    "Forbidden",
    "FrequencyBlocked",
    "GeoPoint",
    "Group",
    "IllegalTransition",
    "Inspection",
    "InspectionKind",
    "InspectionStatus",
    "InspectionWatchBlocked",
    "Inspector",
    "IntegrityError",
    "IssuedCode",
    "JointInspectError",
    "MemoryKeyStore",
    "MemoryLedger",
    "MemoryReplayGuard",
    "MemoryStore",
    "NotFoundError",
    "Notification",
    "OfflineRecord",
    "OperationalError",
    "Outcome",
    "Plan",
    "PlanRequest",
    "PlanStatus",
    "Policy",
    "PolicyError",
    "Principal",
    "PrincipalKind",
    "QuietSlot",
    "Rectification",
    "RectificationState",
    "ResultOutcome",
    "ResultRecord",
    "Role",
    "Scenario",
    "SignedOfflineRecord",
    "SpotCheckOutcome",
    "SpotCheckRequest",
    "StorageError",
    "SupervisionItem",
    "SystemClock",
    "TokenError",
    "ValidationError",
    "Visit",
    "Window",
    "__version__",
    "deliver_pending",
    "load_policy",
    "load_policy_file",
    "match_batch",
    "open_store",
    "preset",
    "qr_png",
    "qr_svg",
    "sign_offline",
    "verify_draw",
]
