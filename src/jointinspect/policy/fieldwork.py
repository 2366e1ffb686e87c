"""Rules of three fieldwork capabilities (issue 12): random spot checks by credit class
(双随机、一公开), offline check-ins filled in after an emergency or outage (Shenzhen), and the
quiet slots an enterprise may declare against routine visits.

Each group is one field of `jointinspect.policy.schema.Policy` (``spot_check``,
``offline_checkin``, ``quiet_slots``). This module imports nothing from the schema (the
schema imports it), so its validators are its own, raising the same `PolicyError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import attrs

from jointinspect.errors import PolicyError
from jointinspect.model._enums import member
from jointinspect.model.plan import TRIGGERED_KINDS, InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.policy.bounds import Range

__all__ = ["ClassRatio", "OfflineCheckInPolicy", "QuietSlotPolicy", "SpotCheckPolicy"]

#: Upper bounds (docs/validation.md): a draw staffs at most this many inspectors per
#: enterprise; a fill-in limit or a slot is at most a year.
MAX_SPOT_INSPECTORS = 20
MAX_FILL_IN_DAYS = 366
MAX_SLOTS_PER_YEAR = 366


def _integer(low: int, high: int) -> Range:
    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PolicyError(
                reason=f"{attribute.name} must be an integer between {low} and {high} (got {value!r})",
                reason_zh=f"{attribute.name} 须为 {low} 至 {high} 之间的整数(实为 {value!r})",
            )

    return Range(low, high, check)


def _check_share(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError(
            reason=f"{attribute.name} must be a number between 0 and 1 (got {value!r})",
            reason_zh=f"{attribute.name} 须为 0 至 1 之间的数(实为 {value!r})",
        )
    if not 0 <= value <= 1:
        raise PolicyError(
            reason=f"{attribute.name} must be between 0 and 1 (got {value})",
            reason_zh=f"{attribute.name} 须在 0 至 1 之间(实为 {value})",
        )


_share = Range(0, 1, _check_share)


def _strict_bool(_: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise PolicyError(
            reason=f"{attribute.name} must be true or false (got {value!r})",
            reason_zh=f"{attribute.name} 须为 true 或 false(实为 {value!r})",
        )


def exact(value: float) -> Fraction:
    """A policy share as the exact fraction its decimal text says (``0.05`` is 1/20)."""
    return Fraction(repr(float(value)))


@attrs.frozen
class ClassRatio:
    """The share of one credit class's enterprises a spot check draws: ``minimum`` to ``maximum``."""

    minimum: float = attrs.field(
        validator=_share, metadata={"zh": "抽查比例下限", "unit": "share of 1", "source": "one county"}
    )
    maximum: float = attrs.field(
        validator=_share, metadata={"zh": "抽查比例上限", "unit": "share of 1", "source": "one county"}
    )

    def __attrs_post_init__(self) -> None:
        if exact(self.minimum) > exact(self.maximum):
            raise PolicyError(
                reason=f"spot_check ratio minimum {self.minimum} exceeds maximum {self.maximum}",
                reason_zh=f"spot_check 抽查比例下限 {self.minimum} 大于上限 {self.maximum}",
            )


def _county_ratios() -> dict[CreditClass, ClassRatio]:
    # One county's rule: A at most 5%, B 5-20%, C 21-60%, D 61-100%.
    return {
        CreditClass.A: ClassRatio(0.0, 0.05),
        CreditClass.B: ClassRatio(0.05, 0.20),
        CreditClass.C: ClassRatio(0.21, 0.60),
        CreditClass.D: ClassRatio(0.61, 1.0),
    }


def _ratios(value: object) -> Mapping[CreditClass, ClassRatio]:
    if not isinstance(value, Mapping):
        raise PolicyError(reason="spot_check.ratios must be a table", reason_zh="spot_check.ratios 须为表")
    out: dict[CreditClass, ClassRatio] = {}
    for key, ratio in value.items():
        if not isinstance(ratio, ClassRatio):
            raise PolicyError(reason="spot_check.ratios values are ratios", reason_zh="spot_check.ratios 的值须为比例")
        out[member(CreditClass, "credit_class")(key)] = ratio
    return out


@attrs.frozen
class SpotCheckPolicy:
    """Random spot checks (双随机、一公开): the share drawn per credit class, and the staffing."""

    #: credit class -> the share of that class's candidates drawn (classes absent: none drawn).
    ratios: Mapping[CreditClass, ClassRatio] = attrs.field(
        factory=_county_ratios,
        converter=_ratios,
        metadata={"zh": "按信用等级的抽查比例", "unit": "", "source": "one county"},
    )
    #: inspectors drawn per selected enterprise ("at least two").
    inspectors_per_enterprise: int = attrs.field(
        default=2,
        validator=_integer(2, MAX_SPOT_INSPECTORS),
        metadata={"zh": "每户抽取的执法人员数", "unit": "inspectors", "source": "one county"},
    )
    #: the same inspector is not drawn for the same enterprise twice in a row.
    no_repeat: bool = attrs.field(
        default=True,
        validator=_strict_bool,
        metadata={"zh": "同一执法人员不得连续两次抽到同一企业", "unit": "", "source": "one county"},
    )


@attrs.frozen
class OfflineCheckInPolicy:
    """Offline check-ins (Shenzhen): how long after the visit a device's record may be filled in."""

    #: natural days after the visit's local date within which the record is accepted
    #: (``0``: offline check-ins are not accepted).
    fill_in_days: int = attrs.field(
        default=0,
        validator=_integer(0, MAX_FILL_IN_DAYS),
        metadata={"zh": "离线检查记录补录期限", "unit": "natural days", "source": "Shenzhen"},
    )


def _slot_kinds(value: object) -> frozenset[InspectionKind]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
        raise PolicyError(reason="quiet_slots.kinds must be a list", reason_zh="quiet_slots.kinds 须为列表")
    kinds = frozenset(member(InspectionKind, "kind")(k) for k in value)
    triggered = sorted(k.value for k in kinds & TRIGGERED_KINDS)
    if triggered:
        raise PolicyError(
            reason=f"quiet_slots.kinds may not name triggered kinds {triggered}",
            reason_zh=f"quiet_slots.kinds 不得包含事件触发类检查 {triggered}",
        )
    return kinds


@attrs.frozen
class QuietSlotPolicy:
    """Quiet slots: periods an enterprise declares (production peaks) in which routine visits
    are not placed; triggered kinds never honour them."""

    #: slots one enterprise may declare per calendar year (``0``: none).
    max_slots_per_year: int = attrs.field(
        default=0,
        validator=_integer(0, MAX_SLOTS_PER_YEAR),
        metadata={"zh": "每年可申报的免扰时段数", "unit": "slots", "source": ""},
    )
    #: longest slot, in local days.
    max_days_per_slot: int = attrs.field(
        default=0,
        validator=_integer(0, MAX_SLOTS_PER_YEAR),
        metadata={"zh": "单个免扰时段的最长天数", "unit": "days", "source": ""},
    )
    #: days of slots one enterprise may hold per calendar year.
    max_days_per_year: int = attrs.field(
        default=0,
        validator=_integer(0, MAX_SLOTS_PER_YEAR),
        metadata={"zh": "每年免扰时段合计最长天数", "unit": "days", "source": ""},
    )
    #: planned kinds that honour the slots.
    kinds: frozenset[InspectionKind] = attrs.field(
        default=frozenset({InspectionKind.ROUTINE}),
        converter=_slot_kinds,
        metadata={"zh": "受免扰时段约束的检查类型", "unit": "", "source": ""},
    )
