"""Field checks shared by the policy's rule groups: identifiers, names, bounded integers,
lists of kinds, dates, department codes and roles, each refused with a `PolicyError` naming
the field; and the upper bounds of the policy's numbers (docs/validation.md)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from jointinspect import validation as v
from jointinspect.errors import PolicyError, ValidationError
from jointinspect.model._enums import member
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind
from jointinspect.policy.bounds import Range

T = TypeVar("T")


def _policy_identifier(value: object, field: str) -> str:
    try:
        return v.identifier(value, field)
    except ValidationError as exc:
        raise PolicyError(
            reason=f"{field} must be an identifier (letters, digits, '.', '_', ':', '-'; at most {v.ID_MAX_LEN})",
            reason_zh=f"{field} 须为标识符(字母、数字及 . _ : -,至多 {v.ID_MAX_LEN} 个字符)",
        ) from exc


def _rule_name(value: object) -> str:
    return _policy_identifier(value, "frequency.name")


def _policy_name(value: object) -> str:
    try:
        return v.name(value, "name")
    except ValidationError as exc:
        raise PolicyError(
            reason=f"name must be non-empty text of at most {v.NAME_MAX_LEN} characters",
            reason_zh=f"名称须为非空文字,至多 {v.NAME_MAX_LEN} 个字符",
        ) from exc


def _policy_call(convert: Callable[[object], T], value: object) -> T:
    """Run ``convert``, reporting its `ValidationError` as a `PolicyError` (a policy is
    refused as a whole)."""
    try:
        return convert(value)
    except PolicyError:
        raise
    except ValidationError as exc:
        raise PolicyError(reason=exc.message_en, reason_zh=exc.message_zh) from exc
    except TypeError as exc:  # not iterable
        raise PolicyError(
            reason=f"expected a list, got {type(value).__name__}", reason_zh=f"应为列表,实为 {type(value).__name__}"
        ) from exc


def _bounded(low: int, high: int) -> Range:
    """An attrs validator: an ``int`` (not ``bool``) in ``low..high``.

    The upper bounds keep every later computation in range (a deadline, lookback or
    window computed from the policy must stay a valid instant); see docs/validation.md.
    """

    def check(_: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(
                reason=f"{attribute.name} must be an integer (got {type(value).__name__})",
                reason_zh=f"{attribute.name} 须为整数(实为 {type(value).__name__})",
            )
        if value < 0 <= low:
            raise PolicyError(
                reason=f"{attribute.name} must not be negative (got {value})",
                reason_zh=f"{attribute.name} 不得为负数(实为 {value})",
            )
        if not low <= value <= high:
            shown = value if value.bit_length() < 64 else "a huge number"
            raise PolicyError(
                reason=f"{attribute.name} must be between {low} and {high} (got {shown})",
                reason_zh=f"{attribute.name} 须在 {low} 至 {high} 之间(实为 {shown})",
            )

    return Range(low, high, check)


#: Upper bounds of the policy's numbers (documented in docs/validation.md).
MAX_ADVANCE_DAYS = 365
MAX_MIN_INSPECTORS = 50
MAX_COMMON_HOURS = 24 * 366
MAX_ALLOWANCE_DAYS = 366
MAX_ALLOWANCE_HOURS = 24 * MAX_ALLOWANCE_DAYS
MAX_RULE_LIMIT = 10_000
MAX_WINDOW_DAYS = 3_660
MAX_RADIUS_M = 100_000.0
MAX_TOLERANCE_MINUTES = 1_440
MAX_ENTERPRISE_CODE_DAYS = 1_830  # = MAX_CODE_LIFETIME_DAYS: a code lives at most five years
MAX_LOOKBACK_MONTHS = 120
MAX_DEADLINE_DAYS = 3_650


def _positive_number(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(
            reason=f"{attribute.name} must be a number (got {type(value).__name__})",
            reason_zh=f"{attribute.name} 须为数字(实为 {type(value).__name__})",
        )
    if not (math.isfinite(value) and 0 < value <= MAX_RADIUS_M):
        raise PolicyError(
            reason=f"{attribute.name} must be a positive number up to {MAX_RADIUS_M:g} (got {value})",
            reason_zh=f"{attribute.name} 须为不超过 {MAX_RADIUS_M:g} 的正数(实为 {value})",
        )


def _listed(value: Any, what: str, what_zh: str) -> Any:
    """``value``, refused when it is a string or a mapping where a policy must give a list."""
    if isinstance(value, str | bytes | Mapping):
        raise PolicyError(
            reason=f"expected a list of {what}, got {type(value).__name__}",
            reason_zh=f"应为{what_zh}列表,实为 {type(value).__name__}",
        )
    return value


def _kinds_raw(value: object) -> frozenset[InspectionKind]:
    return frozenset(member(InspectionKind, "kinds")(k) for k in _listed(value, "inspection kinds", "检查类型的"))


def _dates_raw(value: object) -> frozenset[dt.date]:
    return frozenset(v.day(d, "date") for d in _listed(value, "dates", "日期"))


def _codes_raw(value: object) -> tuple[str, ...]:
    return tuple(v.identifier(c, "lead_priority") for c in _listed(value, "department codes", "部门代码"))


def _roles_raw(value: object) -> tuple[Role, ...]:
    return tuple(member(Role, "approvers")(r) for r in _listed(value, "roles", "角色"))


def _kinds(value: object) -> frozenset[InspectionKind]:
    return _policy_call(_kinds_raw, value)


def _dates(value: object) -> frozenset[dt.date]:
    return _policy_call(_dates_raw, value)


def _codes(value: object) -> tuple[str, ...]:
    return _policy_call(_codes_raw, value)


def _roles(value: object) -> tuple[Role, ...]:
    return _policy_call(_roles_raw, value)


def _strict_bool_field(_: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise PolicyError(
            reason=f"{attribute.name} must be true or false (got {type(value).__name__})",
            reason_zh=f"{attribute.name} 须为 true 或 false(实为 {type(value).__name__})",
        )
