"""Random spot checks through the Engine (issue 12, 双随机、一公开): the drawn pairs become
plans of kind random filed through the normal path (merged, capped, coded); recusal holds
across campaigns; the published draw verifies; a refused draw changes nothing."""

from __future__ import annotations

import itertools
import json
from typing import Any

import attrs
import pendulum
import pytest

from jointinspect.clock import FixedClock
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.engine import Engine
from jointinspect.errors import NotFoundError, ValidationError
from jointinspect.memory import MemoryStore
from jointinspect.model.plan import InspectionKind
from jointinspect.model.reference import CreditClass
from jointinspect.operations.spot_checks import SpotCheckRequest
from jointinspect.policy import preset
from jointinspect.relay import CollectingNotifier
from jointinspect.requests import PlanRequest
from jointinspect.rules.spot_check import verify_draw
from jointinspect.sample import build_city, populate
from jointinspect.testing._world import DenyOperation, snapshot
from jointinspect.testing.principals import SYSTEM, inspector, officer

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
CITY = build_city(enterprises=12, departments=2, inspectors_per_department=6)
CITY = attrs.evolve(
    CITY,
    enterprises=tuple(
        attrs.evolve(e, credit_class=CreditClass.D if n < 8 else CreditClass.C) for n, e in enumerate(CITY.enterprises)
    ),
)
CODES = [e.credit_code for e in CITY.enterprises]
POOL = [f"SCJG-I{k:02d}" for k in range(1, 7)]


def engine(**policy: Any) -> tuple[Engine, FixedClock, CollectingNotifier]:
    counter = itertools.count()
    clock = FixedClock(T0.subtract(days=21))
    notes = CollectingNotifier()
    eng = Engine(
        store=MemoryStore(),
        policy=preset("spot_county", **policy),
        clock=clock,
        notifier=notes,
        keys=MemoryKeyStore.from_seed(b"spot-check-tests-signing-seed-32"),
        ids=lambda: f"id{next(counter):04d}",
    )
    populate(eng, CITY)
    return eng, clock, notes


def request(campaign: str = "c2026-1", seed: str = "beacon-1", **changes: Any) -> SpotCheckRequest:
    fields: dict[str, Any] = {
        "campaign": campaign,
        "department": "SCJG",
        "start": T0,
        "end": T0.add(days=5),
        "items": ["SCJG-01"],
        "candidates": CODES,
        "inspectors": POOL,
        "shares": {"D": 0.75, "C": 0.5},
        "seed": seed,
    }
    fields.update(changes)
    return SpotCheckRequest(**fields)


def test_the_drawn_pairs_become_random_plans_filed_and_coded() -> None:
    eng, _, notes = engine()
    outcome = eng.draw_spot_check(request(), by=officer("SCJG"))
    selections = outcome.record.draw.selections
    assert [s.credit_class for s in selections].count(CreditClass.D) == 6  # 75% of 8
    assert [s.credit_class for s in selections].count(CreditClass.C) == 2  # 50% of 4
    assert outcome.refused == () and outcome.excluded == ()
    assert [(f.plan.enterprise, f.plan.inspectors) for f in outcome.filings] == [
        (s.enterprise, tuple(sorted(s.inspectors))) for s in selections
    ]
    for n, filed in enumerate(outcome.filings, 1):
        assert filed.plan.kind is InspectionKind.RANDOM
        assert filed.plan.idempotency_key == f"spot-{outcome.record.id}-{n}"
        assert filed.inspection is not None
        assert eng.issue_inspection_code(filed.inspection.id, by=SYSTEM).token  # coded
    # 一公开: the supervisor receives the draw with its seed; anyone can recompute it.
    (published,) = notes.of_kind("spot_check.drawn")
    data = published.data()
    assert data["seed"] == "beacon-1"
    public = json.loads(data["public"])
    assert verify_draw(public)
    public["selections"][0]["inspectors"].reverse()
    assert not verify_draw(public)
    with eng.store.unit_of_work() as uow:
        assert uow.spot_checks.by_campaign("SCJG", "c2026-1") == outcome.record
    assert [e.record.action for e in eng.store.unit_of_work().audit.entries()].count("spot_check.drawn") == 1


def test_a_random_plan_merges_with_an_open_visit_and_a_cap_refuses_one() -> None:
    eng, _, _ = engine()
    target = CODES[0]
    # Another department already visits the first candidate in the campaign's window.
    eng.file_plan(
        PlanRequest(target, "YJGL", T0, T0.add(hours=8), items=["YJGL-01"], inspectors=["YJGL-I01", "YJGL-I02"]),
        by=officer("YJGL"),
    )
    outcome = eng.draw_spot_check(request(shares={"D": 1.0, "C": 0.21}), by=officer("SCJG"))
    merged = [f for f in outcome.filings if f.plan.enterprise == target]
    assert merged and merged[0].merged and merged[0].inspection is not None
    assert merged[0].inspection.departments == ("SCJG", "YJGL")

    # Without merging, Wuhu's "one planned visit per 7 days" caps the same pair: reported, not raised.
    eng, _, _ = engine(matching={"kinds": []})
    eng.file_plan(
        PlanRequest(target, "YJGL", T0, T0.add(hours=8), items=["YJGL-01"], inspectors=["YJGL-I01", "YJGL-I02"]),
        by=officer("YJGL"),
    )
    outcome = eng.draw_spot_check(request(shares={"D": 1.0, "C": 0.21}), by=officer("SCJG"))
    assert (target, "frequency.blocked_joinable") in outcome.refused or (target, "frequency.blocked") in outcome.refused
    assert len(outcome.filings) == len(outcome.record.draw.selections) - 1


