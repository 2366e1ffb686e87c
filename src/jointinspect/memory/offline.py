"""The memory store's repository of device keys and offline check-ins (issue 12)."""

from __future__ import annotations

from jointinspect.memory._tables import _Base, _require_new
from jointinspect.model.offline import DeviceKey, OfflineCheckIn


class _Offline(_Base):
    def put_device_key(self, key: DeviceKey) -> None:
        self._t.device_keys.put(self._j, key.inspector, key)

    def get_device_key(self, inspector: str) -> DeviceKey | None:
        found: DeviceKey | None = self._t.device_keys.rows.get(inspector)
        return found

    def add(self, record: OfflineCheckIn) -> None:
        _require_new(self._t.offline_checkins, record.id, "offline check-in")
        self._t.offline_checkins.put(self._j, record.id, record)

    def get(self, record_id: str) -> OfflineCheckIn | None:
        found: OfflineCheckIn | None = self._t.offline_checkins.rows.get(record_id)
        return found
