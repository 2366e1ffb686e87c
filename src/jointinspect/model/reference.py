"""Reference data: enterprises, departments, inspectors, supervision items, scenarios."""

from __future__ import annotations

import datetime as dt
import enum
import math

import attrs

from jointinspect import validation as v
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


def validate_credit_code(value: object) -> str:
    """Return the normalised 18-character unified social credit code, or raise.

    Normalisation (strip, full-width to half-width, upper case) and the GB 32100 check
    character are those of `jointinspect.validation.credit_code`.

    Raises:
        ValidationError: ``enterprise.credit_code_invalid`` (malformed) or
            ``enterprise.credit_code_check`` (wrong check character).
    """
    return v.credit_code(value, "credit_code")


def _degrees(value: object, field: str, limit: float) -> float:
    """A finite number of degrees within ``-limit..limit`` (``geo.latitude``/``geo.longitude``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("input.not_number", field=field, actual=type(value).__name__)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not (math.isfinite(number) and -limit <= number <= limit):
        shown = str(number) if math.isfinite(number) or isinstance(value, float) else "∞"
        raise ValidationError("geo.latitude" if field == "lat" else "geo.longitude", value=shown)
    return number


def _latitude(value: object) -> float:
    return _degrees(value, "lat", 90.0)


def _longitude(value: object) -> float:
    return _degrees(value, "lon", 180.0)


def _to_credit_class(value: object) -> CreditClass:
    if type(value) is CreditClass:  # already a member (a store's rows): no converter to look up
        return value
    return member(CreditClass, "credit_class")(value)


def _to_coordinate_system(value: object) -> CoordinateSystem:
    if type(value) is CoordinateSystem:  # already a member (a store's rows): no converter to look up
        return value
    return member(CoordinateSystem, "crs")(value)


def _first_violation_guidance_boolean(value: object) -> bool:
    return v.boolean(value, "first_violation_guidance")


def _key_supervision_boolean(value: object) -> bool:
    return v.boolean(value, "key_supervision")


def _whitelisted_boolean(value: object) -> bool:
    return v.boolean(value, "whitelisted")


def _valid_from_day(value: object) -> dt.date:
    return v.day(value, "valid_from")


def _valid_until_day(value: object) -> dt.date:
    return v.day(value, "valid_until")


def _certificate_no_identifier(value: object) -> str:
    return v.identifier(value, "certificate_no")


def _code_identifier(value: object) -> str:
    return v.identifier(value, "code")


def _department_identifier(value: object) -> str:
    return v.identifier(value, "department")


def _field_identifier(value: object) -> str:
    return v.identifier(value, "field")


def _id_identifier(value: object) -> str:
    return v.identifier(value, "id")


def _name_name(value: object) -> str:
    return v.name(value, "name")


def _standard_text(value: object) -> str:
    return v.text(value, "standard")


@attrs.frozen
class GeoPoint:
    """A position in degrees, with the coordinate system it was measured in.

    ``lat`` and ``lon`` must be finite numbers (``int`` or ``float``, never ``bool`` or
    text) within -90..90 and -180..180.
    """

    lat: float = attrs.field(converter=_latitude)
    lon: float = attrs.field(converter=_longitude)
    crs: CoordinateSystem = attrs.field(default=CoordinateSystem.WGS84, converter=_to_coordinate_system)


def _site(value: object) -> GeoPoint:
    return v.instance_of(value, "site", GeoPoint)


@attrs.frozen
class Enterprise:
    """An inspected enterprise (企业), keyed by its unified social credit code.

    ``whitelisted`` puts the enterprise on the whitelist explicitly, whatever its credit
    class; ``key_supervision`` is set when it refused to rectify (重点监管).
    """

    credit_code: str = attrs.field(converter=validate_credit_code)
    name: str = attrs.field(converter=_name_name)
    site: GeoPoint = attrs.field(converter=_site)
    credit_class: CreditClass = attrs.field(default=CreditClass.B, converter=_to_credit_class)
    whitelisted: bool = attrs.field(default=False, converter=_whitelisted_boolean)
    key_supervision: bool = attrs.field(default=False, converter=_key_supervision_boolean)


@attrs.frozen
class Department:
    """A department with inspection power (执法部门); ``code`` follows the identifier grammar."""

    code: str = attrs.field(converter=_code_identifier)
    name: str = attrs.field(converter=_name_name)


def _fields(value: object) -> frozenset[str]:
    return frozenset(v.sequence(value, "fields", v.identifier))


@attrs.frozen
class Inspector:
    """An inspector holding one department's enforcement certificate (执法证).

    The certificate is valid from ``valid_from`` to ``valid_until`` inclusive (dates in the
    policy zone; ``date`` values or ISO ``YYYY-MM-DD`` text) and only for the listed ``fields``.
    """

    id: str = attrs.field(converter=_id_identifier)
    name: str = attrs.field(converter=_name_name)
    department: str = attrs.field(converter=_department_identifier)
    certificate_no: str = attrs.field(converter=_certificate_no_identifier)
    fields: frozenset[str] = attrs.field(converter=_fields)
    valid_from: dt.date = attrs.field(converter=_valid_from_day)
    valid_until: dt.date = attrs.field(converter=_valid_until_day)

    def __attrs_post_init__(self) -> None:
        if self.valid_until < self.valid_from:
            raise ValidationError(
                "input.certificate_dates",
                inspector=self.id,
                valid_from=self.valid_from.isoformat(),
                valid_until=self.valid_until.isoformat(),
            )

    def certified_on(self, day: dt.date) -> bool:
        """Whether the certificate is valid on ``day``."""
        return self.valid_from <= day <= self.valid_until


def _also_checked_by(value: object) -> frozenset[str]:
    return frozenset(v.identifier_sequence(value, "also_checked_by"))


@attrs.frozen
class SupervisionItem:
    """One thing a department may check (监管事项), with its field and standard text."""

    code: str = attrs.field(converter=_code_identifier)
    name: str = attrs.field(converter=_name_name)
    department: str = attrs.field(converter=_department_identifier)
    field: str = attrs.field(converter=_field_identifier)
    standard: str = attrs.field(default="", converter=_standard_text)
    #: eligible for "first violation, no penalty" (首违不罚) guidance.
    first_violation_guidance: bool = attrs.field(default=False, converter=_first_violation_guidance_boolean)
    #: other departments that may also check this item (Yantai: the first department to
    #: inspect it answers for the result, later ones are shown that record).
    also_checked_by: frozenset[str] = attrs.field(factory=frozenset, converter=_also_checked_by)

    def checked_by(self, department: str) -> bool:
        """Whether ``department`` may file plans and record results for this item."""
        return department == self.department or department in self.also_checked_by


def _items(value: object) -> tuple[str, ...]:
    return tuple(sorted(set(v.identifier_sequence(value, "items"))))


@attrs.frozen
class Scenario:
    """A bundle of items across departments checked together in one visit (一件事)."""

    code: str = attrs.field(converter=_code_identifier)
    name: str = attrs.field(converter=_name_name)
    items: tuple[str, ...] = attrs.field(converter=_items)
