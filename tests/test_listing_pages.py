"""Listing queries page through an enterprise's history (issue 15): ordered, bounded, validated."""

from __future__ import annotations

import pendulum
import pytest

from jointinspect import Engine, FixedClock, MemoryStore, PlanRequest, Principal
from jointinspect.errors import ValidationError
from jointinspect.sample import build_city, populate

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")


def engine_with_visits(count: int) -> tuple[Engine, str]:
    city = build_city(enterprises=3, departments=2)
    engine = Engine(store=MemoryStore(), clock=FixedClock(T0.subtract(days=21)))
    populate(engine, city)
    enterprise = next(e for e in city.enterprises if e.credit_class != "A").credit_code
    for n in range(count):
        start = T0.add(days=8 * n)  # a week and a day apart: separate visits, no rule blocks
        request = PlanRequest(
            enterprise, "SCJG", start, start.add(hours=4), items=["SCJG-01"], inspectors=["SCJG-I01", "SCJG-I02"]
        )
        engine.file_plan(request, by=Principal.officer("SCJG"))
    return engine, enterprise


def test_pages_cover_the_whole_listing_in_order() -> None:
    engine, enterprise = engine_with_visits(5)
    everything = engine.inspections_of(enterprise, by=Principal.system())
    assert len(everything) == 5
    pages = [engine.inspections_of(enterprise, by=Principal.system(), limit=2, offset=o) for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i.id for p in pages for i in p] == [i.id for i in everything]
    assert engine.inspections_of(enterprise, by=Principal.system(), limit=2, offset=5) == []
    assert engine.rectifications_of(enterprise, by=Principal.system(), limit=1) == []


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (10_001, 0), (True, 0), ("2", 0), (2, -1), (2, 1.5)])
def test_a_bad_page_is_a_validation_error(limit: object, offset: object) -> None:
    engine, enterprise = engine_with_visits(1)
    with pytest.raises(ValidationError):
        engine.inspections_of(enterprise, by=Principal.system(), limit=limit, offset=offset)  # type: ignore[arg-type]
