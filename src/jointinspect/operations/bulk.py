"""Bulk filing (issue 11): many plans in few units of work, each under every rule of
`jointinspect.operations.filing.file_plan`.

Order: the requests are filed in the order given, one after another, exactly as calling
``file_plan`` for each in turn would file them (validation, authorization, the
whitelist, filing deadlines, merging and placement, the frequency rules, the plan
number), so each request sees the plans filed before it — in this call or earlier. The
outcome of request *i* is the one ``file_plan`` gives after requests ``0 .. i-1``.

Batching: ``chunk`` requests share one unit of work. The chunk first locks its
enterprises in credit-code order (two bulk filings never wait on each other in a cycle),
then reads at once what its requests will read — plan numbers, quiet slots, open visits
and their plans — reads each department, item, scenario, inspector and enterprise once,
lets the store report a refused write late and hold its writes
(`jointinspect.ports.DeferrableChecks`: the SQL store then writes the chunk's plans,
visits, their department rows and reservations grouped per table, one ``executemany`` or
``COPY`` each, before its next other statement), writes its audit entries and
notifications with one bulk append each (the held writes go first), and commits once,
with one clock reading for the whole chunk (its plans share ``filed_at``; ties in
filing order break by id, as everywhere). Read-your-writes inside the chunk is kept
(see `jointinspect.operations.bulk_cache`).

An error changes nothing, per request: every refusal of ``file_plan`` is raised before
the request's first write to a repository (a blocked reservation records nothing), and
the request's audit entries and notifications are staged and written only when it
succeeds. Any other error (a storage error, or an audit value refused only when the chunk
writes its staged entries: `jointinspect.operations.bulk_cache.StagedRefused`) rolls the
chunk back and the chunk is filed again request by request, one unit of work each, so a
failing row never costs its neighbours (and a refused one is refused as ``file_plan``
refuses it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import cast

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import (
    FilingRejected,
    Forbidden,
    IdempotencyConflict,
    JointInspectError,
    NotFoundError,
    StorageError,
    ValidationError,
)
from jointinspect.model._trusted import builder
from jointinspect.model.notification import Role, checked_key
from jointinspect.operations import collector
from jointinspect.operations._context import default_key
from jointinspect.operations._unit import Context, Effects, boundary, operation, permit
from jointinspect.operations.bulk_cache import Appends, CachingUnit, StagedRefused
from jointinspect.operations.filing import FilingMemo, file_in, file_plan
from jointinspect.operations.results import lookback_start
from jointinspect.ports import DeferrableChecks, UnitOfWork
from jointinspect.requests import BulkItem, BulkOutcome, FilingOutcome, PlanRequest
from jointinspect.rules.filing import ledger_reach
from jointinspect.rules.matching import lowest_reaching

__all__ = ["DEFAULT_CHUNK", "file_plans"]

#: Requests per unit of work: large enough to amortise a chunk's locks, bulk reads and
#: commit (1,000 filed 10,000 plans 4-10% faster than 500 on SQLite and PostgreSQL; 2,000
#: gained little more), small enough that a storage error refiles few requests one by one.
DEFAULT_CHUNK = 1000

#: Refusals file_plan raises before any write of the request (see the module docstring).
_REFUSALS = (ValidationError, NotFoundError, FilingRejected, IdempotencyConflict, Forbidden)


def file_plans(
    context: Context,
    requests: Iterable[PlanRequest],
    by: Principal,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> BulkOutcome:
    """File ``requests`` in order (see the module docstring); one `BulkItem` each.

    Raises:
        Forbidden: ``by`` may not file plans at all (a request for another department
            is refused in its own `BulkItem`).
        ValidationError: ``requests`` is not iterable, or ``chunk`` is out of range.
    """
    by = boundary("file_plans", by)
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
        raise ValidationError(
            "input.invalid", field="requests", reason="a sequence of PlanRequest", reason_zh="应为检查计划申请的序列"
        )
    requests = list(requests)
    chunk = v.integer(chunk, "chunk", minimum=1, maximum=10_000)
    permit(context, "file_plans", by, AuthContext(), "-")
    items: list[BulkItem] = []
    with collector.survivors_set_aside() as survivors:
        for start in range(0, len(requests), chunk):
            part = list(enumerate(requests[start : start + chunk], start))
            try:
                with collector.paused(survivors):
                    items += _file_chunk(context, part, by)
            except (StorageError, StagedRefused):
                items += [_file_alone(context, index, request, by) for index, request in part]
            if progress is not None:
                progress(len(part))
    return BulkOutcome(tuple(items))


def _file_chunk(context: Context, part: Sequence[tuple[int, object]], by: Principal) -> list[BulkItem]:
    """File one chunk in one unit of work; refusals are per request."""
    done: list[BulkItem] = []
    with operation(context, by) as effects:
        if isinstance(effects.uow, DeferrableChecks):
            effects.uow.defer_checks()  # a late refusal is a storage error: refiled one by one
        uow = CachingUnit(effects.uow)
        valid = [r for _, r in part if isinstance(r, PlanRequest)]
        codes = sorted({r.enterprise for r in valid})
        uow.lock_enterprises(codes)
        # Under the locks: what the requests will read, a few bulk reads for the chunk.
        bounds = lowest_reaching(((r.enterprise, r.start) for r in valid), effects.now, context.policy.matching)
        reach = ledger_reach(context.policy, [r.start for r in valid]) if context.ledger is None else None
        uow.preload(valid, codes, bounds, lookback_start(context, effects.now), ledger=reach)
        appends = Appends()
        staged = _Staged(uow.as_unit(), effects, appends)
        memo = FilingMemo()
        for index, request in part:
            staged.begin()
            try:
                # (exactly a request, the usual case: no call to find it one)
                checked = request if type(request) is PlanRequest else v.instance_of(request, "request", PlanRequest)
                outcome = file_in(context, staged, checked, by, memo)
            except _REFUSALS as refusal:
                staged.discard()
                done.append(_item(index, None, refusal))
            else:
                done.append(_item(index, outcome, None))
        appends.flush(effects)
    return done


#: `BulkItem` of its fields by position, as given (a chunk builds one a request).
_item: Callable[[int, FilingOutcome | None, JointInspectError | None], BulkItem] = builder(BulkItem)


def _file_alone(context: Context, index: int, request: object, by: Principal) -> BulkItem:
    """File one request in its own unit of work (after a chunk failed on a storage error)."""
    try:
        outcome: FilingOutcome = file_plan(context, cast(PlanRequest, request), by)
    except JointInspectError as error:
        return BulkItem(index, error=error)
    return BulkItem(index, outcome=outcome)


class _Staged(Effects):
    """The chunk's requests' effects, one request after another (`begin`): audit records
    and notifications go to the chunk's `Appends` (written before the chunk commits) and
    separate-ledger steps to the chunk's own; a refused request's are dropped (`discard`),
    so only a request that succeeds leaves any."""

    def __init__(self, uow: UnitOfWork, outer: Effects, appends: Appends) -> None:
        super().__init__(uow, outer.now, outer.by)
        self._appends = appends
        self.after_commit = outer.after_commit
        self.on_failure = outer.on_failure
        self._marks = (0, 0, 0, 0)

    def begin(self) -> None:
        """The next request starts: what it stages comes after this point."""
        appends = self._appends
        self._marks = (len(appends.records), len(appends.notifications), len(self.after_commit), len(self.on_failure))

    def notify(
        self,
        kind: str,
        role: Role,
        recipient: str,
        subject: str,
        /,
        *,
        key: str | None = None,
        **payload: object,
    ) -> None:
        """Stage a notification (queued in the outbox if the request succeeds): as plain
        values (`jointinspect.staged`), its key and role checked now as `notification`
        checks them (a refusal is the request's), its payload made text when written."""
        if type(role) is Role:
            key = checked_key(key or default_key(kind, role, recipient, subject))
            self._appends.notifications.append((key, kind, role, recipient, subject, payload))
            return
        # Built by `Effects.notification`, not by a call written `x.notify(kind...)`: the
        # notification catalogue test reads the literal kind at every such call site, and
        # this one only forwards.
        made = self.notification(kind, role, recipient, subject, key, payload)
        self._appends.notifications.append((made.key, made.kind, made.role, made.recipient, made.subject, made.data()))

    def audit(self, action: str, subject: str, **data: object) -> None:
        """Stage an audit record (appended if the request succeeds), as plain values: its
        values are checked when the chunk is written (`jointinspect.staged.sealed_rows`);
        one refused then files the chunk again one request at a time (`StagedRefused`)."""
        self._appends.records.append((action, subject, data))

    def discard(self) -> None:
        """The request was refused: undo what it did in a separate ledger, drop the rest."""
        records, notifications, after_commit, on_failure = self._marks
        for undo in self.on_failure[on_failure:]:
            undo()
        del self._appends.records[records:]
        del self._appends.notifications[notifications:]
        del self.after_commit[after_commit:]
        del self.on_failure[on_failure:]
