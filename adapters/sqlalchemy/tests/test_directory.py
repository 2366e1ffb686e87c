"""The SQL store lists its enterprises (what rebuilding a whole separate ledger needs)."""

from __future__ import annotations

from jointinspect_sqlalchemy import SQLStore
from jointinspect_sqlalchemy.directory import enterprise_codes

from jointinspect.testing.city import build_city


def test_enterprise_codes_lists_every_registered_enterprise_sorted(sql_store: SQLStore) -> None:
    city = build_city(enterprises=5)
    with sql_store.unit_of_work() as uow:
        assert enterprise_codes(uow) == []
        for enterprise in reversed(city.enterprises):
            uow.reference.put_enterprise(enterprise)
        uow.commit()
    with sql_store.unit_of_work() as uow:
        assert enterprise_codes(uow) == sorted(e.credit_code for e in city.enterprises)
