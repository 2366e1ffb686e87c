"""The matrix rows of issue 12 (spot checks, conflicts, quiet slots, device keys, offline
check-ins), performed through the `Engine` on a store: each refuses one principal with
nothing changed and allows another. Mixed into
`jointinspect.testing.authorization.AuthorizationContract`."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jointinspect.codes.offline import OfflineRecord, public_key_hex, sign_offline
from jointinspect.model.reference import CreditClass
from jointinspect.operations.spot_checks import SpotCheckRequest
from jointinspect.policy.fieldwork import ClassRatio, OfflineCheckInPolicy, QuietSlotPolicy, SpotCheckPolicy
from jointinspect.policy.schema import Policy
from jointinspect.ports import Store
from jointinspect.testing._world import T0, World, make_world
from jointinspect.testing.principals import SYSTEM, enterprise, inspector, officer

#: Every class-B candidate drawn; slots and offline check-ins allowed.
FIELDWORK_POLICY = Policy(
    spot_check=SpotCheckPolicy(ratios={CreditClass.B: ClassRatio(1.0, 1.0)}),
    quiet_slots=QuietSlotPolicy(max_slots_per_year=2, max_days_per_slot=10, max_days_per_year=20),
    offline_checkin=OfflineCheckInPolicy(fill_in_days=10),
)


class FieldworkRows:
    """``_row_<operation>`` cases for the issue-12 rows."""

    def _fieldwork_world(self, store: Store) -> World:
        return make_world(store, FIELDWORK_POLICY)

    def _row_draw_spot_check(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        request = SpotCheckRequest(
            campaign="c2026-1",
            department="SCJG",
            start=T0,
            end=T0.add(days=5),
            items=["SCJG-01"],
            candidates=[w.ent.credit_code, w.other.credit_code],
            inspectors=["SCJG-I01", "SCJG-I02", "SCJG-I03", "SCJG-I04"],
            seed="authorization-row",
        )
        w.refused(lambda: w.engine.draw_spot_check(request, by=officer("YJGL")), "auth.wrong_department")
        outcome = w.engine.draw_spot_check(request, by=officer("SCJG"))
        assert [f.plan.enterprise for f in outcome.filings] == [s.enterprise for s in outcome.record.draw.selections]
        assert len(outcome.filings) == 2 and outcome.refused == ()

    def _row_refile_spot_check(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        request = SpotCheckRequest(
            campaign="c2026-1",
            department="SCJG",
            start=T0,
            end=T0.add(days=5),
            items=["SCJG-01"],
            candidates=[w.ent.credit_code],
            inspectors=["SCJG-I01", "SCJG-I02"],
            seed="authorization-row",
        )
        drawn = w.engine.draw_spot_check(request, by=officer("SCJG"))
        w.refused(lambda: w.engine.refile_spot_check("SCJG", "c2026-1", by=officer("YJGL")), "auth.wrong_department")
        again = w.engine.refile_spot_check("SCJG", "c2026-1", by=officer("SCJG"))
        assert [f.plan for f in again.filings] == [f.plan for f in drawn.filings]
        assert all(f.replayed for f in again.filings)

    def _row_declare_conflict(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        ent = w.ent.credit_code
        w.refused(lambda: w.engine.declare_conflict("SCJG-I01", ent, by=inspector("SCJG-I02")), "auth.not_themself")
        w.refused(lambda: w.engine.declare_conflict("SCJG-I01", ent, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.declare_conflict("SCJG-I01", ent, "亲属", by=inspector("SCJG-I01")).enterprise == ent
        assert w.engine.declare_conflict("SCJG-I02", ent, by=officer("SCJG")).inspector == "SCJG-I02"

    def _row_declare_quiet_slot(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        ent = w.ent.credit_code
        start, end = dt.date(2026, 3, 10), dt.date(2026, 3, 15)
        w.refused(
            lambda: w.engine.declare_quiet_slot(ent, start, end, by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        assert w.engine.declare_quiet_slot(ent, start, end, "旺季", by=enterprise(ent)).days == 6

    def _row_withdraw_quiet_slot(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        ent = w.ent.credit_code
        slot = w.engine.declare_quiet_slot(ent, dt.date(2026, 3, 10), dt.date(2026, 3, 15), by=enterprise(ent))
        w.refused(
            lambda: w.engine.withdraw_quiet_slot(slot.id, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise"
        )
        assert w.engine.withdraw_quiet_slot(slot.id, by=enterprise(ent)) == slot

    def _row_register_device_key(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        key = public_key_hex(Ed25519PrivateKey.generate())
        w.refused(lambda: w.engine.register_device_key("SCJG-I01", key, by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.register_device_key("SCJG-I01", key, by=officer("SCJG")).public_key == key
        w.engine.register_device_key("SCJG-I01", key, by=SYSTEM)

    def _row_check_in_offline(self, store: Store) -> None:
        w = self._fieldwork_world(store)
        device = Ed25519PrivateKey.generate()
        w.engine.register_device_key("SCJG-I01", public_key_hex(device), by=SYSTEM)
        out = w.file()
        assert out.inspection is not None
        gate = w.engine.issue_enterprise_code(w.ent.credit_code, by=SYSTEM).token
        at = out.inspection.window.start.add(minutes=10)
        record = OfflineRecord(out.inspection.id, "SCJG-I01", at, w.ent.site, gate)
        signed = sign_offline(record, device)
        w.clock.set(at.add(days=2))
        w.refused(lambda: w.engine.check_in_offline(signed, by=inspector("SCJG-I02")), "auth.not_themself")
        visit = w.engine.check_in_offline(signed, by=inspector("SCJG-I01"))
        assert visit.checked_in_at == at and visit.scanned
