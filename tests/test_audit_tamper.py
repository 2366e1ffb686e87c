"""The audit tamper suite on the in-memory store (the SQL stores: adapters/sqlalchemy/tests/test_sql_tamper.py)."""

from __future__ import annotations

from jointinspect.audit import AuditHead
from jointinspect.memory import AuditRow, MemoryStore
from jointinspect.ports import Store
from jointinspect.testing.tamper import AuditTamperSuite


class TestMemoryTamper(AuditTamperSuite):
    def make_store(self) -> Store:
        return MemoryStore()

    def read_raw(self, store: Store) -> tuple[list[AuditRow], AuditHead | None]:
        assert isinstance(store, MemoryStore)
        t = store._tables
        return [t.audit.rows[k] for k in sorted(t.audit.rows)], t.audit_head.rows.get("head")

    def write_raw(self, store: Store, rows: list[AuditRow], head: AuditHead | None) -> None:
        assert isinstance(store, MemoryStore)
        t = store._tables
        t.audit.rows.clear()
        t.audit.rows.update({int(str(r.seq)): r for r in rows})
        t.audit_head.rows.clear()
        if head is not None:
            t.audit_head.rows["head"] = head


def test_the_documented_tamper_table_matches_the_suite() -> None:
    from pathlib import Path

    from jointinspect.testing.tamper import CASES

    text = (Path(__file__).resolve().parents[1] / "docs" / "audit-trail.md").read_text(encoding="utf-8")
    rows = [f"| {i} | {c.name} | {c.detected_by.replace('_', ' ')} |" for i, c in enumerate(CASES, 1)]
    assert "\n".join(rows) in text
