"""Spot-check draws, their (enterprise, inspectors) pairs, and conflicts of interest (issue 12)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select

from jointinspect.model.spot_check import Conflict, SpotCheckRecord
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema_fieldwork as f
from jointinspect_sqlalchemy.repositories._common import _Repo


class _SpotChecks(_Repo):
    def add(self, record: SpotCheckRecord) -> None:
        drawn_at = codec.micros(record.drawn_at)
        row = {
            "id": record.id,
            "department": record.department,
            "campaign": record.campaign,
            "drawn_at": drawn_at,
            "body": codec.dumps(record),
        }
        # The unique (department, campaign) index refuses a second draw of a campaign.
        self._add(f.spot_checks, row, "spot check", record.id)
        for selection in record.draw.selections:
            pair = {
                "draw_id": record.id,
                "enterprise": selection.enterprise,
                "department": record.department,
                "drawn_at": drawn_at,
                "inspectors": codec.dumps_list(list(selection.inspectors)),
            }
            self._add(f.spot_pairs, pair, "spot pair", f"{record.id}/{selection.enterprise}")

    def get(self, record_id: str) -> SpotCheckRecord | None:
        found: SpotCheckRecord | None = self._one(f.spot_checks, record_id, SpotCheckRecord)
        return found

    def by_campaign(self, department: str, campaign: str) -> SpotCheckRecord | None:
        t = f.spot_checks
        found: list[SpotCheckRecord] = self._bodies(
            select(t.c.body).where(t.c.department == department, t.c.campaign == campaign), SpotCheckRecord
        )
        return found[0] if found else None

    def last_pairs(self, department: str, enterprises: Sequence[str]) -> dict[str, tuple[str, ...]]:
        wanted = sorted(set(enterprises))
        if not wanted:
            return {}
        t = f.spot_pairs
        rows = self._uow.execute(
            select(t.c.enterprise, t.c.inspectors)
            .where(t.c.department == department, t.c.enterprise.in_(wanted))
            .order_by(t.c.enterprise, t.c.drawn_at, t.c.draw_id)
        )
        latest: dict[str, tuple[str, ...]] = {}
        for enterprise, inspectors in rows:  # ordered: the last row per enterprise wins
            latest[enterprise] = tuple(json.loads(inspectors))
        return latest

    def put_conflict(self, conflict: Conflict) -> None:
        row = {"inspector": conflict.inspector, "enterprise": conflict.enterprise, "body": codec.dumps(conflict)}
        self._uow.upsert(f.spot_conflicts, row)

    def conflicts_of(self, inspectors: Sequence[str]) -> list[Conflict]:
        wanted = sorted(set(inspectors))
        if not wanted:
            return []
        t = f.spot_conflicts
        return self._bodies(
            select(t.c.body).where(t.c.inspector.in_(wanted)).order_by(t.c.inspector, t.c.enterprise), Conflict
        )
