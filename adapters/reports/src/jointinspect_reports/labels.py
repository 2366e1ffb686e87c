"""The charts' words in Chinese (default) and English."""

from __future__ import annotations

from typing import Literal

from jointinspect.errors import ZH_LABELS

Lang = Literal["zh", "en"]

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("督办指标 {start} 至 {end}", "Supervision KPIs {start} to {end}"),
    "plans": ("各部门各月备案检查计划", "Plans filed per department and month"),
    "plans_axis": ("计划数", "plans"),
    "rates": ("关键比率", "Key rates"),
    "rates_axis": ("百分比", "percent"),
    "joint_visit_rate": ("联合检查率", "joint-visit rate"),
    "advance_notice_compliance": ("提前备案合规率", "advance notice"),
    "enterprise_code_scan_rate": ("扫企业码率", "enterprise-code scans"),
    "rectifications": ("整改情况", "Rectifications"),
    "opened": ("已立案", "opened"),
    "closed": ("已验收", "closed"),
    "overdue": ("已逾期", "overdue"),
    "guidance": ("首违不罚", "guidance"),
    "complaints": ("投诉(按原因)", "Complaints by reason"),
    "complaints_axis": ("件数", "complaints"),
    "none": ("无", "none"),
    "summary": (
        "备案 {plans} 件 · 检查 {visits} 次(联合 {joint} 次)· 减少重复检查 {avoided} 次 · "
        "评价 {ratings} 次,平均 {mean} 分",
        "{plans} plans · {visits} visits ({joint} joint) · {avoided} repeat visits avoided · "
        "{ratings} ratings, mean {mean}",
    ),
}


def text(key: str, lang: Lang, **fields: object) -> str:
    """The label ``key`` in ``lang``, with ``fields`` filled in."""
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**fields)


def reason(value: str, lang: Lang) -> str:
    """A complaint reason (``no_scan`` ...) in words."""
    if lang == "zh":
        return ZH_LABELS.get(("ComplaintReason", value), value)
    return value.replace("_", " ")
