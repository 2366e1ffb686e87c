"""A city's rules as data: thresholds, windows, kinds, roles. Loaded from dicts or TOML.

Every number the source articles give is somebody's local rule, so none of them is code:
a `Policy` holds them, `load_policy` builds one from plain data (through
cattrs) and refuses inconsistent input with a `PolicyError`
that names the offending field.

The schema is spread over modules of `jointinspect.policy` by concern: the vocabulary
(``vocabulary``), the shared field checks and bounds (``checks``), the rule groups of the
inspection (``inspections``) and of the system (``system``), the whole `Policy` (``city``),
the strict converter (``converter``) and loading (``loading``). This module hands them on.
"""

from jointinspect.policy.checks import (
    MAX_ADVANCE_DAYS,
    MAX_ALLOWANCE_DAYS,
    MAX_ALLOWANCE_HOURS,
    MAX_COMMON_HOURS,
    MAX_DEADLINE_DAYS,
    MAX_ENTERPRISE_CODE_DAYS,
    MAX_LOOKBACK_MONTHS,
    MAX_MIN_INSPECTORS,
    MAX_RADIUS_M,
    MAX_RULE_LIMIT,
    MAX_TOLERANCE_MINUTES,
    MAX_WINDOW_DAYS,
)
from jointinspect.policy.city import Policy
from jointinspect.policy.inspections import (
    Allowance,
    CheckInPolicy,
    Direction,
    FilingPolicy,
    FrequencyRule,
    MatchingPolicy,
    RectificationPolicy,
    SharingPolicy,
    WhitelistPolicy,
    wuhu_rules,
)
from jointinspect.policy.loading import MAX_POLICY_FILE_BYTES, load_policy, load_policy_file
from jointinspect.policy.system import (
    MAX_CODE_LIFETIME_DAYS,
    MAX_RETENTION_DAYS,
    PRINCIPAL_KINDS,
    AuditPolicy,
    AuthorizationPolicy,
    CodesPolicy,
    DeliveryPolicy,
    MaintenancePolicy,
)
from jointinspect.policy.vocabulary import (
    ALL_KINDS,
    PLANNED_KINDS,
    CalendarFallback,
    DayUnit,
    LeadRule,
    Period,
    WhitelistMode,
)

__all__ = [
    "ALL_KINDS",
    "MAX_ADVANCE_DAYS",
    "MAX_ALLOWANCE_DAYS",
    "MAX_ALLOWANCE_HOURS",
    "MAX_CODE_LIFETIME_DAYS",
    "MAX_COMMON_HOURS",
    "MAX_DEADLINE_DAYS",
    "MAX_ENTERPRISE_CODE_DAYS",
    "MAX_LOOKBACK_MONTHS",
    "MAX_MIN_INSPECTORS",
    "MAX_POLICY_FILE_BYTES",
    "MAX_RADIUS_M",
    "MAX_RETENTION_DAYS",
    "MAX_RULE_LIMIT",
    "MAX_TOLERANCE_MINUTES",
    "MAX_WINDOW_DAYS",
    "PLANNED_KINDS",
    "PRINCIPAL_KINDS",
    "Allowance",
    "AuditPolicy",
    "AuthorizationPolicy",
    "CalendarFallback",
    "CheckInPolicy",
    "CodesPolicy",
    "DayUnit",
    "DeliveryPolicy",
    "Direction",
    "FilingPolicy",
    "FrequencyRule",
    "LeadRule",
    "MaintenancePolicy",
    "MatchingPolicy",
    "Period",
    "Policy",
    "RectificationPolicy",
    "SharingPolicy",
    "WhitelistMode",
    "WhitelistPolicy",
    "load_policy",
    "load_policy_file",
    "wuhu_rules",
]
