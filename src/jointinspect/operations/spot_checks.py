"""Random spot checks (双随机、一公开): draw a campaign, publish it, file its plans.

`draw_spot_check` loads the published candidates (with their credit class) and the
department's inspector pool (those certified for the campaign's items throughout its
window; others are left out and reported), the inspectors' declared conflicts and the
department's previous pairs, draws with `jointinspect.rules.spot_check.draw`, and stores
and publishes the draw (to the supervising office, with its seed) in one unit of work.
Then every selected pair becomes a plan of kind ``random`` filed through the normal
filing path — each in its own unit of work, so it merges, is capped by the frequency
rules and is coded like any other; a plan a rule refuses is reported, not raised, since
the draw itself must stand. Each plan carries the plan number
``spot-<draw id>-<n>``: filing the campaign's plans again never files one twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.auth import AuthContext, Principal
from jointinspect.errors import JointInspectError, NotFoundError, ValidationError
from jointinspect.model.notification import Role
from jointinspect.model.plan import InspectionKind, Window
from jointinspect.model.reference import Inspector, SupervisionItem
from jointinspect.model.spot_check import Conflict, SpotCheckRecord
from jointinspect.operations import filing
from jointinspect.operations._unit import (
    Context,
    boundary,
    operation,
    permit,
    require_department,
    require_enterprise,
    require_inspector,
    require_item,
)
from jointinspect.policy.schema import Policy
from jointinspect.requests import FilingOutcome, PlanRequest
from jointinspect.rules import filing as filing_rules
from jointinspect.rules.spot_check import Candidate, DrawInput, PoolInspector, draw, shares_for, to_public
from jointinspect.timeutil import local_date

__all__ = ["SpotCheckOutcome", "SpotCheckRequest", "declare_conflict", "draw_spot_check", "refile_spot_check"]

#: The longest candidate list or inspector pool one campaign takes.
MAX_CANDIDATES = 100_000


def _campaign(value: object) -> str:
    return v.identifier(value, "campaign")


def _department(value: object) -> str:
    return v.identifier(value, "department")


def _start(value: object) -> pendulum.DateTime:
    return v.instant(value, "start")


def _end(value: object) -> pendulum.DateTime:
    return v.instant(value, "end")


def _items(value: object) -> tuple[str, ...]:
    return v.identifier_sequence(value, "items")


def _candidates(value: object) -> tuple[str, ...]:
    return v.sequence(value, "candidates", v.credit_code, max_len=MAX_CANDIDATES)


def _inspectors(value: object) -> tuple[str, ...]:
    return v.identifier_sequence(value, "inspectors", max_len=MAX_CANDIDATES)


def _shares(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValidationError("input.wrong_type", field="shares", expected="mapping", actual=type(value).__name__)
    return {
        v.identifier(k, "shares"): v.number(share, "shares", minimum=0.0, maximum=1.0) for k, share in value.items()
    }


def _seed(value: object) -> str | None:
    return v.optional_identifier(value, "seed")


@attrs.frozen
class SpotCheckRequest:
    """A department's spot-check campaign: whom to draw from, whom to send, when, on what.

    ``candidates`` is the published list of enterprises (检查对象名录库); ``inspectors`` the
    department's pool (执法检查人员名录库); ``shares`` the share per credit class (default:
    each class's policy minimum); ``seed`` the published seed (default: 32 random bytes as
    hex — publish or commit to it before the candidates are final to rule out choosing one).
    """

    campaign: str = attrs.field(converter=_campaign)
    department: str = attrs.field(converter=_department)
    start: pendulum.DateTime = attrs.field(converter=_start)
    end: pendulum.DateTime = attrs.field(converter=_end)
    items: tuple[str, ...] = attrs.field(converter=_items)
    candidates: tuple[str, ...] = attrs.field(converter=_candidates)
    inspectors: tuple[str, ...] = attrs.field(converter=_inspectors)
    shares: Mapping[str, float] = attrs.field(factory=dict, converter=_shares)
    seed: str | None = attrs.field(default=None, converter=_seed)

    @property
    def window(self) -> Window:
        """The window every plan of the campaign is filed with."""
        return Window(self.start, self.end)


@attrs.frozen
class SpotCheckOutcome:
    """The stored draw, the plans filed for it, the pairs a filing rule refused
    (enterprise, error code), and the pool's inspectors left out as not certified."""

    record: SpotCheckRecord
    filings: tuple[FilingOutcome, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    excluded: tuple[str, ...] = ()


def _certified(inspector: Inspector, items: Sequence[SupervisionItem], window: Window, policy: Policy) -> bool:
    first = local_date(window.start, policy.zone)
    last = local_date(window.end.subtract(microseconds=1), policy.zone)
    return (
        inspector.certified_on(first)
        and inspector.certified_on(last)
        and all(item.field in inspector.fields for item in items)
    )


def draw_spot_check(context: Context, request: SpotCheckRequest, by: Principal) -> SpotCheckOutcome:
    """Draw, store and publish a campaign, then file its plans of kind random."""
    by = boundary("draw_spot_check", by)
    request = v.instance_of(request, "request", SpotCheckRequest)
    window = request.window
    seed = request.seed or secrets.token_hex(32)
    with operation(context, by) as effects:
        uow = effects.uow
        permit(context, "draw_spot_check", by, AuthContext(department=request.department), request.campaign)
        if uow.spot_checks.by_campaign(request.department, request.campaign) is not None:
            raise ValidationError("spot_check.already_drawn", campaign=request.campaign, department=request.department)
        require_department(uow, request.department)
        items = [require_item(uow, code) for code in sorted(set(request.items))]
        filing_rules.check_items(request.department, items)
        enterprises = [require_enterprise(uow, code) for code in sorted(set(request.candidates))]
        candidates = [Candidate(e.credit_code, e.credit_class) for e in enterprises]
        pool: list[PoolInspector] = []
        excluded: list[str] = []
        for inspector in (require_inspector(uow, i) for i in sorted(set(request.inspectors))):
            if inspector.department != request.department or _certified(inspector, items, window, context.policy):
                pool.append(PoolInspector(inspector.id, inspector.department))  # others' are drawn never
            else:
                excluded.append(inspector.id)
        codes = {c.credit_code for c in candidates}
        conflicts = [
            (c.inspector, c.enterprise)
            for c in uow.spot_checks.conflicts_of([p.id for p in pool])
            if c.enterprise in codes
        ]
        previous = [
            (enterprise, inspector)
            for enterprise, inspectors in uow.spot_checks.last_pairs(request.department, sorted(codes)).items()
            for inspector in inspectors
        ]
        policy = context.policy.spot_check
        spec = DrawInput(
            campaign=request.campaign,
            department=request.department,
            seed=seed,
            candidates=candidates,
            inspectors=pool,
            shares=shares_for(policy, request.shares),
            per_enterprise=policy.inspectors_per_enterprise,
            no_repeat=policy.no_repeat,
            conflicts=conflicts,
            previous=previous,
        )
        result = draw(spec)
        record = SpotCheckRecord(
            id=context.ids(),
            campaign=request.campaign,
            department=request.department,
            draw=result,
            items=[item.code for item in items],
            window=window,
            drawn_at=effects.now,
            drawn_by=by.actor,
        )
        uow.spot_checks.add(record)
        selected = ",".join(s.enterprise for s in result.selections)
        effects.audit(
            "spot_check.drawn",
            record.id,
            campaign=request.campaign,
            department=request.department,
            seed=seed,
            candidates=len(candidates),
            selected=selected,
            excluded=",".join(excluded),
        )
        # 一公开: the draw goes to the supervising office with its seed, to be published.
        effects.notify(
            "spot_check.drawn",
            Role.SUPERVISOR,
            "judicial",
            record.id,
            campaign=request.campaign,
            department=request.department,
            seed=seed,
            selected=selected,
            public=json.dumps(to_public(result), ensure_ascii=False, sort_keys=True),
        )
    filings, refused = _file_plans(context, record, by)
    return SpotCheckOutcome(record, tuple(filings), tuple(refused), tuple(excluded))


def _file_plans(
    context: Context, record: SpotCheckRecord, by: Principal
) -> tuple[list[FilingOutcome], list[tuple[str, str]]]:
    """File one plan of kind random per selected pair, each through the normal filing path."""
    filings: list[FilingOutcome] = []
    refused: list[tuple[str, str]] = []
    for n, selection in enumerate(record.draw.selections, 1):
        request = PlanRequest(
            enterprise=selection.enterprise,
            department=record.department,
            start=record.window.start,
            end=record.window.end,
            kind=InspectionKind.RANDOM,
            items=record.items,
            inspectors=selection.inspectors,
            reason=f"spot check {record.campaign}",
            idempotency_key=f"spot-{record.id}-{n}",
        )
        try:
            filings.append(filing.file_plan(context, request, by))
        except JointInspectError as refusal:  # capped, quiet period...: the draw stands
            refused.append((selection.enterprise, refusal.code))
    return filings, refused


def refile_spot_check(context: Context, department: str, campaign: str, by: Principal) -> SpotCheckOutcome:
    """File a drawn campaign's plans again: those already filed are replayed by their plan
    number, the others filed now (after a failure between the draw and its plans)."""
    by = boundary("refile_spot_check", by)
    department = v.identifier(department, "department")
    campaign = v.identifier(campaign, "campaign")
    with operation(context, by) as effects:
        permit(context, "refile_spot_check", by, AuthContext(department=department), campaign)
        record = effects.uow.spot_checks.by_campaign(department, campaign)
        if record is None:
            raise NotFoundError(kind="spot check", key=f"{department}/{campaign}")
    filings, refused = _file_plans(context, record, by)
    return SpotCheckOutcome(record, tuple(filings), tuple(refused))


def declare_conflict(context: Context, inspector_id: str, enterprise: str, reason: str, by: Principal) -> Conflict:
    """Declare an inspector's conflict of interest with an enterprise (回避): never drawn for it."""
    by = boundary("declare_conflict", by)
    inspector_id = v.identifier(inspector_id, "inspector_id")
    enterprise = v.credit_code(enterprise, "enterprise")
    reason = v.text(reason, "reason")
    with operation(context, by) as effects:
        uow = effects.uow
        inspector = require_inspector(uow, inspector_id)
        facts = AuthContext(department=inspector.department, inspector=inspector_id)
        permit(context, "declare_conflict", by, facts, inspector_id)
        require_enterprise(uow, enterprise)
        conflict = Conflict(inspector_id, enterprise, inspector.department, reason, effects.now)
        uow.spot_checks.put_conflict(conflict)
        effects.audit("conflict.declared", inspector_id, enterprise=enterprise, reason=reason)
        effects.notify(
            "conflict.declared",
            Role.DEPARTMENT,
            inspector.department,
            inspector_id,
            key=f"conflict.declared:{inspector_id}:{enterprise}:{effects.now.isoformat()}",
            enterprise=enterprise,
            reason=reason,
        )
    return conflict
