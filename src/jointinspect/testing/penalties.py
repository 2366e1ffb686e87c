"""Contract cases for the licence, penalty and legal-review ports (issue 12): ranges,
ordering, paging, idempotent warnings and rollback, on any store.

`jointinspect.testing.contract.StoreContract` inherits these cases, so every store's
contract module runs them with its ``store`` and ``city`` fixtures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import pendulum

from jointinspect.model.licence import Licence
from jointinspect.model.penalty import LegalReview, Penalty, PenaltyKind, PenaltyState, ReviewState
from jointinspect.ports import Store
from jointinspect.sample import City

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
DAY0 = dt.date(2026, 4, 1)


def _licence(city: City, kind: str, number: str, day: int, holder: int = 0) -> Licence:
    return Licence(kind, number, city.enterprises[holder].credit_code, "SCJG", DAY0 + dt.timedelta(days=day))


def _penalty(pid: str, enterprise: str, kind: PenaltyKind, start_day: int, decided: int = 0) -> Penalty:
    return Penalty(
        id=pid,
        enterprise=enterprise,
        department="SCJG",
        kind=kind,
        field="general",
        fine_fen=0 if kind is PenaltyKind.ADMONITION else 500_000,
        decided_at=T0.add(minutes=decided),
        publicity_start=T0.add(days=start_day),
    )


def _review(rid: str, enterprise: str, deadline_day: int) -> LegalReview:
    return LegalReview(
        id=rid,
        enterprise=enterprise,
        department="SCJG",
        kind=PenaltyKind.FINE,
        field="food",
        fine_fen=26_000_000,
        summary="facts",
        requested_at=T0,
        deadline=T0.add(days=deadline_day),
    )


def _keys(licences: Sequence[Licence]) -> list[str]:
    return [lic.key for lic in licences]


class PenaltiesContract:
    """The issue-12 port cases (mixed into `StoreContract`)."""

    def test_licences_round_trip_and_renewal(self, store: Store, city: City) -> None:
        first = _licence(city, "food_business", "JY-001", 10)
        with store.unit_of_work() as uow:
            uow.licences.put(first)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.get("food_business", "JY-001") == first
            assert uow.licences.get("food_business", "JY-002") is None
            assert uow.licences.get("drugs", "JY-001") is None
            renewed = attrs.evolve(first, expires_on=DAY0 + dt.timedelta(days=400))
            uow.licences.put(renewed)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.get("food_business", "JY-001") == renewed
            # the old expiry no longer appears in a range read
            assert uow.licences.unwarned(30, DAY0, DAY0 + dt.timedelta(days=30), None, 10) == []

    def test_unwarned_reads_the_range_in_order_and_pages(self, store: Store, city: City) -> None:
        # Kinds that are prefixes of one another and equal expiries: order is (expiry, kind, number).
        rows = [
            _licence(city, "a", "2", 5),
            _licence(city, "a.b", "1", 5),
            _licence(city, "a", "10", 5),
            _licence(city, "b", "1", 0),
            _licence(city, "b", "2", 30),
            _licence(city, "c", "1", 31),  # beyond the range
            _licence(city, "c", "2", -1),  # before it
        ]
        with store.unit_of_work() as uow:
            for lic in rows:
                uow.licences.put(lic)
            uow.commit()
        last = DAY0 + dt.timedelta(days=30)
        expected = ["b|1", "a|10", "a|2", "a.b|1", "b|2"]
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.unwarned(30, DAY0, last, None, 100)) == expected
            pages, after = [], None
            while True:
                page = uow.licences.unwarned(30, DAY0, last, after, 2)
                pages.append(_keys(page))
                if len(page) < 2:
                    break
                after = (page[-1].expires_on, page[-1].kind, page[-1].number)
            assert pages == [expected[:2], expected[2:4], expected[4:]]

    def test_cursors_are_per_lead_and_a_renewal_rearms(self, store: Store, city: City) -> None:
        a, b = _licence(city, "k", "1", 3), _licence(city, "k", "2", 4)
        last = DAY0 + dt.timedelta(days=30)
        with store.unit_of_work() as uow:
            uow.licences.put(a)
            uow.licences.put(b)
            assert _keys(uow.licences.claim_unwarned(30, DAY0, last, None, 1)) == ["k|1"]
            uow.commit()
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.unwarned(30, DAY0, last, None, 10)) == ["k|2"]
            assert _keys(uow.licences.unwarned(7, DAY0, last, None, 10)) == ["k|1", "k|2"]
            assert _keys(uow.licences.claim_unwarned(7, DAY0, last, None, 10)) == ["k|1", "k|2"]
            assert _keys(uow.licences.unwarned(30, DAY0, last, None, 10)) == ["k|2"]
            assert _keys(uow.licences.unwarned(3, DAY0, last, None, 10)) == ["k|1", "k|2"]
            # putting the same expiry again changes nothing
            uow.licences.put(attrs.evolve(a, department="YJGL"))
            assert uow.licences.claim_late(DAY0, 10) == []
            assert _keys(uow.licences.unwarned(30, DAY0, last, None, 10)) == ["k|2"]
            uow.commit()
        with store.unit_of_work() as uow:
            # renewing ahead of the cursors re-arms the warnings of the new expiry
            uow.licences.put(attrs.evolve(a, expires_on=DAY0 + dt.timedelta(days=20)))
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.licences.claim_late(DAY0, 10) == []
            assert _keys(uow.licences.unwarned(30, DAY0, last, None, 10)) == ["k|2", "k|1"]

    def test_licence_writes_roll_back(self, store: Store, city: City) -> None:
        a = _licence(city, "k", "1", 3)
        with store.unit_of_work() as uow:
            uow.licences.put(a)
            uow.commit()
        with store.unit_of_work() as uow:
            assert _keys(uow.licences.claim_unwarned(30, DAY0, DAY0 + dt.timedelta(days=30), None, 10)) == ["k|1"]
            uow.licences.put(_licence(city, "k", "9", 1))
            uow.rollback()
        with store.unit_of_work() as uow:
            assert uow.licences.cursor(30) is None
            assert uow.licences.claim_late(DAY0, 10) == []
            assert _keys(uow.licences.unwarned(30, DAY0, DAY0 + dt.timedelta(days=30), None, 10)) == ["k|1"]

    def test_penalties_round_trip_and_listing(self, store: Store, city: City) -> None:
        ent, other = city.enterprises[0].credit_code, city.enterprises[1].credit_code
        p1 = _penalty("p1", ent, PenaltyKind.FINE, 0, decided=5)
        p2 = _penalty("p2", ent, PenaltyKind.ADMONITION, 0, decided=1)
        p3 = _penalty("p3", other, PenaltyKind.FINE, 0)
        with store.unit_of_work() as uow:
            for p in (p1, p2, p3):
                uow.penalties.add(p)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.penalties.get("p1") == p1
            assert uow.penalties.get("nope") is None
            assert [p.id for p in uow.penalties.for_enterprise(ent)] == ["p2", "p1"]
            repaired = attrs.evolve(p1, state=PenaltyState.REPAIRED, repaired_at=T0.add(days=200), note="ok")
            uow.penalties.update(repaired)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.penalties.get("p1") == repaired

    def test_public_since_filters_state_kind_and_start(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        rows = [
            _penalty("a1", ent, PenaltyKind.ADMONITION, 0),
            _penalty("a0", ent, PenaltyKind.ADMONITION, 0),  # same start: by id
            _penalty("a2", ent, PenaltyKind.ADMONITION, 10),  # exactly at the bound: included
            _penalty("a3", ent, PenaltyKind.ADMONITION, 11),  # after the bound
            _penalty("f1", ent, PenaltyKind.FINE, 0),  # another kind
            attrs.evolve(_penalty("a4", ent, PenaltyKind.ADMONITION, 1), state=PenaltyState.REPAIR_APPLIED),
        ]
        with store.unit_of_work() as uow:
            for p in rows:
                uow.penalties.add(p)
            uow.commit()
        bound = T0.add(days=10)
        with store.unit_of_work() as uow:
            found = uow.penalties.public_since([PenaltyKind.ADMONITION], bound, None, 10)
            assert [p.id for p in found] == ["a0", "a1", "a2"]
            assert [p.id for p in uow.penalties.public_since([PenaltyKind.ADMONITION], bound, None, 2)] == ["a0", "a1"]
            after = (found[1].publicity_start, found[1].id)
            assert [p.id for p in uow.penalties.public_since([PenaltyKind.ADMONITION], bound, after, 10)] == ["a2"]
            both = uow.penalties.public_since([PenaltyKind.ADMONITION, PenaltyKind.FINE], bound, None, 10)
            assert [p.id for p in both] == ["a0", "a1", "f1", "a2"]
            assert uow.penalties.public_since([], bound, None, 10) == []
            # a repaired one leaves the public index
            uow.penalties.update(attrs.evolve(rows[0], state=PenaltyState.REPAIRED))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.penalties.public_since([PenaltyKind.ADMONITION], bound, None, 10)] == ["a0", "a2"]

    def test_overdue_reviews(self, store: Store, city: City) -> None:
        ent = city.enterprises[0].credit_code
        rows = [
            _review("r2", ent, 2),
            _review("r1", ent, 1),
            _review("r3", ent, 5),  # deadline not passed
            attrs.evolve(_review("r4", ent, 1), state=ReviewState.APPROVED),
            attrs.evolve(_review("r5", ent, 1), overdue_warned=True),
        ]
        with store.unit_of_work() as uow:
            for r in rows:
                uow.legal_reviews.add(r)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.legal_reviews.get("r4") == rows[3]
            assert uow.legal_reviews.get("zz") is None
            assert [r.id for r in uow.legal_reviews.overdue(T0.add(days=5), 10)] == ["r1", "r2"]
            assert [r.id for r in uow.legal_reviews.overdue(T0.add(days=5), 1)] == ["r1"]
            uow.legal_reviews.update(attrs.evolve(rows[1], overdue_warned=True))
            uow.commit()
        with store.unit_of_work() as uow:
            assert [r.id for r in uow.legal_reviews.overdue(T0.add(days=6), 10)] == ["r2", "r3"]
