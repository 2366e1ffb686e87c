"""Policy groups of the seed platforms' prewarning and penalty rules: licence expiry
prewarning (Yantai), credit repair (Anhui) and the legal review of major decisions
(Dezhou, X city). Each is one field of `jointinspect.policy.schema.Policy`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from jointinspect.errors import PolicyError
from jointinspect.model.penalty import MAX_FINE_FEN, PenaltyKind
from jointinspect.policy.bounds import Range

#: Longest lead time of a licence warning and longest review deadline (days).
MAX_LEAD_DAYS = 366
#: Longest minimum publicity before repair (months): ten years.
MAX_PUBLICITY_MONTHS = 120


def _int_in(field: str, low: int, high: int) -> Range:
    """An attrs validator: an ``int`` (not ``bool``) in ``low..high``, naming ``field`` (a
    `Range`, so the policy reference shows the bounds)."""

    def check(_: object, __: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            shown = value if isinstance(value, int) and value.bit_length() < 64 else type(value).__name__
            raise PolicyError(
                reason=f"{field} must be an integer between {low} and {high} (got {shown})",
                reason_zh=f"{field} 须为 {low} 至 {high} 之间的整数(实为 {shown})",
            )

    return Range(low, high, check)


def _lead_days(value: object) -> tuple[int, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
        raise PolicyError(
            reason=f"licences.lead_days must be a list of days, got {type(value).__name__}",
            reason_zh=f"licences.lead_days 须为天数列表,实为 {type(value).__name__}",
        )
    check = _int_in("licences.lead_days", 1, MAX_LEAD_DAYS)
    for day in value:
        check(None, None, day)  # type: ignore[arg-type]
    return tuple(sorted(set(value), reverse=True))


def _kinds(field: str) -> Callable[[object], frozenset[PenaltyKind]]:
    def convert(value: object) -> frozenset[PenaltyKind]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
            raise PolicyError(reason=f"{field} must be a list of penalty kinds", reason_zh=f"{field} 须为处罚种类列表")
        known = {k.value for k in PenaltyKind}
        bad = sorted(str(k) for k in value if k not in known)
        if bad:
            raise PolicyError(
                reason=f"{field}: unknown penalty kinds {bad}; known: {sorted(known)}",
                reason_zh=f"{field}:未知的处罚种类 {bad},可选:{sorted(known)}",
            )
        return frozenset(PenaltyKind(k) for k in value)

    return convert


def _fields(field: str) -> Callable[[object], frozenset[str]]:
    def convert(value: object) -> frozenset[str]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
            raise PolicyError(reason=f"{field} must be a list of fields", reason_zh=f"{field} 须为领域列表")
        if not all(isinstance(f, str) and f for f in value):
            raise PolicyError(reason=f"{field} must list non-empty names", reason_zh=f"{field} 须列出非空名称")
        return frozenset(value)

    return convert


def _long_fields(value: object) -> frozenset[str]:
    return _fields("credit_repair.long_fields")(value)


def _automatic_kinds(value: object) -> frozenset[PenaltyKind]:
    return _kinds("credit_repair.automatic_kinds")(value)


def _major_kinds(value: object) -> frozenset[PenaltyKind]:
    return _kinds("legal_review.major_kinds")(value)


@attrs.frozen
class LicencePolicy:
    """Licence expiry prewarning (Yantai: one month ahead)."""

    #: warn this many days before a licence expires; several lead times warn several times.
    lead_days: tuple[int, ...] = attrs.field(
        default=(30,),
        converter=_lead_days,
        metadata={"zh": "许可证到期前预警提前天数(可设多个)", "unit": "days", "source": "Yantai"},
    )
    #: licences read and warned per unit of work by the sweep (memory stays flat: a page of
    #: 5,000 holds about 1 MiB; each page also costs a lock, a cursor write, an outbox bundle,
    #: an audit entry and a commit, so smaller pages cost more per licence).
    page: int = attrs.field(
        default=5000,
        validator=_int_in("licences.page", 1, 100_000),
        metadata={"zh": "到期预警每批处理的许可证数", "unit": "licences", "source": ""},
    )


@attrs.frozen
class CreditRepairPolicy:
    """Credit repair (Anhui): minimum publicity before a penalty may be repaired."""

    #: months a penalty is publicised before it may be repaired.
    min_months: int = attrs.field(
        default=6,
        validator=_int_in("credit_repair.min_months", 0, MAX_PUBLICITY_MONTHS),
        metadata={"zh": "处罚信息最短公示期", "unit": "months", "source": "Anhui"},
    )
    #: the longer minimum for the fields in ``long_fields``.
    long_months: int = attrs.field(
        default=12,
        validator=_int_in("credit_repair.long_months", 0, MAX_PUBLICITY_MONTHS),
        metadata={"zh": "食品、药品、特种设备领域处罚的最短公示期", "unit": "months", "source": "Anhui"},
    )
    #: fields whose penalties wait ``long_months``.
    long_fields: frozenset[str] = attrs.field(
        default=frozenset({"food", "drugs", "special_equipment"}),
        converter=_long_fields,
        metadata={"zh": "适用较长公示期的领域", "unit": "", "source": "Anhui"},
    )
    #: kinds repaired automatically by the sweep; the others on application with a decision.
    automatic_kinds: frozenset[PenaltyKind] = attrs.field(
        default=frozenset({PenaltyKind.ADMONITION}),
        converter=_automatic_kinds,
        metadata={"zh": "到期自动修复的处罚种类(警告、通报批评等)", "unit": "", "source": "Anhui"},
    )

    def months_for(self, field: str) -> int:
        """The minimum publicity of a penalty in ``field``."""
        return self.long_months if field in self.long_fields else self.min_months


@attrs.frozen
class LegalReviewPolicy:
    """Which penalty decisions need the legal office's approval first (Dezhou: fines of
    260,000 yuan and more), and how long the review may take."""

    #: a fine of at least this many fen is a major decision (0: every fine).
    major_fine_fen: int = attrs.field(
        default=26_000_000,
        validator=_int_in("legal_review.major_fine_fen", 0, MAX_FINE_FEN),
        metadata={"zh": "须经法制审核的罚款数额下限", "unit": "fen", "source": "Dezhou"},
    )
    #: kinds that are major whatever the fine (e.g. revocation of a licence).
    major_kinds: frozenset[PenaltyKind] = attrs.field(
        default=frozenset({PenaltyKind.REVOCATION, PenaltyKind.SUSPENSION}),
        converter=_major_kinds,
        metadata={"zh": "无论罚款数额均须法制审核的处罚种类", "unit": "", "source": "X city"},
    )
    #: days the legal office has to answer before the review is overdue.
    deadline_days: int = attrs.field(
        default=5,
        validator=_int_in("legal_review.deadline_days", 1, MAX_LEAD_DAYS),
        metadata={"zh": "法制审核办理期限", "unit": "days", "source": "X city"},
    )

    def is_major(self, kind: PenaltyKind, fine_fen: int) -> bool:
        """Whether a decision of ``kind`` with ``fine_fen`` needs an approved legal review."""
        return kind in self.major_kinds or (fine_fen > 0 and fine_fen >= self.major_fine_fen)
