"""Inspectors' device keys and accepted offline check-ins (issue 12)."""

from __future__ import annotations

from jointinspect.model.offline import DeviceKey, OfflineCheckIn
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema_fieldwork as f
from jointinspect_sqlalchemy.repositories._common import _Repo


class _Offline(_Repo):
    def put_device_key(self, key: DeviceKey) -> None:
        self._uow.upsert(f.device_keys, {"inspector": key.inspector, "body": codec.dumps(key)})

    def get_device_key(self, inspector: str) -> DeviceKey | None:
        found: DeviceKey | None = self._one(f.device_keys, inspector, DeviceKey)
        return found

    def add(self, record: OfflineCheckIn) -> None:
        self._add(f.offline_checkins, {"id": record.id, "body": codec.dumps(record)}, "offline check-in", record.id)

    def get(self, record_id: str) -> OfflineCheckIn | None:
        found: OfflineCheckIn | None = self._one(f.offline_checkins, record_id, OfflineCheckIn)
        return found
