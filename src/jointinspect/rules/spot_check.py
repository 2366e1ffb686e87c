"""Random spot checks (双随机、一公开): a reproducible, publicly verifiable draw.

A department's campaign draws enterprises from a published list of candidates, per credit
class, in the shares the policy allows (one county: A at most 5%, B 5-20%, C 21-60%,
D 61-100%), and at least two of the department's own inspectors per selected enterprise,
with recusal: an inspector who declared a conflict of interest with the enterprise, or who
was drawn for it last time, is not drawn for it.

The draw is a pure function of its published input (`DrawInput`): the campaign, the
department, the seed, the candidates with their credit class, the inspector pool, the
declared conflicts, the previous pairs, and the shares with the policy's bounds. Every
choice ranks names by HMAC-SHA256 keyed with the seed over a label naming the campaign,
the department and the candidate (ties by the name itself), so:

- the same input gives the same draw, whatever order its lists were given in;
- anyone holding the published input recomputes the draw with `draw` and compares it with
  `verify_draw` — the library alone, no database, no clock;
- nobody can steer the result once the seed is fixed; publish (or commit to) the seed
  before the candidates are known to rule out choosing a seed that suits.

How many of a class are drawn: ``round(share * n)`` (halves up), kept within the policy's
bounds ``ceil(minimum * n) .. floor(maximum * n)``; when no whole number lies within them
(a small class), the upper bound wins: "at most" is never exceeded.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.model._enums import member
from jointinspect.model.reference import CreditClass
from jointinspect.policy.fieldwork import SpotCheckPolicy, exact

__all__ = [
    "Candidate",
    "ClassShare",
    "Draw",
    "DrawInput",
    "PoolInspector",
    "Selection",
    "class_count",
    "draw",
    "from_public",
    "shares_for",
    "to_public",
    "verify_draw",
]

#: The format of the published draw (bumped if the ranking ever changes).
FORMAT = "jointinspect.spot_check.v1"


def _credit_code(value: object) -> str:
    return v.credit_code(value, "credit_code")


def _inspector_id(value: object) -> str:
    return v.identifier(value, "inspector")


def _department(value: object) -> str:
    return v.identifier(value, "department")


def _campaign(value: object) -> str:
    return v.identifier(value, "campaign")


def _seed(value: object) -> str:
    return v.identifier(value, "seed")


def _credit_class(value: object) -> CreditClass:
    return member(CreditClass, "credit_class")(value)


@attrs.frozen(order=True)
class Candidate:
    """An enterprise of the published candidate list, with its credit class."""

    credit_code: str = attrs.field(converter=_credit_code)
    credit_class: CreditClass = attrs.field(converter=_credit_class)


@attrs.frozen(order=True)
class PoolInspector:
    """An inspector of the published pool, with the department holding their certificate."""

    id: str = attrs.field(converter=_inspector_id)
    department: str = attrs.field(converter=_department)


@attrs.frozen(order=True)
class ClassShare:
    """The share drawn of one credit class, with the policy's bounds it was checked against."""

    credit_class: CreditClass = attrs.field(converter=_credit_class)
    share: float
    minimum: float
    maximum: float


def _unique_sorted(values: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError("input.invalid", reason="a list expected", reason_zh="应为列表")
    return tuple(sorted(set(values)))


def _candidates(values: Iterable[Candidate]) -> tuple[Candidate, ...]:
    return _unique_sorted(values)


def _pool(values: Iterable[PoolInspector]) -> tuple[PoolInspector, ...]:
    return _unique_sorted(values)


def _shares(values: Iterable[ClassShare]) -> tuple[ClassShare, ...]:
    return _unique_sorted(values)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.identifier(i, "inspector") for i in value)


def _selections(value: Iterable[Selection]) -> tuple[Selection, ...]:
    return tuple(value)


