"""A bulk chunk's reads (issue 11): the enterprises a preload reads are decoded once per
distinct body text, and a changed registration is read as changed."""

from __future__ import annotations

import attrs
from jointinspect_sqlalchemy import SQLStore, codec
from jointinspect_sqlalchemy.repositories import reference

from jointinspect.model.reference import Enterprise, GeoPoint
from jointinspect.sample import credit_code


def _enterprise(n: int, name: str = "企业") -> Enterprise:
    return Enterprise(credit_code(n), f"{name}{n}", GeoPoint(37.5, 121.4))


def test_enterprises_read_again_are_decoded_once_and_follow_a_change(sql_store: SQLStore) -> None:
    codes = [credit_code(n) for n in range(3)]
    with sql_store.unit_of_work() as uow:
        for n in range(3):
            uow.reference.put_enterprise(_enterprise(n))
        uow.commit()
    with sql_store.unit_of_work() as uow:
        first = uow.reference.get_enterprises(codes)
    with sql_store.unit_of_work() as uow:
        again = uow.reference.get_enterprises(codes)
    assert first == {code: _enterprise(n) for n, code in enumerate(codes)}
    assert all(again[code] is first[code] for code in codes)  # the same text: decoded once
    renamed = attrs.evolve(_enterprise(1), name="改名企业")
    with sql_store.unit_of_work() as uow:
        uow.reference.put_enterprise(renamed)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        after = uow.reference.get_enterprises(codes)
    assert after[codes[1]] == renamed  # a new text is decoded, not the remembered value
    assert after[codes[0]] is first[codes[0]]


def test_a_remembered_enterprise_is_what_decoding_its_text_gives() -> None:
    body = codec.dumps(_enterprise(7))
    reference._ENTERPRISES.clear()
    made = reference._enterprise(body)
    assert reference._enterprise(body) is made
    assert made == codec.loads_slow(body, Enterprise)
    reference._ENTERPRISES.clear()
