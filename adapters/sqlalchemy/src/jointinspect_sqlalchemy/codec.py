"""Values to JSON text and back, exactly (cattrs), and instants to integer microseconds.

The values written on every filing (plans, inspections, notifications, audit entries) have
hand-written encoders that give the same text as cattrs in a third of the time; each is used
only while its class still has exactly the fields it knows (a field added to a model falls
back to cattrs rather than being dropped), and a test compares both on generated values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import cattrs.preconf.json
import pendulum

from jointinspect.audit import AuditEntry, AuditRecord
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, Plan
from jointinspect.timeutil import from_micros

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_MICRO = dt.timedelta(microseconds=1)
#: tzinfo objects known to be UTC (pendulum uses one shared instance).
_UTC_ZONES = (pendulum.UTC, dt.UTC)

_converter = cattrs.preconf.json.make_converter()
# Instants travel as exact integer microseconds (no float, no text parsing on the way back).
_converter.register_structure_hook(pendulum.DateTime, lambda v, _: from_micros(int(v)))


def micros(value: dt.datetime) -> int:
    """Exact microseconds since the epoch of an aware instant.

    Same result as :func:`jointinspect.timeutil.to_micros`. A UTC instant (every stored
    one) is computed from its fields (~0.3 us); others with the standard library's
    subtraction (pendulum's returns an ``Interval``, which is slower).
    """
    if value.tzinfo in _UTC_ZONES:
        days = value.toordinal() - _EPOCH_ORDINAL
        seconds = ((days * 24 + value.hour) * 60 + value.minute) * 60 + value.second
        return seconds * 1_000_000 + value.microsecond
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive instant {value!r}")
    return dt.datetime.__sub__(value, _EPOCH) // _MICRO


_converter.register_unstructure_hook(pendulum.DateTime, micros)

_dumps_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: one JSON string literal, as that encoder writes it (the C implementation).
_string: Callable[[str], str] = json.encoder.encode_basestring


def _strings(values: Sequence[str]) -> str:
    return "[" + ",".join(map(_string, values)) + "]" if values else "[]"


def _plan(p: Plan) -> str:
    # Built as text (twice as fast as a dict through the encoder): bulk imports run this
    # for every plan.
    w = p.window
    inspection = "null" if p.inspection_id is None else _string(p.inspection_id)
    return (
        f'{{"id":{_string(p.id)},"enterprise":{_string(p.enterprise)},'
        f'"department":{_string(p.department)},"items":{_strings(p.items)},'
        f'"inspectors":{_strings(p.inspectors)},'
        f'"window":{{"start":{micros(w.start)},"end":{micros(w.end)}}},'
        f'"kind":{_string(p.kind.value)},"filed_at":{micros(p.filed_at)},'
        f'"status":{_string(p.status.value)},"inspection_id":{inspection},'
        f'"approvals":{_strings(p.approvals)},"reason":{_string(p.reason)},'
        f'"approved_by":{_strings(p.approved_by)},'
        f'"idempotency_key":{"null" if p.idempotency_key is None else _string(p.idempotency_key)}}}'
    )


def _inspection_text(i: Inspection) -> str:
    # Built as text like _plan: bulk filing writes a visit's body for every new or widened visit.
    w, successor, reservation = i.window, i.successor, i.reservation_id
    return (
        f'{{"id":{_string(i.id)},"enterprise":{_string(i.enterprise)},'
        f'"lead_department":{_string(i.lead_department)},"plan_ids":{_strings(i.plan_ids)},'
        f'"departments":{_strings(i.departments)},"items":{_strings(i.items)},'
        f'"inspectors":{_strings(i.inspectors)},'
        f'"window":{{"start":{micros(w.start)},"end":{micros(w.end)}}},'
        f'"kind":{_string(i.kind.value)},"created_at":{micros(i.created_at)},'
        f'"status":{_string(i.status.value)},'
        f'"successor":{"null" if successor is None else _string(successor)},'
        f'"reservation_id":{"null" if reservation is None else _string(reservation)},'
        f'"completed_at":{"null" if i.completed_at is None else micros(i.completed_at)}}}'
    )


def _audit_entry(e: AuditEntry) -> dict[str, Any]:
    r = e.record
    record = {
        "at": micros(r.at), "actor": r.actor, "action": r.action, "subject": r.subject,
        "data": [list(pair) for pair in r.data],
    }  # fmt: skip
    return {"seq": e.seq, "record": record, "prev_hash": e.prev_hash, "hash": e.hash}


def _known(kind: type[Any], *fields: str) -> bool:
    """Whether ``kind`` has exactly ``fields`` (in order), as its encoder assumes."""
    return tuple(f.name for f in attrs.fields(kind)) == fields


#: Hand-written encoders (value to JSON text), keyed by exact class, for the classes whose
#: fields still match.
FAST: dict[type[Any], Callable[[Any], str]] = {}
if _known(Plan, "id", "enterprise", "department", "items", "inspectors", "window", "kind",
          "filed_at", "status", "inspection_id", "approvals", "reason", "approved_by",
          "idempotency_key"):  # fmt: skip
    FAST[Plan] = _plan
if _known(Inspection, "id", "enterprise", "lead_department", "plan_ids", "departments", "items",
          "inspectors", "window", "kind", "created_at", "status", "successor",
          "reservation_id", "completed_at"):  # fmt: skip
    FAST[Inspection] = _inspection_text


def _notification_text(n: Notification) -> str:
    # Written directly like _plan: a sweep encodes tens of thousands per run.
    payload = ",".join([f"[{_string(k)},{_string(v)}]" for k, v in n.payload])
    return (
        f'{{"key":{_string(n.key)},"kind":{_string(n.kind)},"role":{_string(n.role.value)},'
        f'"recipient":{_string(n.recipient)},"subject":{_string(n.subject)},"at":{micros(n.at)},'
        f'"payload":[{payload}]}}'
    )


if _known(Notification, "key", "kind", "role", "recipient", "subject", "at", "payload"):
    FAST[Notification] = _notification_text
if _known(AuditEntry, "seq", "record", "prev_hash", "hash") and _known(
    AuditRecord, "at", "actor", "action", "subject", "data"
):
    FAST[AuditEntry] = lambda value: _dumps_json(_audit_entry(value))


def dumps(value: object) -> str:
    """The JSON text of an attrs value."""
    fast = FAST.get(type(value))
    if fast is not None:
        return fast(value)
    return _dumps_json(_converter.unstructure(value))


def dumps_slow(value: object) -> str:
    """The JSON text cattrs gives (what :func:`dumps` must equal; for tests)."""
    return _dumps_json(_converter.unstructure(value))


def dumps_list(values: list[str]) -> str:
    """The JSON text of a list of strings."""
    if all(type(v) is str for v in values):
        return _strings(values)  # the same text, without the generic encoder
    return _dumps_json(values)


def loads(text: str | bytes, kind: type[T]) -> T:
    """The value of type ``kind`` whose JSON text is ``text``."""
    data: Any = json.loads(text)
    return _converter.structure(data, kind)
