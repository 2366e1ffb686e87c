"""Outcomes side by side, as JSON and CSV (one row per figure, one column per policy)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from jointinspect_simulate.replay import BUCKETS, Outcome

__all__ = ["FIGURES", "rows", "to_csv", "to_json"]

#: The figures in order: (key, English label, Chinese label).
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("plans", "plans in the history", "历史计划数"),
    ("refused_short", "refused: window too short", "因时段过短被拒"),
    ("refused_late", "refused: too little notice", "因报备不及时被拒"),
    ("whitelist_spared", "spared by the whitelist", "白名单免检"),
    ("whitelist_approval", "needing whitelist approval", "白名单需审批"),
    ("visits_blocked", "visits blocked by frequency caps", "超频次拦截的检查"),
    ("plans_blocked", "plans blocked by frequency caps", "超频次拦截的计划"),
    ("visits_warned", "visits warned by frequency caps", "超频次预警的检查"),
    ("plans_warned", "plans in warned visits", "预警检查所含计划"),
    ("plans_visited", "plans carried out", "实施的计划"),
    ("visits", "visits", "入企检查"),
    ("repeat_visits_avoided", "repeat visits avoided", "减少重复检查"),
    ("joint_visits", "joint visits", "联合检查"),
    ("plans_in_joint_visits", "plans in joint visits", "联合检查所含计划"),
    ("joint_visit_rate", "joint-visit rate", "联合检查率"),
    ("enterprises_visited", "enterprises visited", "被检查企业"),
    *((f"visits_per_enterprise.{b[0]}", f"enterprises with {b[0]} visits", f"被检查 {b[0]} 次的企业") for b in BUCKETS),
)


def _flat(outcome: Outcome) -> dict[str, Any]:
    d = outcome.as_dict()
    for label, count in d.pop("visits_per_enterprise").items():
        d[f"visits_per_enterprise.{label}"] = count
    return d


def rows(outcomes: Sequence[Outcome]) -> list[tuple[str, str, str, list[Any]]]:
    """(key, English label, Chinese label, one value per outcome) for each figure."""
    flat = [_flat(o) for o in outcomes]
    return [(key, en, zh, [f[key] for f in flat]) for key, en, zh in FIGURES]


def to_json(outcomes: Sequence[Outcome], meta: Mapping[str, Any] | None = None) -> str:
    """``{"meta": ..., "outcomes": [...]}``: each outcome with its derived figures."""
    return json.dumps(
        {"meta": dict(meta or {}), "outcomes": [o.as_dict() for o in outcomes]}, ensure_ascii=False, indent=2
    )


def to_csv(outcomes: Sequence[Outcome]) -> str:
    """A header ``figure,指标,<policy>...`` and one row per figure."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["figure", "指标", *(o.policy for o in outcomes)])
    for _, en, zh, values in rows(outcomes):
        w.writerow([en, zh, *values])
    return buf.getvalue()