def test_recusal_holds_across_campaigns() -> None:
    eng, _, _ = engine()
    conflicted = CODES[1]
    eng.declare_conflict("SCJG-I01", conflicted, "配偶任职", by=inspector("SCJG-I01"))
    first = eng.draw_spot_check(request("c1", shares={"D": 1.0, "C": 0.21}), by=officer("SCJG"))
    second = eng.draw_spot_check(request("c2", shares={"D": 1.0, "C": 0.21}), by=officer("SCJG"))
    before = {s.enterprise: set(s.inspectors) for s in first.record.draw.selections}
    for selection in second.record.draw.selections:
        assert not before.get(selection.enterprise, set()) & set(selection.inspectors)  # not twice in a row
    for outcome in (first, second):
        for selection in outcome.record.draw.selections:
            assert selection.enterprise != conflicted or "SCJG-I01" not in selection.inspectors
    assert ("SCJG-I01", conflicted) in second.record.draw.input.conflicts
    assert verify_draw(second.record.draw)


def test_others_and_the_uncertified_are_never_drawn() -> None:
    eng, _, _ = engine()
    expired = attrs.evolve(CITY.inspectors[5], valid_until=T0.date())  # SCJG-I06: ends before the window does
    eng.add_inspector(expired, by=SYSTEM)
    outcome = eng.draw_spot_check(request(inspectors=[*POOL, "YJGL-I01", "YJGL-I02"]), by=officer("SCJG"))
    assert outcome.excluded == ("SCJG-I06",)
    drawn = {i for s in outcome.record.draw.selections for i in s.inspectors}
    assert drawn <= set(POOL) - {"SCJG-I06"}
    assert {i.id for i in outcome.record.draw.input.inspectors} == set(POOL[:5]) | {"YJGL-I01", "YJGL-I02"}


def test_a_campaign_is_drawn_once_and_a_refused_draw_changes_nothing() -> None:
    eng, _, _ = engine()
    eng.draw_spot_check(request(), by=officer("SCJG"))

    def refused(call: Any, code: str) -> None:
        before = snapshot(eng.store, CITY)
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.code == code
        assert snapshot(eng.store, CITY) == before

    refused(lambda: eng.draw_spot_check(request(seed="another"), by=officer("SCJG")), "spot_check.already_drawn")
    refused(
        lambda: eng.draw_spot_check(request("c2", shares={"A": 0.5}), by=officer("SCJG")),
        "spot_check.share_out_of_range",
    )
    few = request("c3", inspectors=POOL[:2], shares={"D": 1.0, "C": 0.21})
    eng.declare_conflict("SCJG-I02", CODES[0], by=officer("SCJG"))
    refused(lambda: eng.draw_spot_check(few, by=officer("SCJG")), "spot_check.too_few_inspectors")
    refused(lambda: eng.draw_spot_check(request("c4", items=["YJGL-01"]), by=officer("SCJG")), "filing.item_not_owned")


def test_the_seed_defaults_to_random_and_is_published() -> None:
    eng, _, notes = engine()
    outcome = eng.draw_spot_check(request(seed=None), by=officer("SCJG"))
    seed = outcome.record.draw.input.seed
    assert len(seed) == 64 and notes.of_kind("spot_check.drawn")[0].data()["seed"] == seed


def test_refiling_files_the_missing_plans_once() -> None:
    eng, _, _ = engine()
    eng.authorizers = [DenyOperation("file_plan")]  # filing stops after the draw
    drawn = eng.draw_spot_check(request(), by=officer("SCJG"))
    assert drawn.filings == () and {code for _, code in drawn.refused} == {"auth.forbidden"}
    eng.authorizers = []
    first = eng.refile_spot_check("SCJG", "c2026-1", by=officer("SCJG"))
    assert len(first.filings) == len(drawn.record.draw.selections) and not any(f.replayed for f in first.filings)
    again = eng.refile_spot_check("SCJG", "c2026-1", by=officer("SCJG"))
    assert all(f.replayed for f in again.filings)
    assert [f.plan for f in again.filings] == [f.plan for f in first.filings]
    with pytest.raises(NotFoundError):
        eng.refile_spot_check("SCJG", "nope", by=officer("SCJG"))
