"""Plans and the inspections they become."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pendulum
from sqlalchemy import bindparam, select

from jointinspect.model.plan import Inspection, InspectionStatus, Plan
from jointinspect_sqlalchemy import codec
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy._protocols import UnitOfWorkView
from jointinspect_sqlalchemy.bodies import Kept
from jointinspect_sqlalchemy.held import changed_columns
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.repositories._common import _page, _Repo
from jointinspect_sqlalchemy.repositories.listing import read_departments, write_inspection_departments

_PLAN_COLUMNS = (
    "id",
    "enterprise",
    "filed_at",
    "status",
    "body",
    "inspection_id",
    "window_end",
    "idempotency",
    "department",
    "window_start",
)


def _plan_row(plan: Plan) -> dict[str, Any]:
    window = plan.window
    filed_at, start, end = codec.micros(plan.filed_at), codec.micros(window.start), codec.micros(window.end)
    key = plan.idempotency_key
    return {
        "id": plan.id,
        "enterprise": plan.enterprise,
        "filed_at": filed_at,
        "status": plan.status._value_,
        "body": codec.plan_body(plan, filed_at, start, end),  # the instants encoded once
        "inspection_id": plan.inspection_id,
        "window_end": end,
        "idempotency": None if key is None else f"{plan.department}/{key}",  # plan.idempotency
        "department": plan.department,  # listings (issue 11)
        "window_start": start,
    }


def _keep(uow: UnitOfWorkView, kept: Kept, key: str, body: str, value: object) -> None:
    """In a bulk chunk (held writes), keep ``value`` with its row's ``body``: a later
    chunk's preload reads it back (see `jointinspect_sqlalchemy.bodies`)."""
    if uow.held is not None:
        kept.wrote(key, body, value)


class _Plans(_Repo):
    def add(self, plan: Plan) -> None:
        row = _plan_row(plan)
        self._add(s.plans, row, "plan", plan.id)
        uow = self._uow
        if uow.held is not None:  # `_keep`, inline: bulk filing adds a plan a request
            uow._store._bodies.plans.wrote(plan.id, row["body"], plan)

    def update(self, plan: Plan) -> None:
        row = _plan_row(plan)
        self._update(s.plans, "id", row, "plan")
        _keep(self._uow, self._uow._store._bodies.plans, plan.id, row["body"], plan)

    def get(self, plan_id: str) -> Plan | None:
        found: Plan | None = self._one(s.plans, plan_id, Plan)
        return found

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Plan]:
        t = s.plans
        query = select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.filed_at, t.c.id)
        return self._bodies(_page(query, limit, offset), Plan)

    def for_inspections(self, inspection_ids: Sequence[str]) -> list[Plan]:
        if not inspection_ids:
            return []
        t = s.plans
        rows = read_among(
            self._uow,
            "plans-for-inspections-by-id",
            lambda among: (
                select(t.c.id, t.c.body).where(among(t.c.inspection_id, "ids")).order_by(t.c.filed_at, t.c.id)
            ),
            {"ids": inspection_ids},  # read_among takes them as a set
        )
        read = self._uow._store._bodies.plans.read  # a body a bulk chunk wrote is not decoded again
        return [read(plan_id, body, Plan) for plan_id, body in rows]

    def by_idempotency_key(self, department: str, key: str) -> Plan | None:
        t = s.plans
        found = self._prepared_bodies(
            "plans-by-idempotency",
            lambda: select(t.c.body).where(t.c.idempotency == bindparam("key")),
            {"key": f"{department}/{key}"},
            Plan,
        )
        return found[0] if found else None

    def by_idempotency_keys(self, department: str, keys: Sequence[str]) -> dict[str, Plan]:
        t, out = s.plans, {}
        rows = read_among(
            self._uow,
            "plans-by-idempotency",
            lambda among: select(t.c.body).where(among(t.c.idempotency, "keys")),
            {"keys": [f"{department}/{key}" for key in keys]},
        )
        for (body,) in rows:
            plan = codec.loads(body, Plan)
            if plan.idempotency_key is not None:
                out[plan.idempotency_key] = plan
        return out


def _inspection_row(inspection: Inspection) -> dict[str, Any]:
    return dict(zip(_INSPECTION_COLUMNS, _inspection_values(inspection), strict=True))


def _inspection_values(inspection: Inspection) -> tuple[Any, ...]:
    """The values of ``inspection``'s ``ji_inspections`` row, in `_INSPECTION_COLUMNS`
    order (a join compares them with the row it knows without building the row)."""
    created_at, start = codec.micros(inspection.created_at), codec.micros(inspection.window.start)
    return (
        inspection.id,
        inspection.enterprise,
        created_at,
        inspection.status._value_,
        codec.inspection_body(inspection, created_at, start),  # the instants encoded once
        start,  # listings (issue 11)
    )


#: The columns of `_inspection_row`, in its order.
_INSPECTION_COLUMNS = ("id", "enterprise", "created_at", "status", "body", "window_start")

#: ``memo`` key: inspection id -> the values of its ``ji_inspections`` row (`_INSPECTION_COLUMNS`)
#: as this transaction knows it, while it holds its writes (a bulk chunk): read under the
#: enterprise lock, or written by it.
KNOWN_ROWS = "inspection-rows"


def _known_rows(uow: UnitOfWorkView) -> dict[str, tuple[Any, ...]]:
    known: dict[str, tuple[Any, ...]] | None = uow.memo.get(KNOWN_ROWS)
    if known is None:
        known = uow.memo[KNOWN_ROWS] = {}
    return known


