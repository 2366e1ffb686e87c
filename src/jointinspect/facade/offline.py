"""Offline check-ins (Shenzhen): device keys, and records filled in after an outage."""

from __future__ import annotations

from jointinspect.auth import Principal
from jointinspect.codes.offline import SignedOfflineRecord
from jointinspect.facade._base import Facet
from jointinspect.model.offline import DeviceKey
from jointinspect.model.visit import Visit
from jointinspect.operations import offline


class OfflineFacet(Facet):
    """The Engine's offline check-in operations (see `jointinspect.operations.offline`)."""

    def register_device_key(self, inspector_id: str, public_key: str, *, by: Principal) -> DeviceKey:
        """Register the Ed25519 public key (64 hex digits) of an inspector's device (by an
        officer of the inspector's department, or the platform)."""
        return offline.register_device_key(self._context, inspector_id, public_key, by)

    def check_in_offline(self, record: SignedOfflineRecord, *, by: Principal) -> Visit:
        """The inspector (``by``) fills in a check-in their device recorded and signed
        offline: accepted with its original time and position, flagged late.

        Raises:
            CheckInRejected: ``checkin.offline_expired`` after ``policy.offline_checkin.fill_in_days``;
                ``checkin.offline_*`` for a bad signature, no device key, a duplicate; and
                every presence check of `check_in` at the recorded time.
        """
        return offline.check_in_offline(self._context, record, by)
