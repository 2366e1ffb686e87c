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
    # Chengdu: more than 1 a day, 2 a week, 3 a month is flagged.
    "chengdu": {
        "name": "chengdu",
        "frequency": [
            {"name": "more_than_1_a_day", "limit": 1, "action": "warn", "period": "day"},
            {"name": "more_than_2_a_week", "limit": 2, "action": "warn", "period": "week"},
            {"name": "more_than_3_a_month", "limit": 3, "action": "warn", "period": "month"},
        ],
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
    # Dezhou: a fine of 260,000 yuan or more (and any revocation or suspension) needs the
    # legal office's approval before the decision; the office answers within 5 days.
    "dezhou": {
        "name": "dezhou",
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