class _Inspections(_Repo):
    def add(self, inspection: Inspection) -> None:
        # The row's values built once: its row, the department rows' start, the known row
        # and the kept body all come from them (bulk filing adds a visit every other plan).
        values = _inspection_values(inspection)
        uow = self._uow
        self._add(s.inspections, dict(zip(_INSPECTION_COLUMNS, values, strict=True)), "inspection", inspection.id)
        write_inspection_departments(uow, inspection, new=True, start=values[5])
        if uow.held is not None:
            _known_rows(uow)[inspection.id] = values
        _keep(uow, uow._store._bodies.inspections, inspection.id, values[4], inspection)

    def update(self, inspection: Inspection) -> None:
        values = _inspection_values(inspection)
        uow = self._uow
        before = None
        if uow.held is not None:
            known = _known_rows(uow)
            before = known.get(inspection.id)
            known[inspection.id] = values
        if before is None:
            self._update(s.inspections, "id", dict(zip(_INSPECTION_COLUMNS, values, strict=True)), "inspection")
        else:
            # The row as the table holds it is known: only the columns that differ are set
            # (a join changes the body alone), so SQLite leaves the indexes of the others
            # alone; laid over an update or add held for it. Nothing differs: nothing to send.
            changed = changed_columns(_INSPECTION_COLUMNS, values, before)
            if len(changed) > 1:
                self._update(s.inspections, "id", changed, "inspection", some=len(changed) < len(values))
        write_inspection_departments(uow, inspection, new=False, start=values[5])
        _keep(uow, uow._store._bodies.inspections, inspection.id, values[4], inspection)

    def get(self, inspection_id: str) -> Inspection | None:
        found: Inspection | None = self._one(s.inspections, inspection_id, Inspection)
        return found

    def for_enterprise(self, enterprise: str, limit: int | None = None, offset: int = 0) -> list[Inspection]:
        t = s.inspections
        query = select(t.c.body).where(t.c.enterprise == enterprise).order_by(t.c.created_at, t.c.id)
        return self._bodies(_page(query, limit, offset), Inspection)

    def open_for_enterprise(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection]:
        statement = self._uow._store.statement("inspections-open-for-enterprise", _open_for_enterprise)
        rows = self._uow.run(statement, {"enterprise": enterprise, "reaching": codec.micros(reaching)}).fetchall()
        found = [codec.loads(body, Inspection) for status, body in rows if status == _PLANNED]
        if enterprise in self._uow._locked:  # a visit it joins then writes only its changed rows
            read_departments(self._uow, found)
        return found

    def open_for_enterprises(self, reaching: Mapping[str, pendulum.DateTime]) -> dict[str, list[Inspection]]:
        t, p = s.inspections, s.plans
        out: dict[str, list[Inspection]] = {enterprise: [] for enterprise in reaching}
        bounds = {enterprise: codec.micros(bound) for enterprise, bound in reaching.items()}
        # The plans reaching the lowest bound, each with its visit (by enterprise, id); each
        # enterprise's own bound is applied before a body is decoded, and a visit is listed
        # once per enterprise of such a plan (as open_for_enterprise lists it).
        rows = read_among(
            self._uow,
            "inspections-open-for-enterprises",
            lambda among: (
                select(
                    p.c.enterprise,
                    p.c.window_end,
                    t.c.id,
                    t.c.enterprise,
                    t.c.created_at,
                    t.c.status,
                    t.c.body,
                    t.c.window_start,
                )
                .join(t, t.c.id == p.c.inspection_id)
                .where(among(p.c.enterprise, "enterprises"), p.c.window_end >= bindparam("reaching"))
                .order_by(p.c.enterprise, t.c.id)
            ),
            {"enterprises": list(bounds)},
            {"reaching": min(bounds.values(), default=0)},
        )
        seen: set[tuple[str, str]] = set()
        read = self._uow._store._bodies.inspections.read  # a body a bulk chunk wrote is not decoded again
        locked = self._uow._locked  # a visit a filing joins then writes only its changed rows
        known = _known_rows(self._uow) if self._uow.held is not None else None
        for enterprise, window_end, inspection_id, *stored in rows:
            status, body = stored[2], stored[3]
            if status != _PLANNED:
                continue  # see _open_for_enterprise
            if int(window_end) >= bounds[enterprise] and (enterprise, inspection_id) not in seen:
                seen.add((enterprise, inspection_id))
                out[enterprise].append(read(inspection_id, body, Inspection))
                if known is not None and enterprise in locked:
                    known[inspection_id] = (inspection_id, *stored)  # the row as the table holds it
        read_departments(self._uow, [i for enterprise, found in out.items() if enterprise in locked for i in found])
        return out


#: The status an open visit has (compared in Python: see `_open_for_enterprise`).
_PLANNED = InspectionStatus.PLANNED.value


def _open_for_enterprise() -> Any:
    t, p = s.inspections, s.plans
    # ix_ji_plans_reach covers the subquery; each inspection is then a primary-key probe.
    # The status is read, not filtered on: given ``status = ?``, SQLite drove the read
    # from ix_ji_inspections_status_start, scanning every planned visit of the city for
    # each call (16 ms at 50,000 visits, growing with them; 0.2 ms this way).
    reaching_plans = select(p.c.inspection_id).where(
        p.c.enterprise == bindparam("enterprise"),
        p.c.window_end >= bindparam("reaching"),
        p.c.inspection_id.is_not(None),
    )
    return select(t.c.status, t.c.body).where(t.c.id.in_(reaching_plans)).order_by(t.c.id)
