"""The audit trail: an append-only log whose entries are chained by SHA-256 hashes.

Each entry's hash covers its own content and the previous entry's hash, so changing,
removing or reordering any entry breaks every hash after it. `seal` is the one
place the hash is computed; stores call it inside their atomic append.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

import attrs
import pendulum

from jointinspect.errors import AuditChainBroken
from jointinspect.timeutil import utc

#: hash of the (absent) entry before the first one.
GENESIS = "0" * 64


def _pairs(value: Mapping[str, object] | tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    if isinstance(value, tuple):
        return value
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


@attrs.frozen
class AuditRecord:
    """What happened: who did what to which subject, with details."""

    at: pendulum.DateTime = attrs.field(converter=utc)
    actor: str
    action: str
    subject: str
    data: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)


@attrs.frozen
class AuditEntry:
    """A sealed record: its sequence number, the previous hash and its own hash."""

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


def _canonical(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    body = {
        "seq": seq,
        "at": record.at.isoformat(),
        "actor": record.actor,
        "action": record.action,
        "subject": record.subject,
        "data": [list(pair) for pair in record.data],
        "prev": prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def seal(record: AuditRecord, seq: int, prev_hash: str) -> AuditEntry:
    """Chain ``record`` after the entry whose hash is ``prev_hash`` at position ``seq``."""
    digest = hashlib.sha256(_canonical(seq, record, prev_hash)).hexdigest()
    return AuditEntry(seq=seq, record=record, prev_hash=prev_hash, hash=digest)


def verify(entries: Iterable[AuditEntry], expected_head: str | None = None) -> int:
    """Check a whole log from its first entry; return the number of entries.

    A chain cut after its last entries still verifies by itself: keep the latest hash
    somewhere else (a notarised copy, another system) and pass it as ``expected_head`` to
    detect a truncated tail.

    Raises:
        AuditChainBroken: at the first entry that was altered, removed, inserted or moved,
            or when the last hash is not ``expected_head``.
    """
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            raise AuditChainBroken(seq=entry.seq, reason=f"expected sequence {expected_seq}")
        if entry.prev_hash != prev:
            raise AuditChainBroken(seq=entry.seq, reason="previous hash does not match")
        if seal(entry.record, entry.seq, entry.prev_hash).hash != entry.hash:
            raise AuditChainBroken(seq=entry.seq, reason="content does not match its hash")
        prev, expected_seq = entry.hash, expected_seq + 1
    if expected_head is not None and prev != expected_head:
        raise AuditChainBroken(seq=expected_seq - 1, reason="the log ends before the expected head")
    return expected_seq - 1
