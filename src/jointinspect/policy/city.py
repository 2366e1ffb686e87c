"""A city's policy as a whole: `Policy`, one field per rule group, with the checks that
span groups."""

# The groups are frozen attrs classes from sibling modules: safe shared defaults, which ruff
# cannot see across modules.
# ruff: noqa: RUF009

from __future__ import annotations

import zoneinfo
from typing import Any

import attrs

from jointinspect.errors import PolicyError
from jointinspect.policy.checks import _policy_name
from jointinspect.policy.converter import CONVERTER, plain
from jointinspect.policy.fieldwork import OfflineCheckInPolicy, QuietSlotPolicy, SpotCheckPolicy
from jointinspect.policy.inspections import (
    CheckInPolicy,
    FilingPolicy,
    FrequencyRule,
    MatchingPolicy,
    RectificationPolicy,
    SharingPolicy,
    WhitelistPolicy,
    wuhu_rules,
)
from jointinspect.policy.meanings import MEANINGS
from jointinspect.policy.oversight import ConflictPolicy, GuidancePolicy, WatchPolicy
from jointinspect.policy.seeds import CreditRepairPolicy, LegalReviewPolicy, LicencePolicy
from jointinspect.policy.system import AuditPolicy, AuthorizationPolicy, CodesPolicy, DeliveryPolicy, MaintenancePolicy


def _zone(_: object, __: attrs.Attribute[str], value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError(reason=f"unknown time zone {value!r}", reason_zh=f"未知的时区 {value!r}") from exc


@attrs.frozen
class Policy:
    """Everything configurable, with Wuhu/Yantai defaults. Build with `load_policy`."""

    name: str = attrs.field(metadata=MEANINGS["Policy.name"], default="default", converter=_policy_name)
    zone: str = attrs.field(metadata=MEANINGS["Policy.zone"], default="Asia/Shanghai", validator=_zone)
    filing: FilingPolicy = FilingPolicy()
    whitelist: WhitelistPolicy = WhitelistPolicy()
    matching: MatchingPolicy = MatchingPolicy()
    frequency: tuple[FrequencyRule, ...] = attrs.field(factory=wuhu_rules)
    checkin: CheckInPolicy = CheckInPolicy()
    sharing: SharingPolicy = SharingPolicy()
    rectification: RectificationPolicy = RectificationPolicy()
    authorization: AuthorizationPolicy = AuthorizationPolicy()
    codes: CodesPolicy = CodesPolicy()
    audit: AuditPolicy = AuditPolicy()
    maintenance: MaintenancePolicy = MaintenancePolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    guidance: GuidancePolicy = attrs.field(
        factory=GuidancePolicy, metadata={"zh": "首违不罚、轻微免罚清单", "unit": "", "source": "Haigang"}
    )
    watch: WatchPolicy = attrs.field(
        factory=WatchPolicy, metadata={"zh": "无效检查监测", "unit": "", "source": "Chengdu"}
    )
    conflicts: ConflictPolicy = attrs.field(
        factory=ConflictPolicy, metadata={"zh": "部门间检查标准冲突", "unit": "", "source": "X city"}
    )
    spot_check: SpotCheckPolicy = attrs.field(factory=SpotCheckPolicy)
    offline_checkin: OfflineCheckInPolicy = attrs.field(factory=OfflineCheckInPolicy)
    quiet_slots: QuietSlotPolicy = attrs.field(factory=QuietSlotPolicy)
    licences: LicencePolicy = attrs.field(factory=LicencePolicy)
    credit_repair: CreditRepairPolicy = attrs.field(factory=CreditRepairPolicy)
    legal_review: LegalReviewPolicy = attrs.field(factory=LegalReviewPolicy)

    def __attrs_post_init__(self) -> None:
        if self.checkin.enterprise_code_days > self.codes.max_lifetime_days:
            raise PolicyError(
                reason="checkin.enterprise_code_days exceeds codes.max_lifetime_days",
                reason_zh="checkin.enterprise_code_days 超过了 codes.max_lifetime_days",
            )
        names = [r.name for r in self.frequency]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PolicyError(reason=f"frequency rule names repeat: {dupes}", reason_zh=f"频次规则名称重复:{dupes}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for TOML/JSON), the inverse of `load_policy`."""
        return plain(CONVERTER.unstructure(self))  # type: ignore[no-any-return]
