"""The authorization cases of the operator listings (issue 11), one ``_row_<operation>``
per matrix row, mixed into `jointinspect.testing.authorization.AuthorizationContract`.

Each row is read once by a principal it refuses (`Forbidden`, nothing changed) and once
by a principal it allows; a department's or an enterprise's principal that names no
filter reads only its own records.
"""

from __future__ import annotations

from jointinspect.ports import Store
from jointinspect.testing._world import World, make_world
from jointinspect.testing.principals import SUPERVISOR, SYSTEM, enterprise, inspector, officer


class ListingRows:
    """The listing rows of the authorization contract."""

    def world(self, store: Store) -> World:
        """An engine over ``store`` with the small city registered (see `make_world`)."""
        return make_world(store)

    def _row_list_enterprises(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.list_enterprises(by=enterprise(w.ent.credit_code)), "auth.forbidden")
        assert len(w.engine.list_enterprises(by=officer("YJGL"))) == len(w.city.enterprises)
        assert w.engine.list_enterprises(by=inspector("SCJG-I01"), whitelist="limited") == [w.limited]

    def _row_list_plans(self, store: Store) -> None:
        w = self.world(store)
        w.file("SCJG")
        w.refused(lambda: w.engine.list_plans(department="SCJG", by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.list_plans(by=enterprise(w.ent.credit_code)), "auth.forbidden")
        assert [p.department for p in w.engine.list_plans(by=officer("SCJG"))] == ["SCJG"]
        assert w.engine.list_plans(by=officer("YJGL")) == []  # scoped to its own department

    def _row_pending_approvals(self, store: Store) -> None:
        w = self.world(store)
        filed = w.file("SCJG", w.limited.credit_code).plan
        w.refused(lambda: w.engine.pending_approvals(department="SCJG", by=officer("YJGL")), "auth.wrong_department")
        assert w.engine.pending_approvals(by=SUPERVISOR) == [filed]
        assert w.engine.pending_approvals(by=officer("SCJG")) == [filed]

    def _row_list_inspections(self, store: Store) -> None:
        w = self.world(store)
        iid = w.failed_visit()[0]
        ent = w.ent.credit_code
        w.refused(
            lambda: w.engine.list_inspections(enterprise=ent, by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        w.refused(lambda: w.engine.list_inspections(department="SCJG", by=officer("YJGL")), "auth.wrong_department")
        assert [i.id for i in w.engine.list_inspections(by=enterprise(ent))] == [iid]
        assert [i.id for i in w.engine.list_inspections(by=inspector("SCJG-I02"))] == [iid]
        assert w.engine.list_inspections(by=enterprise(w.other.credit_code)) == []

    def _row_results_of(self, store: Store) -> None:
        w = self.world(store)
        iid, failed = w.failed_visit()
        w.refused(lambda: w.engine.results_of(iid, by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.results_of(iid, by=enterprise(w.other.credit_code)), "auth.wrong_enterprise")
        assert w.engine.results_of(iid, by=enterprise(w.ent.credit_code)) == [failed.result]
        assert w.engine.results_of(iid, by=officer("SCJG")) == [failed.result]

    def _row_list_rectifications(self, store: Store) -> None:
        w = self.world(store)
        rect = w.failed_visit()[1].rectification
        assert rect is not None
        w.refused(lambda: w.engine.list_rectifications(department="SCJG", by=officer("YJGL")), "auth.wrong_department")
        w.refused(lambda: w.engine.list_rectifications(by=inspector("SCJG-I01")), "auth.forbidden")
        assert w.engine.list_rectifications(by=officer("SCJG")) == [rect]
        assert w.engine.list_rectifications(by=enterprise(w.ent.credit_code)) == [rect]
        assert w.engine.list_rectifications(overdue=True, by=SYSTEM) == []  # not due yet

    def _completed(self, w: World) -> str:
        iid = w.visit(w.file())
        w.engine.check_out(iid, by=inspector("SCJG-I01"))
        return iid

    def _row_list_complaints(self, store: Store) -> None:
        w = self.world(store)
        iid = self._completed(w)
        complaint = w.engine.complain(iid, "misconduct", "未出示执法证", by=enterprise(w.ent.credit_code))
        ent = w.ent.credit_code
        w.refused(lambda: w.engine.list_complaints(by=officer("SCJG")), "auth.forbidden")
        w.refused(
            lambda: w.engine.list_complaints(enterprise=ent, by=enterprise(w.other.credit_code)),
            "auth.wrong_enterprise",
        )
        assert w.engine.list_complaints(by=SUPERVISOR) == [complaint]
        assert w.engine.list_complaints(by=enterprise(ent)) == [complaint]
        assert w.engine.list_complaints(by=enterprise(w.other.credit_code)) == []

    def _row_list_evaluations(self, store: Store) -> None:
        w = self.world(store)
        iid = self._completed(w)
        rating = w.engine.rate(iid, 95, by=enterprise(w.ent.credit_code))
        w.refused(lambda: w.engine.list_evaluations(by=officer("SCJG")), "auth.forbidden")
        assert w.engine.list_evaluations(by=SUPERVISOR) == [rating]
        assert w.engine.list_evaluations(by=enterprise(w.other.credit_code)) == []

    def _row_pending_notifications(self, store: Store) -> None:
        w = self.world(store)
        w.engine.auto_deliver = False
        w.file()
        w.refused(lambda: w.engine.pending_notifications(by=officer("SCJG")), "auth.forbidden")
        assert w.engine.pending_notifications(by=SYSTEM)

    def _row_audit_entries(self, store: Store) -> None:
        w = self.world(store)
        w.refused(lambda: w.engine.audit_entries(by=enterprise(w.ent.credit_code)), "auth.forbidden")
        entries = w.engine.audit_entries(by=SUPERVISOR, limit=3)
        assert [e.seq for e in entries] == [1, 2, 3]
