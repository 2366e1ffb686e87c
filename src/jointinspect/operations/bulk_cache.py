"""The unit of work of one bulk-filing chunk (issue 11): what its requests will read,
preloaded with one bulk read per kind, and its appends buffered until the chunk ends.

Read-your-writes holds inside the chunk (request *i* sees requests ``0 .. i-1``):

* reference records (the chunk's enterprises preloaded), quiet slots and the results a
  plan may share: filing never writes them, so the chunk's first read stays true until
  its commit (a write through this unit forgets them);
* plan numbers: every plan the chunk adds or updates goes through `_CachedPlans`, which
  records it under its number, as ``by_idempotency_key`` would then return it;
* open visits and their plans: preloaded per enterprise with the lowest bound its requests
  can ask (`jointinspect.rules.matching.lowest_reaching`) and filtered per call exactly
  as ``open_for_enterprise`` filters (status included); the chunk's writes of plans and
  visits keep them as the store then is (a plan leaves the visit it was in and joins the
  one it is placed in, a new visit of a preloaded enterprise is added, an updated one
  replaced), so a store holding the chunk's writes (`jointinspect.ports.DeferrableChecks`)
  need not send them early for these reads. A write the preload cannot follow (a plan
  placed in, or an update of, a visit it does not hold) drops that enterprise's preload,
  and its later reads go to the store, which reads the chunk's writes (a store holding
  them sends them first);
* reservations, when the store's own ledger counts the visits and can read many
  enterprises' at once (`jointinspect.ports.PreloadingLedger`): the ledger keeps them
  and its own writes (see the SQL store's ledger);
* audit entries and notifications: nothing in filing reads them back, so `Appends`
  holds them in order, as plain values, and writes them at once before the commit (one
  ``append_staged``, or one ``append_many`` and one ``add_many``): the same entries
  (sequence numbers, hashes) and rows, in the same order, as written one by one.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import pendulum

from jointinspect import staged
from jointinspect.errors import ValidationError
from jointinspect.model.plan import Inspection, InspectionStatus, Plan
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect.model.result import ResultRecord
from jointinspect.operations._context import Effects
from jointinspect.ports import (
    FrequencyLedger,
    InspectionRepository,
    PlanRepository,
    PreloadingLedger,
    QuietSlotRepository,
    ReferenceRepository,
    ResultRepository,
    StagedAppends,
    UnitOfWork,
)
from jointinspect.requests import PlanRequest
from jointinspect.staged import StagedNotification, StagedRecord

#: Ids per ``for_inspections`` call of a preload.
_IDS = 500

#: A reference record not read yet (``None`` is a record read as missing).
_UNREAD: Any = object()


class StagedRefused(Exception):
    """A staged audit record's value was refused when the chunk was written: the chunk is
    filed again one request at a time, where the request auditing it is refused as
    ``file_plan`` refuses it (raised from the `ValidationError`)."""


class Appends:
    """A chunk's audit records and notifications, in the order one by one would write them,
    staged as plain values (`jointinspect.staged`): a store taking them as they are
    (`StagedAppends`) builds only its rows; for any other, they are built at the end."""

    def __init__(self) -> None:
        self.records: list[StagedRecord] = []
        self.notifications: list[StagedNotification] = []

    def flush(self, effects: Effects) -> None:
        """Write them (before the chunk commits) and note the entries for the anchors.

        Raises:
            StagedRefused: a record's value was refused (see `jointinspect.staged`).
        """
        uow, at, actor = effects.uow, effects.now, effects.actor
        try:
            if isinstance(uow, StagedAppends):
                effects.audited_entries(uow.append_staged(at, actor, self.records, self.notifications))
            else:
                effects.audited_entries(uow.audit.append_many(staged.records(at, actor, self.records)))
                uow.outbox.add_many(staged.notifications(at, self.notifications))
        except ValidationError as refused:
            raise StagedRefused from refused
        self.records, self.notifications = [], []


class CachingUnit:
    """The chunk's unit of work: reads served from what the chunk preloaded (see the
    module docstring), everything else passed to the store's unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.reference = _CachedReference(uow.reference)
        self._open = _OpenVisits()
        self.plans = _CachedPlans(uow.plans, self._open)
        self.inspections = _CachedInspections(uow.inspections, self._open)
        self.quiet_slots = _CachedQuietSlots(uow.quiet_slots)
        self.results = _CachedResults(uow.results)
        self._locked: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    @functools.cached_property
    def ledger(self) -> FrequencyLedger:
        """The store's ledger of this unit, asked for once: a view of the one unit of work
        (a store may build a new one each time it is asked, once a plan here)."""
        return self._uow.ledger

    def lock_enterprises(self, credit_codes: Sequence[str]) -> None:
        """Lock the chunk's enterprises (see `UnitOfWork.lock_enterprises`)."""
        self._uow.lock_enterprises(credit_codes)
        self._locked.update(credit_codes)

    def lock_enterprise(self, credit_code: str) -> None:
        """Lock one enterprise: nothing to do for one the chunk holds already (a lock is
        held until the unit of work ends)."""
        if credit_code not in self._locked:
            self._uow.lock_enterprise(credit_code)
            self._locked.add(credit_code)

    def preload(
        self,
        requests: Sequence[PlanRequest],
        enterprises: Sequence[str],
        reaching: Mapping[str, pendulum.DateTime],
        since: pendulum.DateTime,
        ledger: pendulum.DateTime | None = None,
    ) -> None:
        """Read what ``requests`` of ``enterprises`` (already locked) will ask: the
        enterprises, plan numbers, quiet slots, open visits reaching ``reaching`` (each
        enterprise's lowest bound in the chunk) and their plans, the results of the
        requests' items recorded since ``since`` (the sharing lookback), and with
        ``ledger`` (when the store's own ledger counts the visits) their reservations from
        that instant on, when the ledger can read them at once
        (`jointinspect.ports.PreloadingLedger`); a few bulk reads instead of some per request."""
        self.reference.preload_enterprises(enterprises)
        if ledger is not None and isinstance(store_ledger := self._uow.ledger, PreloadingLedger):
            store_ledger.preload(enterprises, ledger)
        by_department: dict[str, set[str]] = {}
        for request in requests:
            if request.idempotency_key is not None:
                by_department.setdefault(request.department, set()).add(request.idempotency_key)
        for department, keys in sorted(by_department.items()):
            self.plans.preload(department, sorted(keys))
        self.quiet_slots.preload(enterprises)
        self._open.preload(self._uow, reaching)
        self.results.preload(enterprises, sorted({item for r in requests for item in r.items}), since)

    def as_unit(self) -> UnitOfWork:
        """The chunk's unit, typed as the port it stands in for."""
        return cast(UnitOfWork, self)


