"""Reference data: enterprises, departments, inspectors, supervision items, scenarios."""

from __future__ import annotations

import datetime as dt
import enum
import math

import attrs
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from jointinspect.errors import ValidationError
from jointinspect.model._enums import member


class CreditClass(enum.StrEnum):
    """Credit risk class (信用风险分类); A is best."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class CoordinateSystem(enum.StrEnum):
    """Datum of a position. Chinese maps use GCJ-02 (and Baidu's BD-09), GPS gives WGS-84."""

    WGS84 = "WGS84"
    GCJ02 = "GCJ02"
    BD09 = "BD09"


def validate_credit_code(value: str) -> str:
    """Return the normalised 18-character unified social credit code, or raise.

    The check character (GB 32100-2015) is verified by python-stdnum.

    Raises:
        ValidationError: ``enterprise.credit_code_invalid`` with the reason.
    """
    if not isinstance(value, str):
        raise ValidationError("enterprise.credit_code_invalid", value=value, reason="not a string")
    try:
        return str(uscc.validate(value))
    except StdnumValidationError as exc:
        raise ValidationError("enterprise.credit_code_invalid", value=value, reason=str(exc)) from exc


def _check_latitude(_: object, __: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and -90.0 <= value <= 90.0):
        raise ValidationError("geo.invalid", reason=f"latitude {value} outside -90..90")


def _check_longitude(_: object, __: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and -180.0 <= value <= 180.0):
        raise ValidationError("geo.invalid", reason=f"longitude {value} outside -180..180")


def _to_credit_class(value: object) -> CreditClass:
    return member(CreditClass)(value)


def _to_coordinate_system(value: object) -> CoordinateSystem:
    return member(CoordinateSystem)(value)


@attrs.frozen
class GeoPoint:
    """A position in degrees, with the coordinate system it was measured in."""

    lat: float = attrs.field(converter=float, validator=_check_latitude)
    lon: float = attrs.field(converter=float, validator=_check_longitude)
    crs: CoordinateSystem = attrs.field(default=CoordinateSystem.WGS84, converter=_to_coordinate_system)


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("input.invalid", reason=f"{attribute.name} must be a non-empty string")


@attrs.frozen
class Enterprise:
    """An inspected enterprise (企业), keyed by its unified social credit code.

    ``whitelisted`` puts the enterprise on the whitelist explicitly, whatever its credit
    class; ``key_supervision`` is set when it refused to rectify (重点监管).
    """

    credit_code: str = attrs.field(converter=validate_credit_code)
    name: str = attrs.field(validator=_nonempty)
    site: GeoPoint
    credit_class: CreditClass = attrs.field(default=CreditClass.B, converter=_to_credit_class)
    whitelisted: bool = False
    key_supervision: bool = False


@attrs.frozen
class Department:
    """A department with inspection power (执法部门)."""

    code: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)


def _fields(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)  # type: ignore[attr-defined]


@attrs.frozen
class Inspector:
    """An inspector holding one department's enforcement certificate (执法证).

    The certificate is valid from ``valid_from`` to ``valid_until`` inclusive (dates in the
    policy zone) and only for the listed ``fields``.
    """

    id: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    department: str = attrs.field(validator=_nonempty)
    certificate_no: str = attrs.field(validator=_nonempty)
    fields: frozenset[str] = attrs.field(converter=_fields)
    valid_from: dt.date
    valid_until: dt.date

    def __attrs_post_init__(self) -> None:
        if self.valid_until < self.valid_from:
            raise ValidationError("input.invalid", reason=f"certificate of {self.id} ends before it starts")

    def certified_on(self, day: dt.date) -> bool:
        """Whether the certificate is valid on ``day``."""
        return self.valid_from <= day <= self.valid_until


@attrs.frozen
class SupervisionItem:
    """One thing a department may check (监管事项), with its field and standard text."""

    code: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    department: str = attrs.field(validator=_nonempty)
    field: str = attrs.field(validator=_nonempty)
    standard: str = ""
    #: eligible for "first violation, no penalty" (首违不罚) guidance.
    first_violation_guidance: bool = False
    #: other departments that may also check this item (Yantai: the first department to
    #: inspect it answers for the result, later ones are shown that record).
    also_checked_by: frozenset[str] = attrs.field(factory=frozenset, converter=frozenset)

    def checked_by(self, department: str) -> bool:
        """Whether ``department`` may file plans and record results for this item."""
        return department == self.department or department in self.also_checked_by


def _items(value: object) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in value}))  # type: ignore[attr-defined]


@attrs.frozen
class Scenario:
    """A bundle of items across departments checked together in one visit (一件事)."""

    code: str = attrs.field(validator=_nonempty)
    name: str = attrs.field(validator=_nonempty)
    items: tuple[str, ...] = attrs.field(converter=_items)
