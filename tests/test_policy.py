"""Policies as data: loading from dicts and TOML, the round trip, and clear errors that name
the offending field."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.errors import PolicyError
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.policy import PRESETS, preset
from jointinspect.policy.schema import (
    DayUnit,
    LeadRule,
    Period,
    Policy,
    WhitelistMode,
    load_policy,
    load_policy_file,
    wuhu_rules,
)
from jointinspect.rules.frequency import Action, Scope

CITY_TOML = """
name = "example"
zone = "Asia/Shanghai"

[filing]
advance = 7
unit = "working"
quiet_days = [1, 2, 3]
quiet_kinds = ["routine"]
extra_holidays = [2030-01-01]
extra_workdays = ["2030-01-05"]

[whitelist]
classes = { A = "limited", B = "normal" }
explicit = "exempt"
approvers = ["legal_office", "supervisor"]

[matching]
min_common_hours = 3
lead_rule = "priority"
lead_priority = ["SCJG", "YJGL"]

[[frequency]]
name = "two_a_year"
limit = 2
action = "block"
scope = "enterprise_department"
period = "year"
applies_to = ["routine", "random"]
counts = ["routine", "random", "special"]

[[frequency]]
name = "hainan"
limit = 1
action = "warn"
window_days = 60
notify = "discipline"

[checkin]
radius_m = 300

