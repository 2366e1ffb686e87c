"""Reference data: enterprises, departments, inspectors, supervision items, scenarios.

Upserted (the latest registration wins) and read by key.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from jointinspect.model.reference import Department, Enterprise, Inspector, Scenario, SupervisionItem
from jointinspect_sqlalchemy import codec, directory
from jointinspect_sqlalchemy import schema as s
from jointinspect_sqlalchemy.keyed import read_among
from jointinspect_sqlalchemy.repositories._common import _Repo

#: Enterprises decoded lately, by their body text (a decoded body is a pure function of
#: the text, and an `Enterprise` is frozen, so one decoded value serves every read of the
#: same text, whatever transaction reads it). A bulk filing reads each enterprise again
#: in every round of its requests: at 100,000 plans that read was ~0.85 s of the 3.2 s
#: preload; 1,000 enterprises read in 23 ms decoding each, in 2 ms remembered. Bounded
#: by clearing.
_ENTERPRISES: dict[str, Enterprise] = {}
_ENTERPRISES_MAX = 16_384  # ~10 MB at most


def _enterprise(body: str) -> Enterprise:
    """``codec.loads(body, Enterprise)``, decoded once per distinct text while remembered."""
    found = _ENTERPRISES.get(body) if type(body) is str else None
    if found is None:
        found = codec.loads(body, Enterprise)
        if type(body) is str:
            if len(_ENTERPRISES) >= _ENTERPRISES_MAX:
                _ENTERPRISES.clear()
            _ENTERPRISES[body] = found
    return found


class _Reference(_Repo):
    def put_enterprise(self, enterprise: Enterprise) -> None:
        row: dict[str, object] = {"credit_code": enterprise.credit_code, "body": codec.dumps(enterprise)}
        row |= {"credit_class": enterprise.credit_class.value, "whitelisted": enterprise.whitelisted}  # listings
        self._uow.upsert(s.enterprises, row)

    def get_enterprise(self, credit_code: str) -> Enterprise | None:
        found: Enterprise | None = self._one(s.enterprises, credit_code, Enterprise)
        return found

    def get_enterprises(self, credit_codes: Sequence[str]) -> dict[str, Enterprise]:
        t = s.enterprises
        rows = read_among(
            self._uow,
            "enterprises",
            lambda among: select(t.c.credit_code, t.c.body).where(among(t.c.credit_code, "codes")),
            {"codes": credit_codes},
        )
        return {code: _enterprise(body) for code, body in rows}

    def put_department(self, department: Department) -> None:
        self._uow.upsert(s.departments, {"code": department.code, "body": codec.dumps(department)})

    def get_department(self, code: str) -> Department | None:
        found: Department | None = self._one(s.departments, code, Department)
        return found

    def put_inspector(self, inspector: Inspector) -> None:
        self._uow.upsert(s.inspectors, {"id": inspector.id, "body": codec.dumps(inspector)})

    def get_inspector(self, inspector_id: str) -> Inspector | None:
        found: Inspector | None = self._one(s.inspectors, inspector_id, Inspector)
        return found

    def put_item(self, item: SupervisionItem) -> None:
        self._uow.upsert(s.items, {"code": item.code, "body": codec.dumps(item)})

    def get_item(self, code: str) -> SupervisionItem | None:
        found: SupervisionItem | None = self._one(s.items, code, SupervisionItem)
        return found

    def put_scenario(self, scenario: Scenario) -> None:
        self._uow.upsert(s.scenarios, {"code": scenario.code, "body": codec.dumps(scenario)})

    def get_scenario(self, code: str) -> Scenario | None:
        found: Scenario | None = self._one(s.scenarios, code, Scenario)
        return found

    def enterprise_codes(self) -> list[str]:
        """Every registered enterprise's credit code, sorted (for rebuilding a whole ledger)."""
        return directory.enterprise_codes(self._uow)
