"""Audit rows as hashed, outbox retry and pruning columns, pruning indexes.

* ``ji_audit.body`` becomes `jointinspect.audit.canonical_body`, the exact text that was
  hashed; rows written in the older codec format (``{"seq", "record", "prev_hash",
  "hash"}``) are rewritten in place, in pages. A row that cannot be rebuilt (the value a
  bug once stored, such as a ``null`` actor) is left as it is: verification then names it.
* ``ji_outbox`` gains ``at`` (the notification's instant, back-filled from the body),
  ``attempts`` and ``next_attempt_at`` (delivery retried with backoff) and the index
  ``ix_ji_outbox_prune`` (delivered, at).
* ``ji_replay_keys`` gains ``ix_ji_replay_keys_expires`` (expires_at).

Revision ID: 0004_audit_outbox
Revises: 0003_plan_idempotency
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Callable

import cattrs
import sqlalchemy as sa
from alembic import op
from jointinspect_sqlalchemy import codec

from jointinspect.audit import AuditEntry, canonical_body, parse_row
from jointinspect.errors import AuditChainBroken, JointInspectError

revision = "0004_audit_outbox"
down_revision = "0003_plan_idempotency"
branch_labels = None
depends_on = None

_PAGE = 1000

_audit = sa.table(
    "ji_audit",
    sa.column("seq", sa.BigInteger()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("body", sa.Text()),
)
_outbox = sa.table(
    "ji_outbox", sa.column("seq", sa.BigInteger()), sa.column("body", sa.Text()), sa.column("at", sa.BigInteger())
)

Convert = Callable[[int, str, str, str], "str | None"]


def _to_canonical(seq: int, prev_hash: str, digest: str, body: str) -> str | None:
    """The canonical body of an old codec-format row, or ``None`` to leave the row."""
    try:
        raw = json.loads(body)
        if not isinstance(raw, dict) or "record" not in raw:
            return None  # already canonical
        return canonical_body(codec.loads(body, AuditEntry))
    except (ValueError, TypeError, KeyError, JointInspectError, cattrs.BaseValidationError):
        return None  # what cannot be rebuilt stays; verification names it


def _to_codec(seq: int, prev_hash: str, digest: str, body: str) -> str | None:
    """The old codec-format body of a canonical row (downgrade)."""
    try:
        return codec.dumps(parse_row(seq, prev_hash, digest, body))
    except AuditChainBroken:
        return None


def _rewrite_audit(convert: Convert) -> None:
    bind = op.get_bind()
    t = _audit
    last = 0
    while True:
        rows = bind.execute(
            sa.select(t.c.seq, t.c.prev_hash, t.c.hash, t.c.body).where(t.c.seq > last).order_by(t.c.seq).limit(_PAGE)
        ).fetchall()
        for seq, prev_hash, digest, body in rows:
            new = convert(int(seq), str(prev_hash), str(digest), str(body))
            if new is not None and new != body:
                bind.execute(sa.update(t).where(t.c.seq == seq).values(body=new))
        if len(rows) < _PAGE:
            return
        last = int(rows[-1][0])


def _backfill_outbox_at() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(_outbox.c.seq, _outbox.c.body).where(_outbox.c.seq > last).order_by(_outbox.c.seq).limit(_PAGE)
        ).fetchall()
        for seq, body in rows:
            at = json.loads(str(body)).get("at")
            if isinstance(at, int):
                bind.execute(sa.update(_outbox).where(_outbox.c.seq == seq).values(at=at))
        if len(rows) < _PAGE:
            return
        last = int(rows[-1][0])


def upgrade() -> None:
    """Add the columns and indexes; rewrite old audit bodies; back-fill ``ji_outbox.at``."""
    with op.batch_alter_table("ji_outbox") as batch:
        batch.add_column(sa.Column("at", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.BigInteger(), nullable=False, server_default="0"))
    _backfill_outbox_at()
    op.create_index("ix_ji_outbox_prune", "ji_outbox", ["delivered", "at"])
    op.create_index("ix_ji_replay_keys_expires", "ji_replay_keys", ["expires_at"])
    _rewrite_audit(_to_canonical)


def downgrade() -> None:
    """Drop the indexes and columns; write audit bodies back in the codec format."""
    _rewrite_audit(_to_codec)
    op.drop_index("ix_ji_replay_keys_expires", "ji_replay_keys")
    op.drop_index("ix_ji_outbox_prune", "ji_outbox")
    with op.batch_alter_table("ji_outbox") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")
        batch.drop_column("at")
