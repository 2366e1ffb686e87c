"""Administrative penalties (行政处罚), their credit repair (信用修复, Anhui) and the legal
review of major decisions (重大执法决定法制审核, Dezhou, X city).

Money is exact: fines are integer fen (分), never floats.
"""

from __future__ import annotations

import enum

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.model._enums import member
from jointinspect.timeutil import utc, utc_or_none

#: The largest fine accepted, in fen (10 billion yuan: far above any statutory maximum).
MAX_FINE_FEN = 10**12


class PenaltyKind(enum.StrEnum):
    """Kinds of penalty decision; admonition-type ones are repaired automatically."""

    ADMONITION = "admonition"  # 警告、通报批评
    FINE = "fine"  # 罚款
    CONFISCATION = "confiscation"  # 没收违法所得、非法财物
    SUSPENSION = "suspension"  # 暂扣许可证件、责令停产停业
    REVOCATION = "revocation"  # 吊销许可证件
    RESTRICTION = "restriction"  # 限制开展生产经营活动


class PenaltyState(enum.StrEnum):
    """Where a penalty record stands in its publicity and repair."""

    PUBLIC = "public"  # publicised (公示中): it weighs on the enterprise's credit
    REPAIR_APPLIED = "repair_applied"  # the enterprise applied for repair (申请修复)
    REPAIRED = "repaired"  # repaired (已修复): publicity ended, credit restored


class ReviewState(enum.StrEnum):
    """States of a legal review of a major decision."""

    REQUESTED = "requested"  # 待审核
    APPROVED = "approved"  # 审核通过
    RETURNED = "returned"  # 退回


def _to_kind(value: object) -> PenaltyKind:
    return member(PenaltyKind)(value)


def _to_state(value: object) -> PenaltyState:
    return member(PenaltyState)(value)


def _to_review_state(value: object) -> ReviewState:
    return member(ReviewState)(value)


def fen(value: object, field: str = "fine_fen") -> int:
    """A fine in integer fen (0 .. `MAX_FINE_FEN`); floats are refused (money is exact)."""
    return v.integer(value, field, minimum=0, maximum=MAX_FINE_FEN)


def yuan(amount_fen: int) -> str:
    """``amount_fen`` written as yuan with two decimals, e.g. ``"260000.00"``."""
    return f"{amount_fen // 100}.{amount_fen % 100:02d}"


@attrs.frozen
class Penalty:
    """A penalty decision issued to an enterprise, publicised from ``publicity_start``.

    Attributes:
        id: the decision's id.
        enterprise: the enterprise penalised.
        department: the department that decided.
        kind: the kind of penalty.
        field: the regulated field (``food``, ``drugs``, ``special_equipment``...), which
            sets the minimum publicity before repair (``policy.credit_repair``).
        fine_fen: the fine in fen (0 when there is none).
        decided_at: when the decision was issued.
        publicity_start: when its publicity began.
        rectification_id: the rectification it requires, if any (repair waits for it).
        review_id: the approved legal review, for a major decision.
        state: publicity and repair state.
        note: the last repair application's reason or decision's reason.
        repaired_at: when it was repaired.
    """

    id: str
    enterprise: str
    department: str
    kind: PenaltyKind = attrs.field(converter=_to_kind)
    field: str
    fine_fen: int
    decided_at: pendulum.DateTime = attrs.field(converter=utc)
    publicity_start: pendulum.DateTime = attrs.field(converter=utc)
    rectification_id: str | None = None
    review_id: str | None = None
    state: PenaltyState = attrs.field(default=PenaltyState.PUBLIC, converter=_to_state)
    note: str = ""
    repaired_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)


@attrs.frozen
class LegalReview:
    """A legal review (法制审核) of a major penalty decision by the department's legal office.

    Attributes:
        id: the review's id.
        enterprise: the enterprise the decision concerns.
        department: the deciding department (its legal office reviews).
        kind: the penalty kind proposed.
        field: the regulated field.
        fine_fen: the fine proposed, in fen.
        summary: the facts and grounds submitted.
        requested_at: when the review was requested.
        deadline: when the legal office should have answered.
        state: requested, approved or returned.
        reason: the legal office's reason (required when returning).
        decided_at: when it was decided.
        decided_by: who decided (the audit actor).
        overdue_warned: whether the overdue warning was sent.
        penalty_id: the decision issued under this approval (each approval serves once).
    """

    id: str
    enterprise: str
    department: str
    kind: PenaltyKind = attrs.field(converter=_to_kind)
    field: str
    fine_fen: int
    summary: str
    requested_at: pendulum.DateTime = attrs.field(converter=utc)
    deadline: pendulum.DateTime = attrs.field(converter=utc)
    state: ReviewState = attrs.field(default=ReviewState.REQUESTED, converter=_to_review_state)
    reason: str = ""
    decided_at: pendulum.DateTime | None = attrs.field(default=None, converter=utc_or_none)
    decided_by: str | None = None
    overdue_warned: bool = False
    penalty_id: str | None = None


@attrs.frozen
class CreditView:
    """What an enterprise's credit record shows: penalties still publicised and repaired ones."""

    enterprise: str
    public: tuple[Penalty, ...]
    repaired: tuple[Penalty, ...]

    @property
    def clean(self) -> bool:
        """No penalty is publicised any more."""
        return not self.public
