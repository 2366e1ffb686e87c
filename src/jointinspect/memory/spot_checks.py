"""The memory store's spot-check repository (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence

from jointinspect.errors import IntegrityError
from jointinspect.memory._tables import _Base, _require_new
from jointinspect.model.spot_check import Conflict, SpotCheckRecord


class _SpotChecks(_Base):
    def add(self, record: SpotCheckRecord) -> None:
        _require_new(self._t.spot_checks, record.id, "spot check")
        campaign = (record.department, record.campaign)
        if campaign in self._t.spot_checks_by_campaign.rows:
            raise IntegrityError(
                "storage.integrity",
                reason=f"campaign {campaign!r} already exists",
                reason_zh=f"抽查任务 {campaign!r} 已存在",
            )
        self._t.spot_checks.put(self._j, record.id, record)
        self._t.spot_checks_by_campaign.put(self._j, campaign, record.id)
        order = (record.drawn_at, record.id)
        for selection in record.draw.selections:
            key = (record.department, selection.enterprise)
            seen = self._t.spot_pairs.rows.get(key)
            if seen is None or (seen[0], seen[1]) < order:
                self._t.spot_pairs.put(self._j, key, (record.drawn_at, record.id, selection.inspectors))

    def get(self, record_id: str) -> SpotCheckRecord | None:
        found: SpotCheckRecord | None = self._t.spot_checks.rows.get(record_id)
        return found

    def by_campaign(self, department: str, campaign: str) -> SpotCheckRecord | None:
        record_id = self._t.spot_checks_by_campaign.rows.get((department, campaign))
        return None if record_id is None else self.get(record_id)

    def last_pairs(self, department: str, enterprises: Sequence[str]) -> dict[str, tuple[str, ...]]:
        pairs = self._t.spot_pairs.rows
        return {e: pairs[(department, e)][2] for e in sorted(set(enterprises)) if (department, e) in pairs}

    def put_conflict(self, conflict: Conflict) -> None:
        self._t.spot_conflicts.put(self._j, (conflict.inspector, conflict.enterprise), conflict)

    def conflicts_of(self, inspectors: Sequence[str]) -> list[Conflict]:
        wanted = set(inspectors)
        rows = self._t.spot_conflicts.rows
        return [rows[key] for key in sorted(rows) if key[0] in wanted]
