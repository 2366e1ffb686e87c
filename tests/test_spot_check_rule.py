"""The spot-check draw (issue 12, 双随机、一公开): ratios hold, recusal is never violated, the
same input gives the same draw in any order, and a published draw verifies with the library
alone (and a tampered one does not)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointinspect.errors import PolicyError, ValidationError
from jointinspect.model.reference import CreditClass
from jointinspect.policy import preset
from jointinspect.policy.fieldwork import SpotCheckPolicy
from jointinspect.policy.schema import load_policy
from jointinspect.rules.spot_check import (
    Candidate,
    ClassShare,
    DrawInput,
    PoolInspector,
    class_count,
    draw,
    from_public,
    shares_for,
    to_public,
    verify_draw,
)
from jointinspect.sample import build_city

CODES = [e.credit_code for e in build_city(enterprises=60, departments=1).enterprises]
COUNTY = SpotCheckPolicy()
POOL = [f"SCJG-I{i:02d}" for i in range(8)]


def _f(value: float) -> Fraction:
    return Fraction(repr(float(value)))


@st.composite
def inputs(draw_: st.DrawFn) -> DrawInput:
    codes = draw_(st.lists(st.sampled_from(CODES), unique=True, max_size=40))
    candidates = [Candidate(c, draw_(st.sampled_from(list(CreditClass)))) for c in codes]
    own = draw_(st.lists(st.sampled_from(POOL), unique=True, min_size=6))
    others = draw_(st.lists(st.sampled_from(["YJGL-I01", "YJGL-I02", "HBJ-I01"]), unique=True))
    pool = [PoolInspector(i, "SCJG") for i in own] + [PoolInspector(i, i.split("-")[0]) for i in others]
    requested = {}
    for credit_class, ratio in COUNTY.ratios.items():
        lo, hi = _f(ratio.minimum), _f(ratio.maximum)
        step = draw_(st.integers(0, 20))
        requested[credit_class.value] = float(lo + (hi - lo) * step / 20)
    pairs = st.tuples(st.sampled_from(POOL), st.sampled_from(codes or CODES[:1]))
    conflicts = draw_(st.lists(pairs, max_size=6))
    previous = [(c, i) for i, c in draw_(st.lists(pairs, max_size=6))]
    return DrawInput(
        campaign="c2026-1",
        department="SCJG",
        seed=draw_(st.sampled_from(["00ff", "seed-a", "beacon-20260301"])),
        candidates=candidates,
        inspectors=pool,
        shares=shares_for(COUNTY, requested),
        conflicts=conflicts,
        previous=previous,
    )


def _draw_or_none(spec: DrawInput):  # type: ignore[no-untyped-def]
    try:
        return draw(spec)
    except ValidationError as exc:
        assert exc.code == "spot_check.too_few_inspectors"
        return None


@settings(max_examples=200, deadline=None)
@given(inputs())
def test_ratios_hold_and_recusal_is_never_violated(spec: DrawInput) -> None:
    result = _draw_or_none(spec)
    if result is None:
        return
    bounds = {s.credit_class: s for s in spec.shares}
    for credit_class in CreditClass:
        n = sum(1 for c in spec.candidates if c.credit_class is credit_class)
        k = sum(1 for s in result.selections if s.credit_class is credit_class)
        share = bounds[credit_class]
        assert k <= n * _f(share.maximum)  # "at most" always holds
        if math.ceil(n * _f(share.minimum)) <= math.floor(n * _f(share.maximum)):
            assert k >= n * _f(share.minimum)
    classes = {c.credit_code: c.credit_class for c in spec.candidates}
    conflicts, previous = set(spec.conflicts), set(spec.previous)
    departments = {i.id: i.department for i in spec.inspectors}
    for selection in result.selections:
        assert classes[selection.enterprise] is selection.credit_class
        assert len(set(selection.inspectors)) == len(selection.inspectors) == 2
        for inspector in selection.inspectors:
            assert departments[inspector] == "SCJG"  # never another department's
            assert (inspector, selection.enterprise) not in conflicts
            assert (selection.enterprise, inspector) not in previous  # not twice in a row


@settings(max_examples=100, deadline=None)
@given(inputs(), st.randoms(use_true_random=False))
def test_same_seed_same_draw_in_any_order(spec: DrawInput, rnd) -> None:  # type: ignore[no-untyped-def]
    candidates, pool, conflicts = list(spec.candidates), list(spec.inspectors), list(spec.conflicts)
    rnd.shuffle(candidates)
    rnd.shuffle(pool)
    rnd.shuffle(conflicts)
    shuffled = DrawInput(
        spec.campaign,
        spec.department,
        spec.seed,
        candidates + candidates[:1],  # a repeat of the same candidate changes nothing either
        pool,
        list(reversed(spec.shares)),
        conflicts=conflicts,
        previous=list(reversed(spec.previous)),
    )
    assert shuffled == spec
    assert _draw_or_none(shuffled) == _draw_or_none(spec)


def test_another_seed_draws_otherwise_and_the_published_draw_verifies() -> None:
    candidates = [Candidate(c, "D") for c in CODES[:30]]
    pool = [PoolInspector(i, "SCJG") for i in POOL]
    shares = shares_for(COUNTY, {"D": 0.7})

    def spec(seed: str) -> DrawInput:
        return DrawInput("c1", "SCJG", seed, candidates, pool, shares)

    first, second = draw(spec("seed-one")), draw(spec("seed-two"))
    assert len(first.selections) == len(second.selections) == 21  # 70% of 30
    assert first != second
    published = json.loads(json.dumps(to_public(first)))
    assert from_public(published) == first
    assert verify_draw(published) and verify_draw(first)
    # Any change to the result or to its input is detected.
    swapped = json.loads(json.dumps(published))
    swapped["selections"][0]["enterprise"] = (
        CODES[29] if published["selections"][0]["enterprise"] != CODES[29] else CODES[28]
    )
    assert not verify_draw(swapped)
    reseeded = {**published, "seed": "seed-two"}
    assert not verify_draw(reseeded)
    assert not verify_draw({**published, "format": "other"})
    assert not verify_draw({"format": published["format"]})


def test_class_counts_at_the_edges() -> None:
    assert class_count(0, 0.05, 0, 0.05) == 0
    assert class_count(19, 0.05, 0, 0.05) == 0  # 0.95 would round up to 1, past "at most 5%"
    assert class_count(20, 0.05, 0, 0.05) == 1
    assert class_count(3, 0.05, 0.05, 0.2) == 0  # no whole number in 0.15..0.6: the upper bound wins
    assert class_count(10, 0.21, 0.21, 0.6) == 3  # at least 21% of 10 is 3
    assert class_count(10, 1.0, 0.61, 1.0) == 10


def test_shares_outside_the_policy_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        shares_for(COUNTY, {"A": 0.06})
    assert caught.value.code == "spot_check.share_out_of_range"
    assert "class A" in caught.value.message_en and "甲" in caught.value.message_zh
    with pytest.raises(ValidationError) as caught:
        shares_for(SpotCheckPolicy(ratios={}), {"A": 0.01})
    assert caught.value.code == "spot_check.class_not_drawn"
    with pytest.raises(ValidationError):
        ClassShare("B", 0.5, 0.05, 0.2) and DrawInput("c", "SCJG", "s", [], [], [ClassShare("B", 0.5, 0.05, 0.2)])
    with pytest.raises(ValidationError) as caught:
        DrawInput("c", "SCJG", "s", [Candidate(CODES[0], "A"), Candidate(CODES[0], "B")], [], [])
    assert caught.value.code == "spot_check.candidate_twice"


def test_too_few_inspectors_after_recusal_refuses_the_draw() -> None:
    spec = DrawInput(
        "c1",
        "SCJG",
        "s",
        [Candidate(CODES[0], "D")],
        [PoolInspector("SCJG-I01", "SCJG"), PoolInspector("SCJG-I02", "SCJG"), PoolInspector("YJGL-I01", "YJGL")],
        shares_for(COUNTY, {"D": 1.0}),
        conflicts=[("SCJG-I02", CODES[0])],
    )
    with pytest.raises(ValidationError) as caught:
        draw(spec)
    assert caught.value.code == "spot_check.too_few_inspectors"
    assert caught.value.details["eligible"] == 1  # the other department's inspector never counts


def test_the_county_preset_sets_the_ratios_and_bad_ratios_are_refused() -> None:
    county = preset("spot_county").spot_check
    assert {c.value: (r.minimum, r.maximum) for c, r in county.ratios.items()} == {
        "A": (0.0, 0.05),
        "B": (0.05, 0.2),
        "C": (0.21, 0.6),
        "D": (0.61, 1.0),
    }
    # The preset firing: 100 D-class candidates, the least the county allows is 61.
    spec = DrawInput(
        "c1",
        "SCJG",
        "s",
        [Candidate(c, "D") for c in CODES[:60]],
        [PoolInspector(i, "SCJG") for i in POOL],
        shares_for(county),
    )
    assert len(draw(spec).selections) == 37  # ceil(61% of 60)
    for bad in ({"minimum": 0.5, "maximum": 0.2}, {"minimum": -0.1, "maximum": 0.2}, {"minimum": 0, "maximum": 1.5}):
        with pytest.raises(PolicyError):
            load_policy({"spot_check": {"ratios": {"B": bad}}})
    with pytest.raises(PolicyError):
        load_policy({"spot_check": {"inspectors_per_enterprise": 1}})
