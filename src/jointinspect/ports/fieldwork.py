"""The repositories of issue 12's fieldwork: spot-check draws (双随机、一公开) and declared
conflicts, quiet slots, device keys and offline check-ins.

Part of `jointinspect.ports`; its docstring states the rules every repository keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jointinspect.model.offline import DeviceKey, OfflineCheckIn
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.spot_check import Conflict, SpotCheckRecord


class SpotCheckRepository(Protocol):
    """Random spot checks (双随机、一公开): drawn campaigns, and inspectors' declared conflicts."""

    def add(self, record: SpotCheckRecord) -> None:
        """Store a drawn campaign with its pairs; `jointinspect.errors.IntegrityError` when
        its id, or its department and campaign, were stored before."""
        ...

    def get(self, record_id: str) -> SpotCheckRecord | None:
        """The campaign with this id."""
        ...

    def by_campaign(self, department: str, campaign: str) -> SpotCheckRecord | None:
        """The department's campaign of that name."""
        ...

    def last_pairs(self, department: str, enterprises: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """For each of ``enterprises`` the department's latest draw selected, the inspectors
        drawn for it then (latest by ``drawn_at``, then id); the others are absent."""
        ...

    def put_conflict(self, conflict: Conflict) -> None:
        """Declare (or re-declare) an inspector's conflict of interest with an enterprise."""
        ...

    def conflicts_of(self, inspectors: Sequence[str]) -> list[Conflict]:
        """The conflicts declared by these inspectors, by (inspector, enterprise)."""
        ...


class QuietSlotRepository(Protocol):
    """Quiet slots that enterprises declared."""

    def add(self, slot: QuietSlot) -> None:
        """Store a slot; `jointinspect.errors.IntegrityError` if its id exists."""
        ...

    def get(self, slot_id: str) -> QuietSlot | None:
        """The slot with this id."""
        ...

    def remove(self, slot_id: str) -> None:
        """Withdraw a slot (nothing when absent)."""
        ...

    def for_enterprise(self, enterprise: str) -> list[QuietSlot]:
        """One enterprise's slots by (start, id)."""
        ...

    def for_enterprises(self, enterprises: Sequence[str]) -> dict[str, list[QuietSlot]]:
        """`for_enterprise` for many enterprises at once (bulk filing preloads a chunk's
        quiet slots, issue 11): ``{enterprise: its slots by (start, id)}`` for every
        enterprise asked (``[]`` for one without slots); an empty sequence returns ``{}``."""
        ...


class OfflineRepository(Protocol):
    """Device keys of inspectors, and the offline check-ins accepted."""

    def put_device_key(self, key: DeviceKey) -> None:
        """Register (or replace) an inspector's device key."""
        ...

    def get_device_key(self, inspector: str) -> DeviceKey | None:
        """The inspector's device key."""
        ...

    def add(self, record: OfflineCheckIn) -> None:
        """Store an accepted offline check-in; `jointinspect.errors.IntegrityError` if its
        id (the signed record's digest) exists."""
        ...

    def get(self, record_id: str) -> OfflineCheckIn | None:
        """The offline check-in with this id (digest)."""
