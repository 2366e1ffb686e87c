"""Offline check-ins (Shenzhen): an inspector's device key, and the offline records filled in."""

from __future__ import annotations

import attrs
import pendulum

from jointinspect.model.reference import GeoPoint
from jointinspect.timeutil import utc


@attrs.frozen
class DeviceKey:
    """The public key of an inspector's device (Ed25519, 32 bytes as hex) that signs offline records."""

    inspector: str
    public_key: str
    registered_at: pendulum.DateTime = attrs.field(converter=utc)


@attrs.frozen
class OfflineCheckIn:
    """An offline check-in as accepted: the signed record's digest (its id), the visit it
    became, its original time and position, when it was filled in, and the late flag."""

    id: str
    visit_id: str
    inspection_id: str
    inspector: str
    at: pendulum.DateTime = attrs.field(converter=utc)
    position: GeoPoint
    filled_at: pendulum.DateTime = attrs.field(converter=utc)
    late: bool
    signature: str