def _filing_order(plan: Plan) -> tuple[pendulum.DateTime, str]:
    """The order ``for_inspections`` lists plans in."""
    return plan.filed_at, plan.id


class _OpenVisits:
    """The open visits of the chunk's enterprises and their plans, while untouched."""

    def __init__(self) -> None:
        self.reaching: dict[str, pendulum.DateTime] = {}  # enterprise -> the preload's bound
        self.visits: dict[str, list[Inspection]] = {}  # enterprise -> open visits, by id
        self.plans: dict[str, list[Plan]] = {}  # visit id -> its plans, in filing order
        self.owner: dict[str, str] = {}  # visit id -> enterprise
        self.home: dict[str, str] = {}  # plan id -> the preloaded visit holding it

    def preload(self, uow: UnitOfWork, reaching: Mapping[str, pendulum.DateTime]) -> None:
        self.reaching = dict(reaching)
        self.visits = uow.inspections.open_for_enterprises(reaching)
        owner: dict[str, str] = {}
        plans: dict[str, list[Plan]] = {}
        for enterprise, visits in self.visits.items():
            for visit in visits:
                owner[visit.id] = enterprise
                plans[visit.id] = []
        self.owner, self.plans, home = owner, plans, self.home
        ids = sorted(owner)
        for start in range(0, len(ids), _IDS):
            for plan in uow.plans.for_inspections(ids[start : start + _IDS]):
                if (visit_id := plan.inspection_id) is not None:
                    plans[visit_id].append(plan)
                    home[plan.id] = visit_id
        for held in plans.values():
            if len(held) > 1:  # mostly one plan a visit: nothing to order
                held.sort(key=_filing_order)

    def plan_written(self, plan: Plan) -> None:
        """Keep the preload as the store is after a write of ``plan``: it leaves the visit
        it was in and joins the one it is in now; a plan of a preloaded enterprise placed
        in a visit the preload does not hold makes that enterprise's reads go to the store."""
        old = self.home.pop(plan.id, None)
        if old is not None:
            self.plans[old] = [p for p in self.plans[old] if p.id != plan.id]
        new = plan.inspection_id
        if new is None:
            return
        if new in self.plans and self.owner[new] == plan.enterprise:
            plans = self.plans[new]
            plans.append(plan)
            if len(plans) > 1 and _filing_order(plans[-2]) > _filing_order(plan):
                plans.sort(key=_filing_order)  # an older plan moved in
            self.home[plan.id] = new
        elif plan.enterprise in self.visits or new in self.owner:
            self.forget(plan.enterprise, [new])

    def inspection_written(self, inspection: Inspection, *, new: bool) -> None:
        """Keep the preload as the store is after a write of ``inspection`` (``new``: an
        add, so no plan is in it yet); an update of a visit the preload does not hold, of
        a preloaded enterprise, makes that enterprise's reads go to the store."""
        owner = self.owner.get(inspection.id)
        if owner is not None and not new:
            visits = self.visits[owner]
            visits[next(k for k, v in enumerate(visits) if v.id == inspection.id)] = inspection
        elif owner is None and new and inspection.enterprise in self.visits:
            visits = self.visits[inspection.enterprise]
            visits.insert(bisect.bisect([v.id for v in visits], inspection.id), inspection)
            self.owner[inspection.id] = inspection.enterprise
            self.plans[inspection.id] = []
        elif owner is not None or inspection.enterprise in self.visits:
            self.forget(inspection.enterprise, [inspection.id])

    def forget(self, enterprise: str, inspection_ids: Iterable[str | None] = ()) -> None:
        """A write the preload cannot follow touched ``enterprise`` (and these visits): their
        later reads go to the store."""
        for gone in {enterprise, *(self.owner[i] for i in inspection_ids if i is not None and i in self.owner)}:
            for visit in self.visits.pop(gone, []):
                self.owner.pop(visit.id, None)
                for plan in self.plans.pop(visit.id, []):
                    self.home.pop(plan.id, None)

    def open_for(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection] | None:
        """``open_for_enterprise(enterprise, reaching)`` from the preload, else ``None``."""
        if enterprise not in self.visits or reaching < self.reaching[enterprise]:
            return None
        found = []
        for visit in self.visits[enterprise]:
            if visit.status is InspectionStatus.PLANNED:
                for plan in self.plans[visit.id]:
                    if plan.window.end >= reaching and plan.enterprise == enterprise:
                        found.append(visit)
                        break
        return found

    def plans_of(self, inspection_ids: Sequence[str]) -> list[Plan] | None:
        """``for_inspections(inspection_ids)`` from the preload, else ``None``."""
        wanted = set(inspection_ids)
        if not wanted or not wanted <= self.plans.keys():
            return None
        if len(wanted) == 1:
            return list(self.plans[inspection_ids[0]])  # each visit's plans are kept in this order
        return sorted((p for i in wanted for p in self.plans[i]), key=_filing_order)