def _pairs(values: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    if isinstance(values, str | bytes):
        raise ValidationError("input.invalid", reason="a list of pairs expected", reason_zh="应为二元组列表")
    return tuple(sorted({(v.identifier(a, "pair"), v.identifier(b, "pair")) for a, b in values}))


@attrs.frozen
class DrawInput:
    """Everything a draw depends on, as published with its result.

    ``conflicts`` are (inspector, enterprise) pairs declared as conflicts of interest;
    ``previous`` are (enterprise, inspector) pairs of the department's last draw that
    selected each enterprise. Lists are kept sorted and without repeats, so the order in
    which they were given never matters.
    """

    campaign: str = attrs.field(converter=_campaign)
    department: str = attrs.field(converter=_department)
    seed: str = attrs.field(converter=_seed)
    candidates: tuple[Candidate, ...] = attrs.field(converter=_candidates)
    inspectors: tuple[PoolInspector, ...] = attrs.field(converter=_pool)
    shares: tuple[ClassShare, ...] = attrs.field(converter=_shares)
    per_enterprise: int = 2
    no_repeat: bool = True
    conflicts: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    previous: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    def __attrs_post_init__(self) -> None:
        codes = [c.credit_code for c in self.candidates]
        if len(codes) != len(set(codes)):
            twice = sorted({c for c in codes if codes.count(c) > 1})
            raise ValidationError("spot_check.candidate_twice", enterprise=twice[0])
        if len({s.credit_class for s in self.shares}) != len(self.shares):
            raise ValidationError(
                "input.invalid", reason="one share per credit class", reason_zh="每个信用等级只能有一个抽查比例"
            )
        v.integer(self.per_enterprise, "per_enterprise", minimum=1, maximum=1000)
        for share in self.shares:
            check_share(share)


@attrs.frozen
class Selection:
    """One drawn enterprise and the inspectors drawn for it (in rank order)."""

    enterprise: str
    credit_class: CreditClass = attrs.field(converter=_credit_class)
    inspectors: tuple[str, ...] = attrs.field(converter=_names)


@attrs.frozen
class Draw:
    """A draw: its input and the selections, enterprises in rank order within each class."""

    input: DrawInput
    selections: tuple[Selection, ...] = attrs.field(converter=_selections)


def check_share(share: ClassShare) -> None:
    """Refuse a share outside its bounds (``spot_check.share_out_of_range``)."""
    for value in (share.share, share.minimum, share.maximum):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError(
                "spot_check.share_out_of_range",
                credit_class=share.credit_class,
                share=value,
                minimum=share.minimum,
                maximum=share.maximum,
            )
    if not 0 <= exact(share.minimum) <= exact(share.share) <= exact(share.maximum) <= 1:
        raise ValidationError(
            "spot_check.share_out_of_range",
            credit_class=share.credit_class,
            share=share.share,
            minimum=share.minimum,
            maximum=share.maximum,
        )


def shares_for(policy: SpotCheckPolicy, requested: Mapping[str, float] | None = None) -> tuple[ClassShare, ...]:
    """The shares of a campaign: those ``requested`` per class, else each class's minimum.

    Raises:
        ValidationError: ``spot_check.share_out_of_range`` for a share outside the policy's
            bounds, or ``spot_check.class_not_drawn`` for a class the policy has no ratio for.
    """
    requested = dict(requested or {})
    wanted = {member(CreditClass, "credit_class")(k): value for k, value in requested.items()}
    shares = []
    for credit_class, ratio in sorted(policy.ratios.items()):
        share = wanted.pop(credit_class, ratio.minimum)
        shares.append(ClassShare(credit_class, share, ratio.minimum, ratio.maximum))
        check_share(shares[-1])
    if wanted:
        raise ValidationError("spot_check.class_not_drawn", credit_class=sorted(wanted)[0])
    return tuple(shares)


def class_count(n: int, share: float, minimum: float, maximum: float) -> int:
    """How many of ``n`` candidates of a class are drawn (see the module docstring)."""
    low = math.ceil(exact(minimum) * n)
    high = math.floor(exact(maximum) * n)
    wanted = math.floor(exact(share) * n + Fraction(1, 2))
    if low > high:
        return high
    return min(max(wanted, low), high)


def _rank(seed: str, *label: str) -> bytes:
    message = "\x1f".join(label).encode("utf-8")
    return hmac.new(seed.encode("utf-8"), message, hashlib.sha256).digest()


def draw(spec: DrawInput) -> Draw:
    """Draw enterprises per credit class and inspectors per enterprise (pure, deterministic).

    Raises:
        ValidationError: ``spot_check.too_few_inspectors`` when a selected enterprise has
            fewer eligible inspectors than the draw needs (nothing is drawn then).
    """
    conflicts = set(spec.conflicts)
    previous = set(spec.previous)
    own = [i.id for i in spec.inspectors if i.department == spec.department]  # never another department's
    selections: list[Selection] = []
    for share in spec.shares:
        members = [c.credit_code for c in spec.candidates if c.credit_class is share.credit_class]
        count = class_count(len(members), share.share, share.minimum, share.maximum)
        ranked = sorted(
            members, key=lambda code: (_rank(spec.seed, "enterprise", spec.campaign, spec.department, code), code)
        )
        for code in ranked[:count]:
            eligible = [i for i in own if (i, code) not in conflicts and not (spec.no_repeat and (code, i) in previous)]
            if len(eligible) < spec.per_enterprise:
                raise ValidationError(
                    "spot_check.too_few_inspectors",
                    enterprise=code,
                    eligible=len(eligible),
                    needed=spec.per_enterprise,
                )
            chosen = sorted(
                eligible, key=lambda i: (_rank(spec.seed, "inspector", spec.campaign, spec.department, code, i), i)
            )
            selections.append(Selection(code, share.credit_class, chosen[: spec.per_enterprise]))
    return Draw(spec, selections)


def verify_draw(published: Draw | Mapping[str, Any]) -> bool:
    """Whether a published draw is exactly what its input gives (a `Draw` or `to_public` data).

    Returns ``False`` for a result that differs, or data that is not a well-formed draw.
    """
    try:
        claimed = published if isinstance(published, Draw) else from_public(published)
        return draw(claimed.input) == claimed
    except (ValidationError, KeyError, TypeError, ValueError):
        return False


def to_public(result: Draw) -> dict[str, Any]:
    """The draw as plain JSON-ready data, to publish (一公开)."""
    spec = result.input
    return {
        "format": FORMAT,
        "campaign": spec.campaign,
        "department": spec.department,
        "seed": spec.seed,
        "per_enterprise": spec.per_enterprise,
        "no_repeat": spec.no_repeat,
        "shares": [
            {"credit_class": s.credit_class.value, "share": s.share, "minimum": s.minimum, "maximum": s.maximum}
            for s in spec.shares
        ],
        "candidates": [[c.credit_code, c.credit_class.value] for c in spec.candidates],
        "inspectors": [[i.id, i.department] for i in spec.inspectors],
        "conflicts": [list(pair) for pair in spec.conflicts],
        "previous": [list(pair) for pair in spec.previous],
        "selections": [
            {"enterprise": s.enterprise, "credit_class": s.credit_class.value, "inspectors": list(s.inspectors)}
            for s in result.selections
        ],
    }


def from_public(data: Mapping[str, Any]) -> Draw:
    """The `Draw` that `to_public` published.

    Raises:
        ValidationError: an unknown format or a malformed field.
    """
    if data.get("format") != FORMAT:
        raise ValidationError("spot_check.format_unknown", format=str(data.get("format")))
    spec = DrawInput(
        campaign=data["campaign"],
        department=data["department"],
        seed=data["seed"],
        candidates=[Candidate(code, cls) for code, cls in data["candidates"]],
        inspectors=[PoolInspector(i, d) for i, d in data["inspectors"]],
        shares=[ClassShare(s["credit_class"], s["share"], s["minimum"], s["maximum"]) for s in data["shares"]],
        per_enterprise=data["per_enterprise"],
        no_repeat=v.boolean(data["no_repeat"], "no_repeat"),
        conflicts=data["conflicts"],
        previous=data["previous"],
    )
    selections = [Selection(s["enterprise"], s["credit_class"], s["inspectors"]) for s in data["selections"]]
    return Draw(spec, selections)
