"""The audit tamper suite: direct edits of a store's audit table, each of which must be detected.

Subclass `AuditTamperSuite` in a pytest module with a store factory and two small
"raw edit" hooks that read and replace the audit table and its head row *behind the
store's back* (as someone with database access would)::

    class TestMyStoreTamper(AuditTamperSuite):
        def make_store(self): ...
        def read_raw(self, store): ...   # -> (rows, head)
        def write_raw(self, store, rows, head): ...

`CASES` is the table; each case names what detects it:

* ``chain`` — the hash chain alone (or the row reader, for corrupted rows);
* ``head`` — the comparison with the store's head row;
* ``anchor`` — a signed anchor taken before the edit (the edit re-hashed the chain and
  rewrote the head row: only someone without the signing key is caught);
* ``expected_head`` — the head recorded outside the database (entries forged *after*
  the last anchor, head row updated: nothing inside the database can tell).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import attrs
import pendulum
import pytest

from jointinspect.audit import (
    EMPTY_HEAD,
    Anchor,
    AuditHead,
    AuditRecord,
    canonical_body,
    make_anchor,
    parse_row,
    seal,
    verify,
    verify_log,
)
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.errors import AuditChainBroken
from jointinspect.memory import AuditRow
from jointinspect.ports import Store

T0 = pendulum.datetime(2026, 3, 2, 1, tz="UTC")
#: How many entries each case starts from.
SIZE = 12

Rows = list[AuditRow]
Edit = Callable[[Rows, AuditHead], tuple[Rows, AuditHead | None]]


def _body(row: AuditRow) -> dict[str, object]:
    data: dict[str, object] = json.loads(str(row.body))
    return data


def _with_body(row: AuditRow, **changes: object) -> AuditRow:
    body = {**_body(row), **changes}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return row._replace(body=text)


def _flip(digest: object) -> str:
    text = str(digest)
    return ("1" if text[0] != "1" else "2") + text[1:]


def _reseal(rows: Rows, start: int) -> Rows:
    """Re-number rows from 1 and recompute every hash from index ``start`` on (what an
    attacker with database access but without the signing key can do)."""
    out = list(rows[:start])
    prev = str(out[-1].hash) if out else EMPTY_HEAD.hash
    for n, row in enumerate(rows[start:], start=start + 1):
        old = parse_row(*row)
        entry = seal(old.record, n, prev)
        out.append(AuditRow(n, entry.prev_hash, entry.hash, canonical_body(entry)))
        prev = entry.hash
    return out


def _head_of(rows: Rows) -> AuditHead:
    return AuditHead(int(str(rows[-1].seq)), str(rows[-1].hash)) if rows else EMPTY_HEAD


def _forged(rows: Rows) -> AuditRow:
    last = rows[-1]
    entry = seal(
        AuditRecord(T0.add(days=1), "forger", "plan.approved", "p-forged"), int(str(last.seq)) + 1, str(last.hash)
    )
    return AuditRow(entry.seq, entry.prev_hash, entry.hash, canonical_body(entry))


def _edit_body(field: str, value: object) -> Edit:
    def edit(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
        rows[4] = _with_body(rows[4], **{field: value})
        return rows, head

    return edit


def _recompute(with_head: bool) -> Edit:
    def edit(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
        rows[4] = _with_body(rows[4], actor="someone-else")
        rows = _reseal(rows, 4)
        return rows, _head_of(rows) if with_head else head

    return edit


def _delete_renumber(with_head: bool) -> Edit:
    def edit(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
        del rows[3]
        rows = _reseal(rows, 3)
        return rows, _head_of(rows) if with_head else head

    return edit


def _append(with_head: bool) -> Edit:
    def edit(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
        rows.append(_forged(rows))
        return rows, _head_of(rows) if with_head else head

    return edit


def _swap(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
    a, b = rows[2], rows[6]
    rows[2], rows[6] = b._replace(seq=a.seq), a._replace(seq=b.seq)
    return rows, head


def _hash_pair(rows: Rows, head: AuditHead) -> tuple[Rows, AuditHead | None]:
    # Edit a hash column and the next row's prev column consistently (and its body's "prev").
    new = _flip(rows[4].hash)
    rows[4] = rows[4]._replace(hash=new)
    rows[5] = _with_body(rows[5]._replace(prev_hash=new), prev=new)
    return rows, head


@attrs.frozen
class TamperCase:
    """One edit of the audit table and what must detect it."""

    name: str
    edit: Edit = attrs.field(repr=False)
    detected_by: str


CASES: tuple[TamperCase, ...] = (
    TamperCase("delete first row", lambda r, h: (r[1:], h), "chain"),
    TamperCase("delete a middle row", lambda r, h: (r[:5] + r[6:], h), "chain"),
    TamperCase("delete the last row", lambda r, h: (r[:-1], h), "head"),
    TamperCase("delete the last 5 rows", lambda r, h: (r[:-5], h), "head"),
    TamperCase("delete every row", lambda r, h: ([], h), "head"),
    TamperCase("edit an actor", _edit_body("actor", "someone-else"), "chain"),
    TamperCase("edit an action", _edit_body("action", "plan.rejected"), "chain"),
    TamperCase("edit a subject", _edit_body("subject", "p-other"), "chain"),
    TamperCase("edit a data value", _edit_body("data", [["k", "999"]]), "chain"),
    TamperCase("edit a time", _edit_body("at", "2026-03-01T00:00:00+00:00"), "chain"),
    TamperCase("edit a hash column", lambda r, h: ([*r[:4], r[4]._replace(hash=_flip(r[4].hash)), *r[5:]], h), "chain"),
    TamperCase(
        "edit a prev-hash column",
        lambda r, h: ([*r[:4], r[4]._replace(prev_hash=_flip(r[4].prev_hash)), *r[5:]], h),
        "chain",
    ),
    TamperCase("edit a hash and the next prev consistently", _hash_pair, "chain"),
    TamperCase("edit an entry and recompute the chain", _recompute(False), "head"),
    TamperCase("edit an entry, recompute the chain and the head", _recompute(True), "anchor"),
    TamperCase("delete, renumber and recompute", _delete_renumber(False), "head"),
    TamperCase("delete, renumber, recompute and edit the head", _delete_renumber(True), "anchor"),
    TamperCase("swap two rows", _swap, "chain"),
    TamperCase(
        "renumber rows", lambda r, h: ([*r[:6], *(x._replace(seq=int(str(x.seq)) + 1) for x in r[6:])], h), "chain"
    ),
    TamperCase(
        "copy a row over the next one", lambda r, h: ([*r[:6], r[5]._replace(seq=r[6].seq), *r[7:]], h), "chain"
    ),
    TamperCase("append a forged entry", _append(False), "head"),
    TamperCase("append a forged entry and edit the head", _append(True), "expected_head"),
    TamperCase("edit the head hash", lambda r, h: (r, AuditHead(h.seq, _flip(h.hash))), "head"),
    TamperCase("lower the head sequence", lambda r, h: (r, AuditHead(h.seq - 1, str(r[-2].hash))), "head"),
    TamperCase("delete the head row", lambda r, h: (r, None), "head"),
    TamperCase("corrupt a row's JSON", lambda r, h: ([*r[:4], r[4]._replace(body="{not json"), *r[5:]], h), "chain"),
    TamperCase("give a field the wrong type", _edit_body("actor", 12345), "chain"),
    TamperCase(
        "store a body in non-canonical form",
        lambda r, h: ([*r[:4], r[4]._replace(body=str(r[4].body) + " "), *r[5:]], h),
        "chain",
    ),
)


#: The detection layers, weakest first.
LAYERS = ("chain", "head", "anchor", "expected_head")


class AuditTamperSuite:
    """Every case of `CASES` against one store; see the module docstring."""

    keys = MemoryKeyStore.from_seed(bytes(range(1, 33)), key_id="audit-anchor")

    def make_store(self) -> Store:
        """Return a fresh, empty store (override)."""
        raise NotImplementedError

    def read_raw(self, store: Store) -> tuple[Rows, AuditHead | None]:
        """Return the audit table's rows in sequence order and the head row (override)."""
        raise NotImplementedError

    def write_raw(self, store: Store, rows: Rows, head: AuditHead | None) -> None:
        """Replace the audit table's rows and the head row (``None``: delete it) (override)."""
        raise NotImplementedError

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A store holding `SIZE` entries."""
        s = self.make_store()
        try:
            with s.unit_of_work() as uow:
                for n in range(1, SIZE + 1):
                    uow.audit.append(
                        AuditRecord(T0.add(minutes=n), f"officer:D{n % 3}", "plan.filed", f"p{n}", {"k": n})
                    )
                uow.commit()
            yield s
        finally:
            s.close()

    def _anchor(self, store: Store) -> tuple[Anchor, AuditHead]:
        with store.unit_of_work() as uow:
            head = uow.audit.head()
        return make_anchor(head.seq, head.hash, T0.add(hours=1), self.keys), head

    def test_the_untouched_log_verifies_every_way(self, store: Store) -> None:
        anchor, head = self._anchor(store)
        rows, stored_head = self.read_raw(store)
        assert len(rows) == SIZE and stored_head == head
        assert self._check(store, "expected_head", anchor, head) == SIZE
        self.write_raw(store, rows, stored_head)  # the hooks themselves change nothing
        for layer in LAYERS:
            assert self._check(store, layer, anchor, head) == SIZE

    @pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
    def test_tampering_is_detected(self, store: Store, case: TamperCase) -> None:
        anchor, head = self._anchor(store)
        rows, stored_head = self.read_raw(store)
        assert stored_head is not None
        new_rows, new_head = case.edit(list(rows), stored_head)
        self.write_raw(store, new_rows, new_head)
        level = LAYERS.index(case.detected_by)
        if level > 0:
            # The weaker check cannot see it: that is why the stronger one exists.
            assert self._check(store, LAYERS[level - 1], anchor, head) >= 0
        with pytest.raises(AuditChainBroken):
            self._check(store, case.detected_by, anchor, head)
        with pytest.raises(AuditChainBroken):  # and everything together detects it too
            self._check(store, "expected_head", anchor, head)

    def _check(self, store: Store, layer: str, anchor: Anchor, head: AuditHead) -> int:
        with store.unit_of_work() as uow:
            if layer == "chain":
                return verify(uow.audit.iter_entries())
            if layer == "head":
                return verify_log(uow.audit)
            if layer == "anchor":
                return verify_log(uow.audit, anchors=[anchor], keys=self.keys)
            return verify_log(uow.audit, anchors=[anchor], keys=self.keys, expected_head=head)