class _CachedPlans:
    """Plans: numbers preloaded and kept up to date by the chunk's own writes."""

    def __init__(self, inner: PlanRepository, open_visits: _OpenVisits) -> None:
        self._inner = inner
        self._open = open_visits
        self._numbers: dict[tuple[str, str], Plan | None] = {}

    def preload(self, department: str, keys: Sequence[str]) -> None:
        found = self._inner.by_idempotency_keys(department, keys)
        self._numbers.update({(department, key): found.get(key) for key in keys})

    def _wrote(self, plan: Plan) -> None:
        if plan.idempotency_key is not None and (plan.department, plan.idempotency_key) in self._numbers:
            self._numbers[plan.department, plan.idempotency_key] = plan
        self._open.plan_written(plan)

    def add(self, plan: Plan) -> None:
        """See `PlanRepository.add`."""
        self._inner.add(plan)
        self._wrote(plan)

    def update(self, plan: Plan) -> None:
        """See `PlanRepository.update`."""
        self._inner.update(plan)
        self._wrote(plan)

    def by_idempotency_key(self, department: str, key: str) -> Plan | None:
        """See `PlanRepository.by_idempotency_key` (from the preload when it holds the key)."""
        if (department, key) in self._numbers:
            return self._numbers[department, key]
        return self._inner.by_idempotency_key(department, key)

    def for_inspections(self, inspection_ids: Sequence[str]) -> list[Plan]:
        """See `PlanRepository.for_inspections` (from the preload while untouched)."""
        found = self._open.plans_of(inspection_ids)
        return self._inner.for_inspections(inspection_ids) if found is None else found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CachedInspections:
    """Inspections: open visits from the preload while their enterprise is untouched."""

    def __init__(self, inner: InspectionRepository, open_visits: _OpenVisits) -> None:
        self._inner = inner
        self._open = open_visits

    def add(self, inspection: Inspection) -> None:
        """See `InspectionRepository.add`."""
        self._inner.add(inspection)
        self._open.inspection_written(inspection, new=True)

    def update(self, inspection: Inspection) -> None:
        """See `InspectionRepository.update`."""
        self._inner.update(inspection)
        self._open.inspection_written(inspection, new=False)

    def open_for_enterprise(self, enterprise: str, reaching: pendulum.DateTime) -> list[Inspection]:
        """See `InspectionRepository.open_for_enterprise` (from the preload while untouched)."""
        found = self._open.open_for(enterprise, reaching)
        return self._inner.open_for_enterprise(enterprise, reaching) if found is None else found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CachedQuietSlots:
    """Quiet slots (filing never writes them): preloaded; a write forgets them all."""

    def __init__(self, inner: QuietSlotRepository) -> None:
        self._inner = inner
        self._slots: dict[str, list[QuietSlot]] = {}

    def preload(self, enterprises: Sequence[str]) -> None:
        self._slots = self._inner.for_enterprises(enterprises)

    def for_enterprise(self, enterprise: str) -> list[QuietSlot]:
        """See `QuietSlotRepository.for_enterprise`."""
        found = self._slots.get(enterprise)
        return list(self._inner.for_enterprise(enterprise) if found is None else found)

    def add(self, slot: QuietSlot) -> None:
        """Write through."""
        self._slots.clear()
        self._inner.add(slot)

    def remove(self, slot_id: str) -> None:
        """Write through."""
        self._slots.clear()
        self._inner.remove(slot_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CachedResults:
    """Results (filing never writes them): the chunk's enterprises' results of its items
    since the sharing lookback, preloaded; a write forgets them."""

    def __init__(self, inner: ResultRepository) -> None:
        self._inner = inner
        self._since: pendulum.DateTime | None = None
        self._items: frozenset[str] = frozenset()
        self._found: dict[str, list[ResultRecord]] = {}

    def preload(self, enterprises: Sequence[str], items: Sequence[str], since: pendulum.DateTime) -> None:
        self._found = self._inner.for_enterprises(enterprises, items, since)
        self._since, self._items = since, frozenset(items)

    def for_enterprise(self, enterprise: str, items: Sequence[str], since: pendulum.DateTime) -> list[ResultRecord]:
        """See `ResultRepository.for_enterprise` (from the preload when it holds the answer:
        its rows of these items, in the same order)."""
        wanted = set(items)
        found = self._found.get(enterprise)
        if found is None or since != self._since or not wanted <= self._items:
            return self._inner.for_enterprise(enterprise, items, since)
        return [r for r in found if r.item in wanted]

    def add(self, result: ResultRecord) -> None:
        """Write through."""
        self._found.clear()
        self._inner.add(result)

    def update(self, result: ResultRecord) -> None:
        """Write through."""
        self._found.clear()
        self._inner.update(result)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CachedReference:
    """A `ReferenceRepository` remembering what it read (writes go through and forget)."""

    def __init__(self, inner: ReferenceRepository) -> None:
        self._inner = inner
        self._seen: dict[tuple[str, str], object] = {}
        #: enterprises read (the chunk's, preloaded), by credit code: the hottest kind, kept
        #: apart so a read builds no key
        self._enterprises: dict[str, Enterprise | None] = {}

    def preload_enterprises(self, credit_codes: Sequence[str]) -> None:
        found = self._inner.get_enterprises(credit_codes)
        get = found.get
        self._enterprises.update({code: get(code) for code in credit_codes})

    def _get(self, kind: str, key: str, read: Callable[[str], object]) -> Any:
        found = self._seen.get((kind, key), _UNREAD)
        if found is _UNREAD:
            found = self._seen[kind, key] = read(key)
        return found

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        """One enterprise by credit code (read once)."""
        found = self._enterprises.get(credit_code, _UNREAD)
        if found is _UNREAD:
            found = self._enterprises[credit_code] = self._inner.get_enterprise(credit_code)
        return cast(Enterprise | None, found)

    def get_department(self, code: str) -> Department | None:
        """One department by code (read once)."""
        return cast(Department | None, self._get("department", code, self._inner.get_department))

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        """One inspector by id (read once)."""
        return cast(Inspector | None, self._get("inspector", inspector_id, self._inner.get_inspector))

    def get_item(self, code: str) -> SupervisionItem | None:
        """One supervision item by code (read once)."""
        return cast(SupervisionItem | None, self._get("item", code, self._inner.get_item))

    def get_scenario(self, code: str) -> Scenario | None:
        """One scenario by code (read once)."""
        return cast(Scenario | None, self._get("scenario", code, self._inner.get_scenario))

    def _forget(self) -> None:
        self._seen.clear()
        self._enterprises.clear()

    def put_enterprise(self, enterprise: Enterprise) -> None:
        """Write through."""
        self._forget()
        self._inner.put_enterprise(enterprise)

    def put_department(self, department: Department) -> None:
        """Write through."""
        self._forget()
        self._inner.put_department(department)

    def put_inspector(self, inspector: Inspector) -> None:
        """Write through."""
        self._forget()
        self._inner.put_inspector(inspector)

    def put_item(self, item: SupervisionItem) -> None:
        """Write through."""
        self._forget()
        self._inner.put_item(item)

    def put_scenario(self, scenario: Scenario) -> None:
        """Write through."""
        self._forget()
        self._inner.put_scenario(scenario)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
