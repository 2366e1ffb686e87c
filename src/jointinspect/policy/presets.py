"""Presets: each city's rules from the source articles, as plain policy data.

Each preset is a dict (what a city would write in TOML) so that it documents itself and
goes through the same validation as a city's own file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jointinspect.errors import PolicyError
from jointinspect.policy.schema import Policy, load_policy

_PLANNED = ["routine", "random", "special"]
_ALL = ["routine", "random", "special", "complaint", "report", "assigned", "referral", "data", "emergency"]

PRESETS: Mapping[str, Mapping[str, Any]] = {
    # Wuhu: one planned code per enterprise per 7 days; triggered warned; >2/7d, >3/30d warned.
    "wuhu": {"name": "wuhu"},
    # Yantai: 7 calendar days' notice, whitelist for good credit needs justice approval,
    # same-item records of the last half year shared.
    "yantai": {
        "name": "yantai",
        "filing": {"advance": 7, "unit": "calendar"},
        "whitelist": {"classes": {"A": "limited"}, "approvers": ["supervisor"]},
        "sharing": {"lookback_months": 6},
        # Licence expiry prewarning: enterprise and issuing department warned a month ahead.
        "licences": {"lead_days": [30]},
    },
    # Yucheng (Dezhou): 4 visits to one enterprise within 15 days is a supervision warning.
    "yucheng": {
        "name": "yucheng",
        "frequency": [
            {"name": "four_in_15_days", "limit": 3, "action": "warn", "window_days": 15},
        ],
    },
    # Chengdu: more than 1 a day, 2 a week, 3 a month is flagged; an inspector with 3
    # consecutive no-finding inspections of one enterprise in a year is blocked until a
    # supervisor records an explanation.
    "chengdu": {
        "name": "chengdu",
        "frequency": [
            {"name": "more_than_1_a_day", "limit": 1, "action": "warn", "period": "day"},
            {"name": "more_than_2_a_week", "limit": 2, "action": "warn", "period": "week"},
            {"name": "more_than_3_a_month", "limit": 3, "action": "warn", "period": "month"},
        ],
        "watch": {"consecutive": 3, "window_days": 365},
    },
    # Haigang (Qinhuangdao): "inspect once, comprehensively" by scenario lists; a first minor
    # violation on the "first violation, no penalty" list becomes guidance.
    # First-violation and minor-violation lists (286 items in 18 fields). A city
    # lists its own items; these entries use the example city's item codes
    # (`jointinspect.sample`) so that the preset runs as it is. A second violation within
    # 12 months is no longer a first one.
    "haigang": {
        "name": "haigang",
        "rectification": {"first_violation_guidance": True},
        "guidance": {
            "period_months": 12,
            "items": [
                {"item": "SCJG-02", "circumstance": "未按规定公示,及时改正", "field": "市场监管"},
                {"item": "SCJG-04", "kind": "minor", "field": "市场监管"},
                {
                    "item": "STHJ-02",
                    "kind": "minor",
                    "circumstance": "台账记录不全,未造成危害后果",
                    "field": "生态环境",
                },
                {"item": "YJGL-02", "circumstance": "责任制未上墙,及时改正", "field": "应急管理"},
            ],
        },
    },
    # X city: plans coordinated per enterprise, not only per item (its stated gap), led by the
    # department with most items; rectification followed to the end (the article gives no
    # deadline: 15 days); the guidance-penalty-assistance loop, and its open problem of conflicting
    # standards (environment: windows closed against volatile gases; emergency
    # management: windows open against explosions), flagged before a joint visit.
    "x_city": {
        "name": "x_city",
        "matching": {"min_common_hours": 2, "lead_rule": "most_items"},
        "rectification": {"deadline_days": 15, "first_violation_guidance": True},
        "guidance": {"period_months": 12, "items": [{"item": "STHJ-02", "kind": "minor", "field": "生态环境"}]},
        "conflicts": {
            "declared": [
                {
                    "item": "STHJ-01",
                    "conflicts_with": "YJGL-01",
                    "topic": "含挥发性有机物废气的场所:生态环境要求关窗生产,应急管理要求开窗防爆",
                },
            ],
        },
    },
    # Xianning: at most 2 a year by the same agency on one enterprise (complaints exempt).
    "xianning": {
        "name": "xianning",
        "frequency": [
            {
                "name": "two_a_year_per_agency",
                "limit": 2,
                "action": "block",
                "scope": "enterprise_department",
                "period": "year",
                "applies_to": _PLANNED,
                "counts": _PLANNED,
            },
        ],
    },
    # Hainan: same enterprise twice within 60 days is warned.
    "hainan": {
        "name": "hainan",
        "frequency": [{"name": "twice_in_60_days", "limit": 1, "action": "warn", "window_days": 60}],
    },
    # Nanchang: 7 working days' notice.
    "nanchang": {"name": "nanchang", "filing": {"advance": 7, "unit": "working"}},
    # A county with a quiet period: no routine inspections on days 1-15 of the month.
    "quiet_county": {
        "name": "quiet_county",
        "filing": {"quiet_days": list(range(1, 16)), "quiet_kinds": ["routine"]},
    },
    # Laizhou: whitelisted inspections need the legal section and the justice bureau.
    "laizhou": {
        "name": "laizhou",
        "whitelist": {"classes": {"A": "limited"}, "approvers": ["legal_office", "supervisor"]},
    },
    # An inspector with the same enterprise more than twice in 30 days is flagged
    # (per-inspector scope, in the spirit of Chengdu's inspector rule).
    "inspector_watch": {
        "name": "inspector_watch",
        "frequency": [
            {
                "name": "inspector_twice_in_30_days",
                "limit": 2,
                "action": "warn",
                "scope": "inspector_enterprise",
                "window_days": 30,
                "counts": _ALL,
            },
        ],
    },
    # One county's random spot checks (双随机、一公开) by credit class: A at most 5%, B 5-20%,
    # C 21-60%, D 61-100%, at least two inspectors per enterprise (issue 12).
    "spot_county": {
        "name": "spot_county",
        "spot_check": {
            "ratios": {
                "A": {"minimum": 0.0, "maximum": 0.05},
                "B": {"minimum": 0.05, "maximum": 0.2},
                "C": {"minimum": 0.21, "maximum": 0.6},
                "D": {"minimum": 0.61, "maximum": 1.0},
            },
            "inspectors_per_enterprise": 2,
        },
    },
    # Shenzhen: in an emergency or outage inspect first; offline records may be filled in
    # within 10 natural days (issue 12).
    "shenzhen": {"name": "shenzhen", "offline_checkin": {"fill_in_days": 10}},
    # Enterprise quiet slots (beyond the seeds): two production peaks a year, at most 15
    # days each and 30 days in all, honoured by routine and random visits (issue 12).
    "quiet_enterprise": {
        "name": "quiet_enterprise",
        "quiet_slots": {
            "max_slots_per_year": 2,
            "max_days_per_slot": 15,
            "max_days_per_year": 30,
            "kinds": ["routine", "random"],
        },
    },
    # Anhui (Wuhu): penalties repairable after 6 months of publicity, 1 year for food, drugs
    # and special equipment; admonitions repaired automatically, the rest on application.
    "anhui": {
        "name": "anhui",
        "credit_repair": {
            "min_months": 6,
            "long_months": 12,
            "long_fields": ["food", "drugs", "special_equipment"],
            "automatic_kinds": ["admonition"],
        },
    },
    # Dezhou (Lingcheng, Yucheng): inspectors scan the code posted at the gate, the platform
    # locates them, and 4 visits to one enterprise within 15 days warn the discipline
    # commission; a fine of 260,000 yuan or more (and any revocation or suspension) needs the
    # legal office's approval before the decision, answered within 5 days.
    "dezhou": {
        "name": "dezhou",
        "checkin": {"require_enterprise_scan": True, "radius_m": 300.0},
        "frequency": [
            {"name": "four_in_15_days", "limit": 3, "action": "warn", "window_days": 15, "notify": "discipline"},
        ],
        "legal_review": {
            "major_fine_fen": 26_000_000,
            "major_kinds": ["revocation", "suspension"],
            "deadline_days": 5,
        },
    },
}


def preset(name: str, **overrides: Any) -> Policy:
    """The named preset as a `Policy`; top-level ``overrides`` replace sections.

    Raises:
        PolicyError: for an unknown preset name or invalid overrides.
    """
    if name not in PRESETS:
        raise PolicyError(
            reason=f"unknown preset {name!r}; known: {sorted(PRESETS)}",
            reason_zh=f"未知的预设 {name!r},已知预设:{sorted(PRESETS)}",
        )
    data: dict[str, Any] = {**PRESETS[name], **overrides}
    return load_policy(data)
