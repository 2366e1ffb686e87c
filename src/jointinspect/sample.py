"""A small, deterministic example city, and a helper to register it with an engine.

Departments, their items and inspectors, and enterprises with valid credit codes, built from
a seed so that every run sees the same city. The README, the quick-start example, the
benchmarks and the contract suites use it; it needs nothing beyond the core's dependencies::

    from jointinspect.sample import build_city, populate

    city = build_city()
    populate(engine, city)  # departments, items, inspectors, enterprises
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

import attrs
from stdnum.cn import uscc

from jointinspect.auth import Principal
from jointinspect.model.reference import (
    CreditClass,
    Department,
    Enterprise,
    GeoPoint,
    Inspector,
    SupervisionItem,
)

if TYPE_CHECKING:
    from jointinspect import Engine

__all__ = ["CENTRE", "DEPARTMENTS", "City", "build_city", "credit_code", "populate"]

#: (code, name, field) of the departments of the example city.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("SCJG", "市场监督管理局", "market"),
    ("YJGL", "应急管理局", "safety"),
    ("STHJ", "生态环境局", "environment"),
    ("XFJY", "消防救援支队", "fire"),
    ("WSJK", "卫生健康委员会", "health"),
    ("JTYS", "交通运输局", "transport"),
    ("ZJJ", "住房和城乡建设局", "construction"),
    ("RSJ", "人力资源和社会保障局", "labour"),
)

_ITEM_NAMES = ("证照公示", "安全生产责任制", "台账记录", "设备检验", "应急预案", "人员资质")

#: Yantai's city centre; sites are scattered a few kilometres around it.
CENTRE = GeoPoint(37.4638, 121.4479)


def credit_code(n: int, region: str = "370600") -> str:
    """A valid unified social credit code for enterprise number ``n`` (GB 32100 check)."""
    body = f"91{region}{n:09d}"
    return body + str(uscc.calc_check_digit(body))


@attrs.frozen
class City:
    """Reference data of a generated city."""

    departments: tuple[Department, ...]
    items: tuple[SupervisionItem, ...]
    inspectors: tuple[Inspector, ...]
    enterprises: tuple[Enterprise, ...]

    def items_of(self, department: str) -> list[SupervisionItem]:
        """Items owned by one department."""
        return [i for i in self.items if i.department == department]

    def inspectors_of(self, department: str) -> list[Inspector]:
        """Inspectors of one department."""
        return [i for i in self.inspectors if i.department == department]


def build_city(
    *,
    enterprises: int = 40,
    departments: int = 6,
    inspectors_per_department: int = 4,
    items_per_department: int = 4,
    seed: int = 7,
    certificate_until: dt.date = dt.date(2030, 12, 31),
) -> City:
    """Generate a city. Credit classes follow a plausible mix (A 10%, B 60%, C 25%, D 5%)."""
    rng = random.Random(seed)
    depts = [Department(code, name) for code, name, _ in DEPARTMENTS[:departments]]
    fields = {code: f for code, _, f in DEPARTMENTS}
    items = [
        SupervisionItem(
            code=f"{d.code}-{k + 1:02d}",
            name=f"{d.name}·{_ITEM_NAMES[k % len(_ITEM_NAMES)]}",
            department=d.code,
            field=fields[d.code],
            standard=f"{d.name}检查标准第{k + 1}条",
            first_violation_guidance=(k % 2 == 0),
        )
        for d in depts
        for k in range(items_per_department)
    ]
    people = [
        Inspector(
            id=f"{d.code}-I{k + 1:02d}",
            name=f"{d.name[:2]}执法员{k + 1}",
            department=d.code,
            certificate_no=f"37{n:06d}",
            fields={fields[d.code]},
            valid_from=dt.date(2024, 1, 1),
            valid_until=certificate_until,
        )
        for n, (d, k) in enumerate((d, k) for d in depts for k in range(inspectors_per_department))
    ]
    classes = [CreditClass.A] * 10 + [CreditClass.B] * 60 + [CreditClass.C] * 25 + [CreditClass.D] * 5
    ents = [
        Enterprise(
            credit_code=credit_code(n + 1),
            name=f"烟台示范企业{n + 1:04d}有限公司",
            site=GeoPoint(CENTRE.lat + rng.uniform(-0.05, 0.05), CENTRE.lon + rng.uniform(-0.05, 0.05)),
            credit_class=rng.choice(classes),
        )
        for n in range(enterprises)
    ]
    return City(tuple(depts), tuple(items), tuple(people), tuple(ents))


def populate(engine: Engine, city: City) -> None:
    """Register every department, item, inspector and enterprise of ``city`` with ``engine``,
    as the platform itself (`Principal.system`)."""
    system = Principal.system()
    for d in city.departments:
        engine.add_department(d, by=system)
    for i in city.items:
        engine.add_item(i, by=system)
    for p in city.inspectors:
        engine.add_inspector(p, by=system)
    for e in city.enterprises:
        engine.add_enterprise(e, by=system)