[sharing]
lookback_months = 12
"""


def test_load_from_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    path.write_text(CITY_TOML, encoding="utf-8")
    policy = load_policy_file(path)
    assert policy.name == "example"
    assert policy.filing.unit is DayUnit.WORKING
    assert policy.filing.quiet_days == frozenset({1, 2, 3})
    assert policy.filing.quiet_kinds == frozenset({InspectionKind.ROUTINE})
    assert policy.filing.extra_holidays == frozenset({dt.date(2030, 1, 1)})
    assert policy.filing.extra_workdays == frozenset({dt.date(2030, 1, 5)})
    assert policy.whitelist.classes == {CreditClass.A: WhitelistMode.LIMITED, CreditClass.B: WhitelistMode.NORMAL}
    assert policy.whitelist.explicit is WhitelistMode.EXEMPT
    assert policy.whitelist.approvers == (Role.LEGAL_OFFICE, Role.SUPERVISOR)
    assert policy.matching.lead_rule is LeadRule.PRIORITY
    assert policy.matching.min_common_hours == 3
    first, second = policy.frequency
    assert (first.scope, first.period, first.action) == (Scope.ENTERPRISE_DEPARTMENT, Period.YEAR, Action.BLOCK)
    assert first.applies_to == frozenset({InspectionKind.ROUTINE, InspectionKind.RANDOM})
    assert (second.window_days, second.notify, second.period) == (60, Role.DISCIPLINE, None)
    assert policy.checkin.radius_m == 300.0
    assert policy.sharing.lookback_months == 12
    # Sections left out take the defaults.
    assert policy.rectification == Policy().rectification
    assert load_policy(tomllib.loads(CITY_TOML)) == policy


def test_defaults_are_wuhu_and_yantai() -> None:
    policy = load_policy({})
    assert policy == Policy()
    assert policy.frequency == wuhu_rules()
    assert (policy.filing.advance, policy.filing.unit) == (7, DayUnit.CALENDAR)
    assert policy.zone == "Asia/Shanghai"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_round_trip_through_plain_data_and_toml(name: str, tmp_path: Path) -> None:
    policy = preset(name)
    data = policy.to_dict()
    assert load_policy(data) == policy
    # Plain data: TOML can hold it (no None, no sets, no enums needed).
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    assert load_policy_file(path) == policy


def test_round_trip_of_a_full_policy(tmp_path: Path) -> None:
    policy = load_policy(tomllib.loads(CITY_TOML))
    assert load_policy(policy.to_dict()) == policy
    assert load_policy(tomllib.loads(tomli_w.dumps(policy.to_dict()))) == policy


@given(
    st.integers(0, 30),
    st.sampled_from(list(DayUnit)),
    st.sets(st.integers(1, 31), max_size=5),
    st.integers(1, 5),
    st.sampled_from([*Period, None]),
    st.integers(1, 90),
)
def test_round_trip_property(
    advance: int, unit: DayUnit, quiet: set[int], limit: int, period: Period | None, days: int
) -> None:
    rule: dict[str, Any] = {"name": "r", "limit": limit}
    rule.update({"period": period.value} if period else {"window_days": days})
    policy = load_policy(
        {"filing": {"advance": advance, "unit": unit.value, "quiet_days": sorted(quiet)}, "frequency": [rule]}
    )
    assert load_policy(policy.to_dict()) == policy
    assert load_policy(tomllib.loads(tomli_w.dumps(policy.to_dict()))) == policy


BAD: list[tuple[dict[str, Any], list[str]]] = [
    ({"bogus": 1}, ["bogus"]),
    ({"filing": {"advnce": 7}}, ["advnce", "filing"]),
    ({"frequency": [{"name": "a", "limit": 1, "window_days": 3, "windw": 1}]}, ["windw", "frequency[0]"]),
    ({"filing": {"advance": "seven"}}, ["filing.advance"]),
    ({"filing": {"advance": "7"}}, ["filing.advance"]),
    ({"filing": {"advance": True}}, ["filing.advance"]),
    ({"checkin": {"one_time_codes": "yes"}}, ["checkin.one_time_codes"]),
    ({"matching": {"lead_rule": "coin_toss"}}, ["matching.lead_rule"]),
    ({"frequency": [{"name": "a", "limit": 1, "window_days": 3, "action": "explode"}]}, ["frequency[0].action"]),
    ({"filing": {"advance": -1}}, ["advance", "negative", "filing"]),
    ({"frequency": [{"name": "a", "limit": -2, "window_days": 3}]}, ["limit", "negative", "frequency[0]"]),
    ({"matching": {"min_common_hours": -1}}, ["min_common_hours"]),
    ({"checkin": {"radius_m": -5}}, ["radius_m"]),
    ({"checkin": {"radius_m": 0}}, ["radius_m"]),
    ({"zone": "Mars/Olympus_Mons"}, ["Mars/Olympus_Mons"]),
    ({"frequency": [{"name": "a", "limit": 1}]}, ["'a'", "window_days", "period"]),
    ({"frequency": [{"name": "a", "limit": 1, "window_days": 7, "period": "week"}]}, ["'a'", "window_days", "period"]),
    ({"frequency": [{"name": "a", "limit": 1, "window_days": 0}]}, ["window_days"]),
    (
        {"frequency": [{"name": "dup", "limit": 1, "window_days": 7}, {"name": "dup", "limit": 2, "window_days": 30}]},
        ["dup", "repeat"],
    ),
    ({"filing": {"quiet_days": [0, 32]}}, ["quiet_days"]),
    ({"whitelist": {"approvers": []}}, ["approvers"]),
    ({"whitelist": {"classes": {"Z": "limited"}}}, ["whitelist.classes"]),
    ({"filing": {"extra_holidays": ["2030-02-30"]}}, ["extra_holidays"]),
]


@pytest.mark.parametrize(("data", "words"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_invalid_policies_name_the_field(data: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy(data)
    assert err.value.code == "policy.invalid"
    reason = str(err.value.details["reason"])
    for word in words:
        assert word in reason, (word, reason)
    # the Chinese message gives the Chinese of the reason (issue 10: wholly one language)
    assert reason in err.value.message_en and str(err.value.details["reason_zh"]) in err.value.message_zh
    assert not re.search(r"[a-z]{3,} [a-z]{3,}", err.value.message_zh), err.value.message_zh


def test_bad_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy_file(path)
    assert "broken.toml" in str(err.value.details["reason"])
    with pytest.raises(PolicyError):
        load_policy_file(tmp_path / "missing.toml")


def test_unknown_preset() -> None:
    with pytest.raises(PolicyError) as err:
        preset("atlantis")
    assert "atlantis" in str(err.value.details["reason"])


def test_preset_overrides_replace_sections() -> None:
    policy = preset("yantai", sharing={"lookback_months": 3})
    assert policy.sharing.lookback_months == 3
    assert policy.whitelist == preset("yantai").whitelist
