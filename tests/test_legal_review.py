"""Legal review of major decisions (issue 12, Dezhou, X city): a major decision cannot be
issued before its legal review is approved; review states, reasons, deadlines and the
overdue warning; money is exact."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.engine import Engine
from jointinspect.errors import Forbidden, IllegalTransition, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.penalty import PenaltyKind, ReviewState, yuan
from jointinspect.policy import preset
from jointinspect.policy.seeds import LegalReviewPolicy
from jointinspect.relay import CollectingNotifier
from jointinspect.sample import build_city, populate
from jointinspect.testing.principals import SYSTEM, officer

T0 = pendulum.datetime(2026, 5, 11, 1, tz="UTC")
CITY = build_city(enterprises=3, departments=2)
ENT, OTHER = CITY.enterprises[0].credit_code, CITY.enterprises[1].credit_code
LEGAL = Principal.legal_office("SCJG", user="fazhike")
MAJOR = 26_000_000  # 260,000.00 yuan in fen


def _engine() -> tuple[Engine, FixedClock, CollectingNotifier]:
    clock, notes = FixedClock(T0), CollectingNotifier()
    engine = Engine(store=MemoryStore(), policy=preset("dezhou"), clock=clock, notifier=notes)
    populate(engine, CITY)
    return engine, clock, notes


def _request(engine: Engine, fine: int = MAJOR, kind: str = "fine") -> str:
    return engine.request_legal_review(ENT, "SCJG", kind, "food", fine, "unlicensed production", by=officer("SCJG")).id


def test_a_major_fine_waits_for_an_approved_review() -> None:
    engine, _, notes = _engine()
    with pytest.raises(IllegalTransition) as refused:
        engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR, by=officer("SCJG"))
    assert refused.value.code == "penalty.legal_review_required"
    assert "260000.00" in refused.value.message_en
    review = _request(engine)
    requested = notes.of_kind("legal_review.requested")[0]
    assert (requested.role.value, requested.recipient) == ("legal_office", "SCJG")
    with pytest.raises(IllegalTransition):  # requested is not approved
        engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR, by=officer("SCJG"), review_id=review)
    approved = engine.decide_legal_review(review, True, "grounds sufficient", by=LEGAL)
    assert approved.state is ReviewState.APPROVED and approved.decided_by == "legal_office:SCJG/fazhike"
    assert notes.of_kind("legal_review.approved")[0].recipient == "SCJG"
    issued = engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR, by=officer("SCJG"), review_id=review)
    assert issued.review_id == review
    # An approval serves one decision.
    with pytest.raises(IllegalTransition) as reused:
        engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR, by=officer("SCJG"), review_id=review)
    assert reused.value.code == "penalty.review_mismatch"


def test_the_approval_covers_exactly_the_reviewed_decision() -> None:
    engine, _, _ = _engine()
    review = _request(engine)
    engine.decide_legal_review(review, True, by=LEGAL)
    for enterprise, fine, kind in ((OTHER, MAJOR, "fine"), (ENT, MAJOR + 1, "fine"), (ENT, MAJOR, "revocation")):
        with pytest.raises(IllegalTransition) as wrong:
            engine.issue_penalty(enterprise, "SCJG", kind, "food", fine, by=officer("SCJG"), review_id=review)
        assert wrong.value.code == "penalty.review_mismatch"


def test_a_returned_review_gives_its_reason_and_cannot_be_decided_again() -> None:
    engine, _, notes = _engine()
    review = _request(engine)
    with pytest.raises(ValidationError):
        engine.decide_legal_review(review, False, " ", by=LEGAL)
    returned = engine.decide_legal_review(review, False, "evidence chain incomplete", by=LEGAL)
    assert returned.state is ReviewState.RETURNED and returned.reason == "evidence chain incomplete"
    assert notes.of_kind("legal_review.returned")[0].data()["reason"] == "evidence chain incomplete"
    with pytest.raises(IllegalTransition) as again:
        engine.decide_legal_review(review, True, by=LEGAL)
    assert again.value.code == "legal_review.not_requested"
    with pytest.raises(IllegalTransition):
        engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR, by=officer("SCJG"), review_id=review)


def test_only_the_departments_legal_office_decides() -> None:
    engine, _, _ = _engine()
    review = _request(engine)
    for wrong in (officer("SCJG"), Principal.legal_office("YJGL"), Principal.supervisor(), SYSTEM):
        with pytest.raises(Forbidden):
            engine.decide_legal_review(review, True, by=wrong)
    with pytest.raises(Forbidden):
        engine.request_legal_review(ENT, "SCJG", "fine", "food", MAJOR, "x", by=officer("YJGL"))


def test_overdue_reviews_are_warned_once() -> None:
    engine, clock, notes = _engine()
    late, answered = _request(engine), _request(engine)
    engine.decide_legal_review(answered, True, by=LEGAL)
    clock.set(T0.add(days=5))
    assert engine.sweep_legal_reviews(by=SYSTEM) == 0  # due at the deadline, not yet overdue
    clock.advance(seconds=1)
    assert engine.sweep_legal_reviews(by=SYSTEM) == 1
    assert engine.sweep_legal_reviews(by=SYSTEM) == 0
    warned = notes.of_kind("legal_review.overdue")
    assert {(n.subject, n.role.value) for n in warned} == {(late, "legal_office"), (late, "supervisor")}
    # An overdue review can still be decided.
    assert engine.decide_legal_review(late, True, by=LEGAL).state is ReviewState.APPROVED


def test_minor_decisions_need_no_review_and_money_is_exact() -> None:
    engine, _, _ = _engine()
    assert engine.issue_penalty(ENT, "SCJG", "fine", "food", MAJOR - 1, by=officer("SCJG")).review_id is None
    for not_fen in (2.6e7, "26000000", True, -1):
        with pytest.raises(ValidationError):
            engine.issue_penalty(ENT, "SCJG", "fine", "food", not_fen, by=officer("SCJG"))  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):  # revocation is major whatever the fine
        engine.issue_penalty(ENT, "SCJG", "revocation", "food", 0, by=officer("SCJG"))
    assert yuan(MAJOR) == "260000.00" and yuan(5) == "0.05"


@given(
    threshold=st.integers(0, 10**10),
    fine=st.integers(0, 10**10),
    kind=st.sampled_from(PenaltyKind),
)
def test_major_is_the_threshold_or_a_major_kind(threshold: int, fine: int, kind: PenaltyKind) -> None:
    policy = LegalReviewPolicy(major_fine_fen=threshold, major_kinds=[PenaltyKind.REVOCATION])
    expected = kind is PenaltyKind.REVOCATION or (fine > 0 and fine >= threshold)
    assert policy.is_major(kind, fine) is expected
