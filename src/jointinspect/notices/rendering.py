"""Rendering a notification in Chinese or English: instants shown in the policy zone, codes
shown as names through a `NameLookup`, enumerations shown as words of the language."""

from __future__ import annotations

import string
from collections.abc import Mapping

import pendulum

from jointinspect.model.notification import Notification, Role
from jointinspect.notices._types import Field, Lang, RenderedNotice
from jointinspect.notices.catalogue import notice_for
from jointinspect.notices.names import NameLookup, NoNames

_LABELS: Mapping[str, tuple[str, str]] = {
    # InspectionKind
    "routine": ("日常检查", "routine inspection"),
    "random": ("双随机抽查", "random spot check"),
    "special": ("专项检查", "special inspection"),
    "complaint": ("投诉核查", "complaint investigation"),
    "report": ("举报核查", "report investigation"),
    "assigned": ("上级交办检查", "assigned inspection"),
    "referral": ("移送检查", "referral inspection"),
    "data": ("数据触发检查", "data-triggered inspection"),
    "emergency": ("应急检查", "emergency inspection"),
    # Licence kinds of the examples (others are shown as given)
    "food_business": ("食品经营许可证", "food business licence"),
    "food_production": ("食品生产许可证", "food production licence"),
    "drug_retail": ("药品经营许可证", "drug retail licence"),
    "special_equipment_use": ("特种设备使用登记证", "special equipment registration"),
    "public_hygiene": ("公共场所卫生许可证", "public hygiene licence"),
    # PenaltyKind
    "admonition": ("警告", "admonition"),
    "fine": ("罚款", "fine"),
    "confiscation": ("没收", "confiscation"),
    "suspension": ("暂扣许可或停产停业", "suspension"),
    "revocation": ("吊销许可证件", "revocation"),
    "restriction": ("限制生产经营", "restriction"),
    # ComplaintReason
    "no_scan": ("未扫码进入", "entry without a scan"),
    "misconduct": ("执法行为不规范", "misconduct"),
    "over_frequency": ("检查过于频繁", "too many inspections"),
    "unsatisfied": ("对检查不满意", "dissatisfaction"),
    "other": ("其他", "other"),
    # Role (as a recipient)
    "department": ("执法部门", "enforcement department"),
    "legal_office": ("政策法规科室", "legal office"),
    "supervisor": ("司法行政部门", "judicial administration"),
    "discipline": ("纪检监察机关", "discipline inspection commission"),
    "enterprise": ("企业", "enterprise"),
    "inspector": ("执法人员", "inspector"),
    "anonymous": ("匿名企业", "an anonymous enterprise"),
}

_FOOTER = (
    "\n\n通知编号:{key}\n发出时间:{at}(时区 {zone})",
    "\n\nNotice key: {key}\nIssued: {at} (time zone {zone})",
)


def _label(value: str, lang: Lang) -> str:
    pair = _LABELS.get(value)
    return value if pair is None else pair[0 if lang == "zh" else 1]


def _time(value: str, zone: str) -> str:
    try:
        instant = pendulum.parse(value)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        return value
    if not isinstance(instant, pendulum.DateTime):
        return value
    return instant.in_tz(zone).format("YYYY-MM-DD HH:mm")


def _show(field: Field, value: str, lang: Lang, names: NameLookup, zone: str) -> str:
    if field is Field.TIME:
        return _time(value, zone)
    if field is Field.ENTERPRISE:
        return names.enterprise(value) or value
    if field is Field.DEPARTMENT:
        return names.department(value) or value
    if field is Field.DEPARTMENTS:
        codes = [c for c in value.split(",") if c]
        return ("、" if lang == "zh" else ", ").join(names.department(c) or c for c in codes)
    if field is Field.INSPECTOR:
        return names.inspector(value) or value
    if field is Field.ITEM:
        return names.item(value) or value
    if field in (Field.KIND, Field.REASON):
        return _label(value, lang)
    if field is Field.RATER:
        return _label(value, lang) if value == "anonymous" else names.enterprise(value) or value
    return value


def template_fields(template: str) -> set[str]:
    """The names a template uses."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def render(
    notification: Notification,
    lang: Lang = "zh",
    *,
    names: NameLookup | None = None,
    zone: str = "Asia/Shanghai",
) -> RenderedNotice:
    """Render ``notification`` in ``lang``: times in ``zone``, names rather than codes.

    A payload key the notification lacks is shown as ``-``; an unknown kind renders
    through `GENERIC`.
    """
    names = names or NoNames()
    notice = notice_for(notification.kind)
    data = notification.data()
    values: dict[str, str] = {
        key: _show(field, data[key], lang, names, zone) if key in data else "-" for key, field in notice.fields.items()
    }
    values["subject"] = _show(notice.subject_field, notification.subject, lang, names, zone)
    values["kind"] = values.get("kind", notification.kind)
    values["key"] = notification.key
    values["at"] = _time(notification.at.isoformat(), zone)
    values["zone"] = zone
    i = 0 if lang == "zh" else 1
    return RenderedNotice(
        lang=lang,
        short=notice.short[i].format(**values),
        subject=notice.title[i].format(**values),
        body=notice.body[i].format(**values) + _FOOTER[i].format(**values),
    )


def role_label(role: Role, lang: Lang) -> str:
    """A role in words."""
    return _label(role.value, lang)
