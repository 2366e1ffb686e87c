"""An inspector's presence at the enterprise: check-in (扫码入企) and check-out."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.model.reference import GeoPoint
from jointinspect.timeutil import utc, utc_or_none


def _position(value: object, field: str) -> GeoPoint:
    return v.instance_of(value, field, GeoPoint)


def _position_position(value: object) -> GeoPoint:
    return _position(value, "position")


def _scanned_boolean(value: object) -> bool:
    return v.boolean(value, "scanned")


@attrs.frozen
class Visit:
    """One inspector's check-in to an inspection and, later, the check-out.

    ``scanned`` is false when the inspector entered without scanning the enterprise code
    (allowed only where the policy does not require the scan; the supervisor sees it).
    """

    id: str
    inspection_id: str
    inspector_id: str
    enterprise: str
    checked_in_at: pendulum.DateTime = attrs.field(converter=utc)
    position: GeoPoint = attrs.field(converter=_position_position)
    distance_m: float
    token_id: str
    scanned: bool = attrs.field(default=True, converter=_scanned_boolean)
    checked_out_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)

    @property
    def duration(self) -> pendulum.Duration | None:
        """Time on site, once checked out."""
        if self.checked_out_at is None:
            return None
        return self.checked_out_at - self.checked_in_at
