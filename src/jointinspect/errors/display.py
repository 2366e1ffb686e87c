"""How details read in messages: the display zone for instants, Chinese names of enum values
and rule periods, the derived template fields, and the formatting that never hides an error."""

from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from jointinspect.errors.records import record_zh

#: The default zone in which instants are shown in messages (the details keep the values
#: as given). A city whose policy names another zone may call `set_display_zone`.
DISPLAY_ZONE = "Asia/Shanghai"
_display = {"zone": DISPLAY_ZONE}


def set_display_zone(zone: str) -> None:
    """Show instants in messages in ``zone`` (an IANA name such as ``"Asia/Urumqi"``)."""
    zoneinfo.ZoneInfo(zone)  # refuse an unknown zone now rather than when formatting
    _display["zone"] = zone


def display_zone() -> str:
    """The zone in which messages show instants."""
    return _display["zone"]


#: Chinese names of the enum values that appear in messages, keyed by (enum name, value).
#: Kept here as data so that every module's enums read in Chinese in ``message_zh``.
ZH_LABELS: Mapping[tuple[str, str], str] = {
    ("InspectionKind", "routine"): "例行",
    ("InspectionKind", "random"): "双随机",
    ("InspectionKind", "special"): "专项",
    ("InspectionKind", "complaint"): "投诉",
    ("InspectionKind", "report"): "举报",
    ("InspectionKind", "assigned"): "上级交办",
    ("InspectionKind", "referral"): "移送",
    ("InspectionKind", "data"): "数据触发",
    ("InspectionKind", "emergency"): "应急",
    ("Role", "department"): "执法部门",
    ("Role", "legal_office"): "政策法规科室",
    ("Role", "supervisor"): "司法行政部门",
    ("Role", "discipline"): "纪委监委",
    ("Role", "enterprise"): "企业",
    ("Role", "inspector"): "执法人员",
    ("PlanStatus", "pending_approval"): "待审批",
    ("PlanStatus", "active"): "有效",
    ("PlanStatus", "rejected"): "已驳回",
    ("PlanStatus", "withdrawn"): "已撤回",
    ("InspectionStatus", "planned"): "已计划",
    ("InspectionStatus", "in_progress"): "检查中",
    ("InspectionStatus", "completed"): "已完成",
    ("InspectionStatus", "superseded"): "已合并",
    ("InspectionStatus", "cancelled"): "已取消",
    ("RectificationState", "open"): "待整改",
    ("RectificationState", "submitted"): "已提交",
    ("RectificationState", "overdue"): "已逾期",
    ("RectificationState", "accepted"): "已验收",
    ("RectificationState", "refused"): "拒不整改",
    ("RectificationAction", "submit"): "提交整改",
    ("RectificationAction", "accept"): "验收",
    ("RectificationAction", "reject"): "退回",
    ("RectificationAction", "mark_overdue"): "标记逾期",
    ("RectificationAction", "refuse"): "拒不整改",
    ("CodeKind", "inspection"): "检查",
    ("CodeKind", "enterprise"): "企业",
    ("ComplaintReason", "no_scan"): "未扫码入企",
    ("ComplaintReason", "misconduct"): "执法不规范",
    ("ComplaintReason", "over_frequency"): "检查过频",
    ("ComplaintReason", "unsatisfied"): "不满意",
    ("ComplaintReason", "other"): "其他",
    ("Outcome", "pass"): "合格",
    ("Outcome", "fail"): "不合格",
    ("Outcome", "not_applicable"): "不适用",
    ("CreditClass", "A"): "甲",
    ("CreditClass", "B"): "乙",
    ("CreditClass", "C"): "丙",
    ("CreditClass", "D"): "丁",
    ("CoordinateSystem", "WGS84"): "卫星定位坐标",
    ("CoordinateSystem", "GCJ02"): "国测局坐标",
    ("CoordinateSystem", "BD09"): "百度坐标",
    ("PenaltyKind", "admonition"): "警告、通报批评",
    ("PenaltyKind", "fine"): "罚款",
    ("PenaltyKind", "confiscation"): "没收",
    ("PenaltyKind", "suspension"): "暂扣许可证件或责令停产停业",
    ("PenaltyKind", "revocation"): "吊销许可证件",
    ("PenaltyKind", "restriction"): "限制生产经营活动",
    ("PenaltyState", "public"): "公示中",
    ("PenaltyState", "repair_applied"): "已申请修复",
    ("PenaltyState", "repaired"): "已修复",
    ("ReviewState", "requested"): "待审核",
    ("ReviewState", "approved"): "审核通过",
    ("ReviewState", "returned"): "已退回",
}

