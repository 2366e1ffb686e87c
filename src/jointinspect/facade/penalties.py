"""Penalty decisions, credit repair (Anhui) and the legal review of major decisions (Dezhou)."""

from __future__ import annotations

import datetime as dt

from jointinspect.auth import Principal
from jointinspect.facade._base import Facet
from jointinspect.model.penalty import CreditView, LegalReview, Penalty, PenaltyKind
from jointinspect.operations import legal_review, penalties


class PenaltyFacet(Facet):
    """The Engine's penalty, credit-repair and legal-review operations (docs/penalties.md)."""

    def issue_penalty(
        self,
        enterprise: str,
        department: str,
        kind: PenaltyKind | str,
        field: str,
        fine_fen: int = 0,
        *,
        by: Principal,
        rectification_id: str | None = None,
        review_id: str | None = None,
        publicity_start: dt.datetime | None = None,
    ) -> Penalty:
        """Record a penalty decision (fine in integer fen), publicised from ``publicity_start``
        (default now). A major decision (``policy.legal_review``) needs ``review_id``: an
        approved legal review of exactly this decision, used once.

        Raises:
            IllegalTransition: ``penalty.legal_review_required``, ``penalty.review_mismatch``.
        """
        args = (enterprise, department, kind, field, fine_fen, by, rectification_id, review_id, publicity_start)
        return penalties.issue_penalty(self._context, *args)

    def apply_credit_repair(self, penalty_id: str, reason: str, *, by: Principal) -> Penalty:
        """The enterprise applies for the credit repair of a penalty (not an automatic kind).

        Raises:
            IllegalTransition: ``credit_repair.too_early``, ``credit_repair.rectification_open``,
                ``credit_repair.automatic``, ``credit_repair.not_public``.
        """
        return penalties.apply_credit_repair(self._context, penalty_id, reason, by)

    def decide_credit_repair(self, penalty_id: str, approve: bool, reason: str = "", *, by: Principal) -> Penalty:
        """The deciding department approves a repair application or rejects it (reason required).

        Raises:
            IllegalTransition: ``credit_repair.not_applied``.
        """
        return penalties.decide_credit_repair(self._context, penalty_id, approve, reason, by)

    def sweep_credit_repair(self, *, by: Principal) -> int:
        """Repair the automatic kinds (admonitions) that became repairable; return how many."""
        return penalties.sweep_credit_repair(self._context, by)

    def credit_view(self, enterprise: str, *, by: Principal) -> CreditView:
        """The enterprise's penalties still publicised and those repaired."""
        return penalties.credit_view(self._context, enterprise, by)

    def request_legal_review(
        self,
        enterprise: str,
        department: str,
        kind: PenaltyKind | str,
        field: str,
        fine_fen: int,
        summary: str,
        *,
        by: Principal,
    ) -> LegalReview:
        """Ask the department's legal office to review a proposed decision (deadline from
        ``policy.legal_review.deadline_days``)."""
        return legal_review.request_legal_review(
            self._context, enterprise, department, kind, field, fine_fen, summary, by
        )

    def decide_legal_review(self, review_id: str, approve: bool, reason: str = "", *, by: Principal) -> LegalReview:
        """The legal office approves a review or returns it (reason required).

        Raises:
            IllegalTransition: ``legal_review.not_requested``.
        """
        return legal_review.decide_legal_review(self._context, review_id, approve, reason, by)

    def sweep_legal_reviews(self, *, by: Principal) -> int:
        """Warn the legal office and the supervisor once about each overdue review; return how many."""
        return legal_review.sweep_legal_reviews(self._context, by)
