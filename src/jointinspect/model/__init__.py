"""Value objects of the domain (``attrs`` frozen classes), re-exported for convenience."""

from jointinspect.model.conflict import ConflictFlag
from jointinspect.model.feedback import Complaint, ComplaintReason, Evaluation
from jointinspect.model.guidance import ListKind, LoopStage, LoopStep
from jointinspect.model.notification import Notification, Role
from jointinspect.model.plan import (
    TRIGGERED_KINDS,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Plan,
    PlanStatus,
    Window,
)
from jointinspect.model.rectification import (
    Rectification,
    RectificationEvent,
    RectificationState,
)
from jointinspect.model.reference import (
    CoordinateSystem,
    CreditClass,
    Department,
    Enterprise,
    GeoPoint,
    Inspector,
    Scenario,
    SupervisionItem,
    validate_credit_code,
)
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.model.visit import Visit
from jointinspect.model.watch import InspectorStreak, NoFindingVisit

__all__ = [
    "TRIGGERED_KINDS",
    "Complaint",
    "ComplaintReason",
    "ConflictFlag",
    "CoordinateSystem",
    "CreditClass",
    "Department",
    "Enterprise",
    "Evaluation",
    "GeoPoint",
    "Inspection",
    "InspectionKind",
    "InspectionStatus",
    "Inspector",
    "InspectorStreak",
    "ListKind",
    "LoopStage",
    "LoopStep",
    "NoFindingVisit",
    "Notification",
    "Outcome",
    "Plan",
    "PlanStatus",
    "Rectification",
    "RectificationEvent",
    "RectificationState",
    "ResultRecord",
    "Role",
    "Scenario",
    "SupervisionItem",
    "Visit",
    "Window",
    "validate_credit_code",
]