#: English and Chinese names of the enums named in ``input.not_member``.
ENUM_NAMES: Mapping[str, tuple[str, str]] = {
    "InspectionKind": ("inspection kind", "检查类型"),
    "Role": ("role", "角色"),
    "PlanStatus": ("plan status", "计划状态"),
    "InspectionStatus": ("inspection status", "检查状态"),
    "RectificationState": ("rectification state", "整改状态"),
    "ComplaintReason": ("complaint reason", "投诉原因"),
    "Outcome": ("outcome", "检查结论"),
    "CreditClass": ("credit class", "信用等级"),
    "CoordinateSystem": ("coordinate system", "坐标系"),
    "PenaltyKind": ("penalty kind", "处罚种类"),
    "PenaltyState": ("penalty state", "处罚状态"),
    "ReviewState": ("review state", "审核状态"),
}

#: Template fields computed when a message is rendered (`display_fields`), not passed by raisers.
DERIVED_FIELDS = frozenset({"enum_en", "enum_zh", "scope_en", "scope_zh"})

_PERIOD_ZH = {"day": "自然日", "week": "自然周", "month": "自然月", "year": "自然年"}
_ROLLING = re.compile(r"(\d+) days")
_CALENDAR = re.compile(r"calendar (day|week|month|year)")
# An instant a caller passed as ``isoformat()`` text in UTC; shown in the display zone.
_UTC_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


def display_value(value: Any, *, zh: bool = False) -> Any:
    """How one detail value reads in a message.

    Instants (aware datetimes, or UTC ``isoformat()`` text) are shown in `DISPLAY_ZONE`;
    enum members by value in English and by Chinese name (`ZH_LABELS`) in Chinese; rule
    periods ("7 days", "calendar year") in Chinese in Chinese messages.
    """
    if isinstance(value, enum.Enum):
        raw = str(value.value)
        return ZH_LABELS.get((type(value).__name__, raw), raw) if zh else raw
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return _in_zone(value)
    if isinstance(value, str):
        if _UTC_ISO.fullmatch(value):
            try:
                return _in_zone(dt.datetime.fromisoformat(value))
            except (ValueError, OverflowError):
                return value
        if zh:
            if m := _ROLLING.fullmatch(value):
                return f"{m.group(1)} 天"
            if m := _CALENDAR.fullmatch(value):
                return _PERIOD_ZH[m.group(1)]
    return value


def _in_zone(value: dt.datetime) -> str:
    try:
        local = value.astimezone(zoneinfo.ZoneInfo(_display["zone"]))
    except (OverflowError, ValueError):
        return value.isoformat()
    return local.replace(microsecond=0).isoformat(sep=" ")


def display_fields(fields: Mapping[str, Any], *, zh: bool) -> dict[str, Any]:
    """The details as they read in a message (see `display_value`), plus derived fields."""
    shown = {k: display_value(v, zh=zh) for k, v in fields.items()}
    if zh and type(fields.get("kind")) is str:  # a record kind; enum kinds read via ZH_LABELS
        shown["kind"] = record_zh(fields["kind"])
    # Chinese text of a free-text reason, when the raiser gives one.
    if zh and "reason_zh" in fields:
        shown["reason"] = fields["reason_zh"]
    if "enum" in fields:
        en_name, zh_name = ENUM_NAMES.get(str(fields["enum"]), (str(fields["enum"]), str(fields["enum"])))
        shown.setdefault("enum_en", en_name)
        shown.setdefault("enum_zh", zh_name)
    shown.setdefault("enum_en", "value")
    shown.setdefault("enum_zh", "取值")
    # frequency.blocked: name the department (or inspector) a scoped rule counted for.
    scope = fields.get("scope")
    shown.setdefault("scope_en", f" by {scope}" if scope else "")
    shown.setdefault("scope_zh", f"由 {scope} " if scope else "")
    return shown


def format_message(template: str, fields: Mapping[str, Any]) -> str:
    """``template`` filled from ``fields``; on a missing field, the template and the values."""
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        # A missing field must never hide the original error; show the template and values.
        return f"{template} {dict(fields)}"
