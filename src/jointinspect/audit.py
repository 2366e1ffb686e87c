"""The audit trail: an append-only log whose entries are chained by SHA-256 hashes.

Each entry's hash covers its own content and the previous entry's hash, so changing,
removing or reordering any entry breaks every hash after it. `seal` is the one
place the hash is computed; stores call it inside their atomic append.

Three things make the chain hard to rewrite rather than merely hard to edit by accident:

* every value is validated before hashing (`AuditRecord` refuses a ``None`` or bytes
  actor, NUL characters, lone surrogates and values of other types), and a store keeps
  each entry's `canonical_body` exactly as hashed and reads it back with `parse_row`;
* the store keeps a *head* row (last sequence and hash): `verify` compares the chain
  with it, so deleting the last rows, or appending after it, is detected;
* *anchors* (`make_anchor`): the head signed with a key from the key store and handed to
  a sink outside the database. A chain rewritten and re-hashed by someone who can edit
  the database but does not hold the key no longer matches its anchors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.encoder import encode_basestring as _string  # the escaping json.dumps uses
from typing import Any, Protocol

import attrs
import pendulum
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jointinspect._last import LastAnswer
from jointinspect.errors import AuditChainBroken, ValidationError
from jointinspect.model._trusted import builder
from jointinspect.timeutil import utc

#: hash of the (absent) entry before the first one.
GENESIS = "0" * 64
#: Domain-separation string of an anchor's signature (never valid as a code signature).
ANCHOR_DOMAIN = b"jointinspect/audit-anchor/v1\x00"


def _check_text(field: str, value: object, *, empty: bool = True) -> str:
    """Return ``value`` if it is text that JSON and every database store unchanged."""
    if not isinstance(value, str):
        raise ValidationError(
            "audit.value_invalid", field=field, reason=f"{type(value).__name__} is not text", reason_zh="不是文本"
        )
    if not empty and not value:
        raise ValidationError("audit.value_invalid", field=field, reason="empty text", reason_zh="文本为空")
    if "\x00" in value:
        raise ValidationError(
            "audit.value_invalid", field=field, reason="contains a NUL character", reason_zh="含有 NUL 字符"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            "audit.value_invalid", field=field, reason="contains a lone surrogate", reason_zh="含有孤立的代理字符"
        ) from exc
    return value


def _value_text(field: str, value: object) -> str:
    """Audited values are text, whole numbers, booleans, ``None`` or finite floats, stored
    as their ``str``; anything else (bytes, objects, NaN) is refused before hashing."""
    if value is None or isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(
                "audit.value_invalid", field=field, reason="not a finite number", reason_zh="不是有限数值"
            )
        return str(value)
    return str(_check_text(field, value))


def _pairs(value: Mapping[str, object] | tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    items: Iterable[tuple[object, object]]
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, tuple | list):
        items = value
        for pair in value:
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ValidationError("audit.value_invalid", field="data", reason="not a pair", reason_zh="不是键值对")
    else:
        raise ValidationError(
            "audit.value_invalid", field="data", reason=f"{type(value).__name__} is not a mapping", reason_zh="不是映射"
        )
    out = [(_check_text("data key", k, empty=False), _value_text(f"data[{k!r}]", v)) for k, v in items]
    if isinstance(value, Mapping):
        out.sort()
    return tuple(out)


def _actor(_: object, __: attrs.Attribute[str], value: object) -> None:
    _check_text("actor", value, empty=False)


def _action(_: object, __: attrs.Attribute[str], value: object) -> None:
    _check_text("action", value, empty=False)


def _subject(_: object, __: attrs.Attribute[str], value: object) -> None:
    _check_text("subject", value)


@attrs.frozen
class AuditRecord:
    """What happened: who did what to which subject, with details.

    Raises:
        ValidationError: ``audit.value_invalid`` for a value a store could not keep
            exactly as hashed.
    """

    at: pendulum.DateTime = attrs.field(converter=utc)
    actor: str = attrs.field(validator=_actor)
    action: str = attrs.field(validator=_action)
    subject: str = attrs.field(validator=_subject)
    data: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    @classmethod
    def checked(
        cls, at: pendulum.DateTime, actor: str, action: str, subject: str, data: Mapping[str, object]
    ) -> AuditRecord:
        """``AuditRecord(at, actor, action, subject, data)``, the same record or the same
        refusal, checked at once: operations audit by the thousand (bulk filing), and the
        per-field validators cost more than the record. Every text the validators would
        check is checked in one string; anything else (a float, an odd type, a text
        refused) goes through the validators, which decide and name the field."""
        if type(at) is not pendulum.DateTime or at.tzinfo is not pendulum.UTC:
            return cls(at, actor, action, subject, data)
        if type(data) is not dict and not isinstance(data, Mapping):  # a dict: no ABC check
            return cls(at, actor, action, subject, data)
        if type(actor) is not str or type(action) is not str or type(subject) is not str or not actor or not action:
            return cls(at, actor, action, subject, data)
        texts = [actor, action, subject]
        pairs = []
        for key, value in data.items():
            kind = type(value)
            if type(value) is str:  # most values: already the text kept
                text = value
            elif kind is int or kind is bool or value is None:
                text = str(value)
            elif isinstance(value, str):  # a text enum: checked as text, kept as its str
                text = str(value)
                texts.append(value)
            else:
                return cls(at, actor, action, subject, data)
            if type(key) is not str or not key:
                return cls(at, actor, action, subject, data)
            pairs.append((key, text))
            texts.append(key)
            texts.append(text)
        joined = "".join(texts)
        # One NUL or lone surrogate anywhere is one in some field: let the validators say where.
        if "\x00" in joined or not (joined.isascii() or _encodes(joined)):
            return cls(at, actor, action, subject, data)
        pairs.sort()
        return builder(cls)(at, actor, action, subject, tuple(pairs))


def _encodes(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@attrs.frozen
class AuditEntry:
    """A sealed record: its sequence number, the previous hash and its own hash."""

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


#: `AuditEntry` from its fields in order (it has no converter or validator to skip).
_build_entry = builder(AuditEntry)


@attrs.frozen
class AuditHead:
    """The last sequence number and hash of a log (``seq`` 0 and `GENESIS` when empty)."""

    seq: int
    hash: str


#: The head of an empty log.
EMPTY_HEAD = AuditHead(0, GENESIS)


def _body(seq: int, record: AuditRecord, prev_hash: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": record.at.isoformat(),
        "actor": record.actor,
        "action": record.action,
        "subject": record.subject,
        "data": [list(pair) for pair in record.data],
        "prev": prev_hash,
    }


def _canonical_slow(seq: int, record: AuditRecord, prev_hash: str) -> str:
    """The canonical text as ``json.dumps`` writes it: what `_canonical` must equal (tests)."""
    return json.dumps(_body(seq, record, prev_hash), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


#: The JSON text of the last instant `_canonical` encoded (an operation's entries share it).
_last_at: LastAnswer[str] = LastAnswer()


def _canonical(seq: int, record: AuditRecord, prev_hash: str) -> str:
    """`_canonical_slow`'s text, written directly (keys in sorted order, the same string
    escaping): bulk filing seals tens of thousands of entries a run."""
    at = record.at
    at_text = _last_at.get(at, None, lambda: _string(at.isoformat()))
    return _text(seq, record, _string(prev_hash), _string(record.actor), at_text)


def _text(seq: int, record: AuditRecord, prev_text: str, actor_text: str, at_text: str) -> str:
    """`_canonical`'s text from the previous hash, the actor and the instant already in
    JSON (`sealed_many` shares the last two between an operation's entries)."""
    data = ",".join([f"[{_string(k)},{_string(v)}]" for k, v in record.data])
    return (
        f'{{"action":{_string(record.action)},"actor":{actor_text},"at":{at_text},"data":[{data}],'
        f'"prev":{prev_text},"seq":{int.__repr__(seq)},"subject":{_string(record.subject)}}}'
    )


def canonical_body(entry: AuditEntry) -> str:
    """The exact text that was hashed for ``entry``: what a store keeps."""
    return _canonical(entry.seq, entry.record, entry.prev_hash)


def seal(record: AuditRecord, seq: int, prev_hash: str) -> AuditEntry:
    """Chain ``record`` after the entry whose hash is ``prev_hash`` at position ``seq``."""
    return sealed(record, seq, prev_hash)[0]


def sealed(record: AuditRecord, seq: int, prev_hash: str) -> tuple[AuditEntry, str]:
    """`seal`, with the entry's `canonical_body`: the text is encoded once, hashed and
    returned for the store to keep."""
    body = _canonical(seq, record, prev_hash)
    digest = hashlib.sha256(body.encode()).hexdigest()
    return _build_entry(seq, record, prev_hash, digest), body


def sealed_many(records: Iterable[AuditRecord], seq: int, prev_hash: str) -> tuple[list[AuditEntry], list[str]]:
    """`sealed` of each of ``records`` in turn, the first at ``seq + 1`` after ``prev_hash``,
    each after the one before: the entries and their bodies (what `AuditLog.append_many`
    keeps). One loop for a chunk's thousands (bulk filing): `_canonical`'s text written in
    place, the JSON of an actor and an instant shared with the entry before (an operation
    has one of each) and each hash put in quotes as it is (hex digits need no escaping)."""
    entries: list[AuditEntry] = []
    bodies: list[str] = []
    sha256, build, string, text = hashlib.sha256, _build_entry, _string, _text
    prev, prev_text = prev_hash, _string(prev_hash)
    actor: object = None
    at: object = None
    actor_text = at_text = ""
    for record in records:
        seq += 1
        if record.actor is not actor:
            actor = record.actor
            actor_text = string(record.actor)
        if record.at is not at:
            at = record.at
            at_text = string(record.at.isoformat())
        body = text(seq, record, prev_text, actor_text, at_text)
        digest = sha256(body.encode()).hexdigest()
        entries.append(build(seq, record, prev, digest))
        bodies.append(body)
        prev, prev_text = digest, f'"{digest}"'
    return entries, bodies


def parse_row(seq: object, prev_hash: object, digest: object, body: object) -> AuditEntry:
    """Rebuild an entry from a stored row (sequence, previous hash, hash, canonical body).

    Raises:
        AuditChainBroken: for a row that is not what `canonical_body` wrote (bad JSON,
            wrong types, fields that disagree with the row's columns, non-canonical text),
            naming the row's sequence number; never a JSON or conversion error.
    """
    where = seq if isinstance(seq, int) and not isinstance(seq, bool) else -1
    try:
        if where < 0 or not isinstance(body, str) or not isinstance(prev_hash, str) or not isinstance(digest, str):
            raise ValueError("a column has the wrong type")
        raw = json.loads(body)
        if not isinstance(raw, dict) or set(raw) != {"seq", "at", "actor", "action", "subject", "data", "prev"}:
            raise ValueError("the body does not have the entry's fields")
        if raw["seq"] != seq or raw["prev"] != prev_hash:
            raise ValueError("the body disagrees with the row's columns")
        if not isinstance(raw["at"], str) or not isinstance(raw["data"], list):
            raise ValueError("a field has the wrong type")
        at = dt.datetime.fromisoformat(raw["at"])  # canonical text is ISO 8601 (checked below)
        if at.tzinfo is None:
            raise ValueError("the time is not an instant")
        record = AuditRecord(at, raw["actor"], raw["action"], raw["subject"], tuple(map(tuple, raw["data"])))
        entry = AuditEntry(seq=where, record=record, prev_hash=prev_hash, hash=digest)
        if canonical_body(entry) != body:
            raise ValueError("the body is not in canonical form")
    except (ValueError, TypeError, ValidationError) as exc:
        reason = exc.details.get("reason", exc.code) if isinstance(exc, ValidationError) else str(exc)
        raise AuditChainBroken(seq=where, reason=f"corrupted row: {reason}") from exc
    return entry


# --- anchors -----------------------------------------------------------------------------


class _Signer(Protocol):
    def signing_key(self) -> tuple[str, Ed25519PrivateKey]: ...


class _PublicKeys(Protocol):
    def public_key(self, key_id: str) -> Ed25519PublicKey | None: ...


_HEX = frozenset("0123456789abcdef")


def _check_anchor_field(field: str, value: object) -> None:
    ok = {
        "seq": isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63,
        "hash": isinstance(value, str) and len(value) == 64 and set(value) <= _HEX,
        "key_id": isinstance(value, str) and bool(value) and value.isprintable(),
    }[field]
    if not ok:
        raise ValidationError(
            "input.invalid", reason=f"an anchor's {field} is invalid", reason_zh=f"锚点的 {field} 字段无效"
        )


@attrs.frozen
class Anchor:
    """A signed statement that the log's entry ``seq`` has hash ``hash``, made at ``at``."""

    seq: int = attrs.field(validator=lambda _, __, v: _check_anchor_field("seq", v))
    hash: str = attrs.field(validator=lambda _, __, v: _check_anchor_field("hash", v))
    at: pendulum.DateTime = attrs.field(converter=utc)
    key_id: str = attrs.field(validator=lambda _, __, v: _check_anchor_field("key_id", v))
    signature: str  # hex of the Ed25519 signature over `signed_bytes`

    def __attrs_post_init__(self) -> None:
        if self.at.timestamp() < 0:
            raise ValidationError(
                "input.invalid", reason="an anchor's time is after 1970", reason_zh="锚点的时间早于 1970 年"
            )

    def signed_bytes(self) -> bytes:
        """The exact bytes signed: domain, sequence, time (UTC seconds), hash, key id."""
        return (
            ANCHOR_DOMAIN
            + struct.pack(">QQ", self.seq, int(self.at.timestamp()))
            + self.hash.encode("ascii")
            + self.key_id.encode("utf-8")
        )

    def to_dict(self) -> dict[str, object]:
        """Plain data for a sink (JSON, a message, a notary's form)."""
        return {
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.isoformat(),
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Anchor:
        """The inverse of `to_dict`.

        Raises:
            ValidationError: ``input.invalid`` when a field is missing or mistyped.
        """
        try:
            seq, at = data["seq"], pendulum.parse(str(data["at"]))
            fields = [data["hash"], data["key_id"], data["signature"]]
        except (KeyError, ValueError, pendulum.parsing.exceptions.ParserError) as exc:
            raise ValidationError(
                "input.invalid", reason=f"not an anchor: {exc}", reason_zh="不是锚点记录:缺少字段"
            ) from exc
        if (
            not isinstance(seq, int)
            or not isinstance(at, pendulum.DateTime)
            or not all(isinstance(f, str) for f in fields)
        ):
            raise ValidationError(
                "input.invalid", reason="not an anchor: wrong field types", reason_zh="不是锚点记录:字段类型不符"
            )
        return cls(seq, str(fields[0]), at, str(fields[1]), str(fields[2]))


def make_anchor(seq: int, head_hash: str, at: pendulum.DateTime, keys: _Signer) -> Anchor:
    """Sign (``seq``, ``head_hash``, ``at``) with the key store's current key."""
    key_id, private = keys.signing_key()
    unsigned = Anchor(seq, head_hash, utc(at).replace(microsecond=0), key_id, "")
    return attrs.evolve(unsigned, signature=private.sign(unsigned.signed_bytes()).hex())


def check_anchor(anchor: Anchor, keys: _PublicKeys) -> None:
    """Raise unless ``anchor`` is signed by a key ``keys`` knows.

    Raises:
        AuditChainBroken: ``audit.anchor_invalid``.
    """
    public = keys.public_key(anchor.key_id)
    try:
        if public is None:
            raise InvalidSignature
        public.verify(bytes.fromhex(anchor.signature), anchor.signed_bytes())
    except (InvalidSignature, ValueError) as exc:
        raise AuditChainBroken("audit.anchor_invalid", seq=anchor.seq, key_id=anchor.key_id) from exc


# --- verification ------------------------------------------------------------------------


def _as_head(value: AuditHead | tuple[int, str]) -> AuditHead:
    return value if isinstance(value, AuditHead) else AuditHead(*value)


def verify(
    entries: Iterable[AuditEntry],
    expected_head: str | AuditHead | tuple[int, str] | None = None,
    *,
    head: AuditHead | tuple[int, str] | None = None,
    anchors: Iterable[Anchor] = (),
    keys: _PublicKeys | None = None,
    refresh_head: Callable[[], AuditHead] | None = None,
) -> int:
    """Check a log from its first entry, streaming; return the number of entries.

    ``entries`` is consumed once, in order, in constant memory (pass a store's
    ``iter_entries()``). What each argument adds:

    * alone, the chain detects any altered, removed, inserted or moved entry except at
      its end; a corrupted row raises as the store reads it (`parse_row`);
    * ``head`` — the store's head row: the chain must end exactly there (detects a cut
      tail, every row deleted, entries appended after the head, an edited head row);
    * ``expected_head`` — the head as recorded outside the database (sequence and hash,
      or the hash alone): the chain must end exactly there;
    * ``anchors`` with ``keys`` — signed checkpoints: entry ``anchor.seq`` must exist
      with ``anchor.hash``. This detects a chain rewritten and re-hashed, head row
      included, by anyone without the signing key;
    * ``refresh_head`` — re-reads the head row when an entry beyond ``head`` appears: a
      concurrent append (on a store read without one snapshot) moved it, a forged entry
      did not.

    Raises:
        AuditChainBroken: ``audit.broken`` at the first entry that does not verify, or
            ``audit.anchor_invalid`` for an anchor whose signature does not verify.
    """
    checkpoints: dict[int, str] = {}
    for anchor in anchors:
        if keys is None:
            raise ValidationError(
                "input.invalid",
                reason="anchors are checked against keys; pass keys=",
                reason_zh="锚点须以密钥核验,请传入 keys",
            )
        check_anchor(anchor, keys)
        if checkpoints.setdefault(anchor.seq, anchor.hash) != anchor.hash:
            raise AuditChainBroken(seq=anchor.seq, reason="two signed anchors disagree")
    stored_head = None if head is None else _as_head(head)
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        try:
            if entry.seq != expected_seq:
                raise AuditChainBroken(seq=entry.seq, reason=f"expected sequence {expected_seq}")
            if stored_head is not None and entry.seq > stored_head.seq and refresh_head is not None:
                stored_head = _as_head(refresh_head())
            if stored_head is not None and entry.seq > stored_head.seq:
                raise AuditChainBroken(seq=entry.seq, reason=f"entry after the head row ({stored_head.seq})")
            if entry.prev_hash != prev:
                raise AuditChainBroken(seq=entry.seq, reason="previous hash does not match")
            if seal(entry.record, entry.seq, entry.prev_hash).hash != entry.hash:
                raise AuditChainBroken(seq=entry.seq, reason="content does not match its hash")
        except (AttributeError, TypeError, ValueError, UnicodeError) as exc:
            raise AuditChainBroken(seq=expected_seq, reason=f"corrupted entry: {exc}") from exc
        if checkpoints.get(entry.seq, entry.hash) != entry.hash:
            raise AuditChainBroken(seq=entry.seq, reason="hash differs from the signed anchor")
        prev, expected_seq = entry.hash, expected_seq + 1
    count = expected_seq - 1
    beyond = [s for s in checkpoints if s > count]
    if beyond:
        raise AuditChainBroken(seq=count, reason=f"the log ends before signed anchor {min(beyond)}")
    for what, end in (("head row", stored_head), ("expected head", expected_head)):
        if end is None:
            continue
        if isinstance(end, str):
            if prev != end:
                raise AuditChainBroken(seq=count, reason=f"the log does not end at the {what}")
            continue
        want = _as_head(end)
        if (count, prev) != (want.seq, want.hash):
            raise AuditChainBroken(seq=count, reason=f"the log ends at {count}, the {what} says {want.seq}")
    return count


class _Log(Protocol):
    def head(self) -> AuditHead: ...

    def iter_entries(self, after_seq: int = 0) -> Iterator[AuditEntry]: ...


def verify_log(
    log: _Log,
    *,
    expected_head: AuditHead | tuple[int, str] | None = None,
    anchors: Iterable[Anchor] = (),
    keys: _PublicKeys | None = None,
) -> int:
    """`verify` a store's audit log (``uow.audit``) against its own head row, streaming.

    Read within one unit of work. A store that pages through its table without one
    snapshot may show entries appended after the head was read: the head row is then
    read again (``refresh_head``), so a concurrent append is not taken for a forgery.
    """
    return verify(log.iter_entries(), expected_head, head=log.head(), anchors=anchors, keys=keys, refresh_head=log.head)
