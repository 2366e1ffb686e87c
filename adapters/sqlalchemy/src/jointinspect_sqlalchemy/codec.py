"""Values to JSON text and back, exactly (cattrs), and instants to integer microseconds.

The values written on every filing (plans, inspections, notifications, audit entries) have
hand-written encoders that give the same text as cattrs in a third of the time; each is used
only while its class still has exactly the fields it knows (a field added to a model falls
back to cattrs rather than being dropped), and a test compares both on generated values.
The bodies a bulk chunk reads back by the thousand (enterprises, plans, visits, quiet slots,
results) have hand-written decoders in the same way (`FAST_LOADS`): any body of another shape
than the one written, an older version's or a corrupt one, goes to cattrs.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import json.scanner
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import attrs
import cattrs.preconf.json
import pendulum

from jointinspect import validation
from jointinspect.audit import AuditEntry, AuditRecord
from jointinspect.model._trusted import builder, sorted_names
from jointinspect.model.notification import Notification
from jointinspect.model.plan import Inspection, InspectionKind, InspectionStatus, Plan, PlanStatus, Window
from jointinspect.model.quiet_slot import QuietSlot
from jointinspect.model.reference import CoordinateSystem, CreditClass, Enterprise, GeoPoint, validate_credit_code
from jointinspect.model.result import Outcome, ResultRecord
from jointinspect.timeutil import from_micros

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_MICRO = dt.timedelta(microseconds=1)
#: tzinfo objects known to be UTC (pendulum uses one shared instance).
_UTC_ZONES = (pendulum.UTC, dt.UTC)

_converter = cattrs.preconf.json.make_converter()
# Instants travel as exact integer microseconds (no float, no text parsing on the way back).
_converter.register_structure_hook(pendulum.DateTime, lambda v, _: from_micros(int(v)))


#: microseconds of the instants encoded lately, by object identity (the object is kept, so
#: its id cannot be reused while its entry stands): filing encodes each instant of a plan,
#: its visit and their rows several times (a chunk's ``now``, a window's ends), ~8 times
#: each. Only the two immutable classes; bounded by clearing.
_MICROS: dict[int, tuple[dt.datetime, int]] = {}
_MICROS_MAX = 4096
_CACHED = (pendulum.DateTime, dt.datetime)


def micros(value: dt.datetime) -> int:
    """Exact microseconds since the epoch of an aware instant.

    Same result as :func:`jointinspect.timeutil.to_micros`. A UTC instant (every stored
    one) is computed from its fields (~0.3 us); others with the standard library's
    subtraction (pendulum's returns an ``Interval``, which is slower). An instant
    encoded lately is looked up (~0.15 us).
    """
    hit = _MICROS.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    found = micros_uncached(value)
    if type(value) in _CACHED:
        if len(_MICROS) >= _MICROS_MAX:
            _MICROS.clear()
        _MICROS[id(value)] = (value, found)
    return found


def micros_uncached(value: dt.datetime) -> int:
    """`micros`, computed each time (what `micros` must equal; for tests)."""
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


def name_list(values: tuple[str, ...]) -> str:
    """`dumps_list` of a name tuple (a visit's or a reservation's departments, items,
    inspectors), kept for the tuples written lately: bulk filing writes a row for every new
    or widened visit and reservation, and a chunk's share a few of each. Only tuples of plain
    strings are kept, so a tuple equal to one of them has its text (equal values of other
    types, ``1``, ``1.0`` and ``True``, are written differently). Bounded by clearing."""
    if type(values) is not tuple:  # a value forced past the converters
        return dumps_list(list(values))
    found = _NAME_LISTS.get(values)
    if found is None:
        found = dumps_list(list(values))
        if all(type(name) is str for name in values):
            if len(_NAME_LISTS) >= _NAME_LISTS_KEPT:
                _NAME_LISTS.clear()
            _NAME_LISTS[values] = found
    return found


#: `name_list`'s answers, by the tuple (at most `_NAME_LISTS_KEPT`).
_NAME_LISTS: dict[tuple[str, ...], str] = {}
_NAME_LISTS_KEPT = 1024


def _plan(p: Plan) -> str:
    w = p.window
    return _plan_text(p, micros(p.filed_at), micros(w.start), micros(w.end))


def _plan_text(p: Plan, filed_at: int, start: int, end: int) -> str:
    # Built as text (twice as fast as a dict through the encoder): bulk imports run this
    # for every plan. The instants come encoded: the plan's row encodes them too; a chunk's
    # plans share a few item and inspector lists, kept by `name_list`.
    inspection = "null" if p.inspection_id is None else _string(p.inspection_id)
    return (
        f'{{"id":{_string(p.id)},"enterprise":{_string(p.enterprise)},'
        f'"department":{_string(p.department)},"items":{name_list(p.items)},'
        f'"inspectors":{name_list(p.inspectors)},'
        f'"window":{{"start":{start},"end":{end}}},'
        f'"kind":{_string(p.kind._value_)},"filed_at":{filed_at},'
        f'"status":{_string(p.status._value_)},"inspection_id":{inspection},'
        f'"approvals":{_strings(p.approvals)},"reason":{_string(p.reason)},'
        f'"approved_by":{_strings(p.approved_by)},'
        f'"idempotency_key":{"null" if p.idempotency_key is None else _string(p.idempotency_key)}}}'
    )


def _inspection_text(i: Inspection) -> str:
    return _inspection_body(i, micros(i.created_at), micros(i.window.start))


def _inspection_body(i: Inspection, created_at: int, start: int) -> str:
    # Built as text like _plan: bulk filing writes a visit's body for every new or widened
    # visit. The instants its row also stores come encoded.
    successor, reservation = i.successor, i.reservation_id
    return (
        f'{{"id":{_string(i.id)},"enterprise":{_string(i.enterprise)},'
        f'"lead_department":{_string(i.lead_department)},"plan_ids":{_strings(i.plan_ids)},'
        f'"departments":{name_list(i.departments)},"items":{name_list(i.items)},'
        f'"inspectors":{name_list(i.inspectors)},'
        f'"window":{{"start":{start},"end":{micros(i.window.end)}}},'
        f'"kind":{_string(i.kind._value_)},"created_at":{created_at},'
        f'"status":{_string(i.status._value_)},'
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
    return _notification_body(n, micros(n.at))


def _notification_body(n: Notification, at: int, payload: str | None = None) -> str:
    # Written directly like _plan: a sweep encodes tens of thousands per run. ``payload``:
    # `_payload` of ``n.payload`` when the caller has it (a plan's notifications share one).
    if payload is None:
        payload = _payload(n.payload)
    return (
        f'{{"key":{_string(n.key)},"kind":{_string(n.kind)},"role":{_string(n.role._value_)},'
        f'"recipient":{_string(n.recipient)},"subject":{_string(n.subject)},"at":{at},'
        f'"payload":[{payload}]}}'
    )


def _payload(pairs: tuple[tuple[str, str], ...]) -> str:
    return ",".join([f"[{_string(k)},{_string(v)}]" for k, v in pairs])


if _known(Notification, "key", "kind", "role", "recipient", "subject", "at", "payload"):
    FAST[Notification] = _notification_text
if _known(AuditEntry, "seq", "record", "prev_hash", "hash") and _known(
    AuditRecord, "at", "actor", "action", "subject", "data"
):
    FAST[AuditEntry] = lambda value: _dumps_json(_audit_entry(value))


def plan_body(p: Plan, filed_at: int, start: int, end: int) -> str:
    """``dumps(p)``, given ``micros`` of its filing instant and window (its row stores them)."""
    if type(p) is Plan and FAST.get(Plan) is _plan:
        return _plan_text(p, filed_at, start, end)
    return dumps(p)


def inspection_body(i: Inspection, created_at: int, start: int) -> str:
    """``dumps(i)``, given ``micros`` of its creation and window start (its row stores them)."""
    if type(i) is Inspection and FAST.get(Inspection) is _inspection_text:
        return _inspection_body(i, created_at, start)
    return dumps(i)


def notification_row(n: Notification) -> tuple[str, str, int]:
    """The key, ``dumps(n)`` and ``micros(n.at)`` of ``n`` (an outbox row), its instant encoded once."""
    at = micros(n.at)
    if type(n) is Notification and FAST.get(Notification) is _notification_text:
        return n.key, _notification_body(n, at), at
    return n.key, dumps(n), at


def notification_rows(notifications: Sequence[Notification]) -> list[tuple[str, str, int]]:
    """`notification_row` of each of ``notifications``; a payload equal to the one before
    it (a plan's notifications to its several recipients) is encoded once."""
    if FAST.get(Notification) is not _notification_text:
        return [(n.key, dumps(n), micros(n.at)) for n in notifications]
    rows = []
    last: object = None
    text = ""
    # What the notification before had (a plan's share their kind, instant and payload):
    # its kind and role's JSON, its instant and that instant's microseconds.
    kind: object = None
    role: object = None
    head = ""
    when: object = None
    at = 0
    string = _string
    for n in notifications:
        if type(n) is not Notification:
            rows.append(notification_row(n))
            continue
        pairs = n.payload
        if pairs != last:
            last, text = pairs, _payload(pairs)
        if n.kind is not kind or n.role is not role:
            kind, role = n.kind, n.role
            head = f'"kind":{string(n.kind)},"role":{string(n.role._value_)}'
        if n.at is not when:
            when, at = n.at, micros(n.at)
        # `_notification_body`'s text, written in place.
        body = (
            f'{{"key":{string(n.key)},{head},"recipient":{string(n.recipient)},'
            f'"subject":{string(n.subject)},"at":{at},"payload":[{text}]}}'
        )
        rows.append((n.key, body, at))
    return rows


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


#: the standard library's scanner, called directly: ``json.loads`` without its wrapper.
_scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(cast(Any, json.JSONDecoder()))


def _parse(text: str | bytes) -> Any:
    """``json.loads(text)``, a third faster on text that is one JSON value and nothing else
    (what the store writes); anything else (bytes, blanks, errors) is left to ``json.loads``."""
    if type(text) is str:
        try:
            data, end = _scan(text, 0)
        except Exception:  # not a value at the start: json.loads raises what it raises
            return json.loads(text)
        if end == len(text):
            return data
    return json.loads(text)


def loads(text: str | bytes, kind: type[T]) -> T:
    """The value of type ``kind`` whose JSON text is ``text``.

    The kinds in `FAST_LOADS` are built by hand; a body of any other shape than the one
    `dumps` writes (a key missing, as in a body an older version wrote, a value of another
    type, a check failing) goes to cattrs, which gives the same value or raises what it
    always raised.
    """
    data: Any = _parse(text)
    fast = FAST_LOADS.get(kind)
    if fast is not None:
        try:
            made: T = fast(data)
        except Exception:  # any surprise: cattrs decides, and raises what it must
            pass
        else:
            return made
    return _converter.structure(data, kind)


def loads_slow(text: str | bytes, kind: type[T]) -> T:
    """The value cattrs gives (what :func:`loads` must equal; for tests)."""
    data: Any = json.loads(text)
    return _converter.structure(data, kind)


# Hand-written decoders (JSON dict to value), for the bodies a bulk chunk preloads by the
# thousand (enterprises, open plans and visits, quiet slots, results). Each builds the value with the class's
# trusted builder from values it has checked to be exactly what cattrs and the converters
# would make of them (strings, sorted distinct names, members, integer microseconds, a
# window whose start is before its end; texts, identifiers and credit codes through the
# model's own checks). Anything else raises here, and `loads` hands the body to cattrs.


class _Unexpected(Exception):
    """A body of another shape than the one `dumps` writes."""


def _text(value: object) -> str:
    if type(value) is not str:
        raise _Unexpected
    return value


def _optional_text(value: object) -> str | None:
    if value is not None and type(value) is not str:
        raise _Unexpected
    return value


#: instants already decoded, by microseconds: the bodies a chunk reads share a few (the
#: chunk's filing time, the days' windows), and an instant is immutable. Bounded by clearing.
_INSTANTS: dict[int, pendulum.DateTime] = {}


def _instant(value: object) -> pendulum.DateTime:
    if type(value) is not int:  # not bool, float or text: cattrs would convert those
        raise _Unexpected
    return instant(value)


def instant(value: int) -> pendulum.DateTime:
    """``from_micros(value)``, an instant decoded lately shared (instants are immutable)."""
    made = _INSTANTS.get(value)
    if made is None:
        if len(_INSTANTS) >= 4096:
            _INSTANTS.clear()
        made = _INSTANTS[value] = from_micros(value)
    return made


def _texts(value: object) -> tuple[str, ...]:
    if type(value) is not list:
        raise _Unexpected
    for element in value:
        if type(element) is not str:
            raise _Unexpected
    return tuple(value)


def _names(value: object) -> tuple[str, ...]:
    """A list of distinct sorted strings as the tuple the models' converters keep as it is."""
    if type(value) is not list:
        raise _Unexpected
    names = tuple(value)
    if not sorted_names(names):
        raise _Unexpected
    return names


def _members(kind: type[E]) -> Callable[[object], E]:
    by_value: dict[object, E] = {member.value: member for member in kind}

    def to_member(value: object) -> E:
        if type(value) is not str or value not in by_value:
            raise _Unexpected
        return by_value[value]

    return to_member


_inspection_kind = _members(InspectionKind)
_plan_status = _members(PlanStatus)
_inspection_status = _members(InspectionStatus)
_credit_class = _members(CreditClass)
_crs = _members(CoordinateSystem)
_build_window = builder(Window)
_build_plan = builder(Plan)
_build_inspection = builder(Inspection)
_build_enterprise = builder(Enterprise)
_build_geo = builder(GeoPoint)


def _window(value: object) -> Window:
    if type(value) is not dict:
        raise _Unexpected
    start, end = _instant(value["start"]), _instant(value["end"])
    if not start < end:  # Window's own check: a corrupt row's error comes from cattrs
        raise _Unexpected
    return _build_window(start=start, end=end)


def _load_plan(d: Any) -> Plan:
    if type(d) is not dict:
        raise _Unexpected
    key = d["idempotency_key"]
    return _build_plan(
        id=_text(d["id"]),
        enterprise=_text(d["enterprise"]),
        department=_text(d["department"]),
        items=_names(d["items"]),
        inspectors=_names(d["inspectors"]),
        window=_window(d["window"]),
        kind=_inspection_kind(d["kind"]),
        filed_at=_instant(d["filed_at"]),
        status=_plan_status(d["status"]),
        inspection_id=_optional_text(d["inspection_id"]),
        approvals=_texts(d["approvals"]),
        reason=validation.text(d["reason"], "reason"),
        approved_by=_texts(d["approved_by"]),
        idempotency_key=None if key is None else validation.identifier(key, "idempotency_key"),
    )


def _load_inspection(d: Any) -> Inspection:
    if type(d) is not dict:
        raise _Unexpected
    completed_at = d["completed_at"]
    return _build_inspection(
        id=_text(d["id"]),
        enterprise=_text(d["enterprise"]),
        lead_department=_text(d["lead_department"]),
        plan_ids=_names(d["plan_ids"]),
        departments=_names(d["departments"]),
        items=_names(d["items"]),
        inspectors=_names(d["inspectors"]),
        window=_window(d["window"]),
        kind=_inspection_kind(d["kind"]),
        created_at=_instant(d["created_at"]),
        status=_inspection_status(d["status"]),
        successor=_optional_text(d["successor"]),
        reservation_id=_optional_text(d["reservation_id"]),
        completed_at=None if completed_at is None else _instant(completed_at),
    )


def _degrees(value: object, limit: float) -> float:
    # a float in range (NaN and infinities fail the comparison); an int goes to cattrs,
    # which makes it a float.
    if type(value) is not float or not -limit <= value <= limit:
        raise _Unexpected
    return value


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise _Unexpected
    return value


def _load_enterprise(d: Any) -> Enterprise:
    if type(d) is not dict:
        raise _Unexpected
    site = d["site"]
    if type(site) is not dict:
        raise _Unexpected
    code = d["credit_code"]
    if validate_credit_code(code) != code:  # a code not already normalised: the converter's work
        raise _Unexpected
    return _build_enterprise(
        credit_code=code,
        name=validation.name(d["name"], "name"),
        site=_build_geo(lat=_degrees(site["lat"], 90.0), lon=_degrees(site["lon"], 180.0), crs=_crs(site["crs"])),
        credit_class=_credit_class(d["credit_class"]),
        whitelisted=_flag(d["whitelisted"]),
        key_supervision=_flag(d["key_supervision"]),
    )


def _day(value: object) -> dt.date:
    if type(value) is not str:
        raise _Unexpected
    return dt.date.fromisoformat(value)  # what cattrs calls on text


def _load_quiet_slot(d: Any) -> QuietSlot:
    if type(d) is not dict:
        raise _Unexpected
    return _build_quiet_slot(
        id=_text(d["id"]),
        enterprise=_text(d["enterprise"]),
        start=_day(d["start"]),
        end=_day(d["end"]),
        reason=_text(d["reason"]),
        declared_at=_instant(d["declared_at"]),
    )


def _load_result(d: Any) -> ResultRecord:
    if type(d) is not dict:
        raise _Unexpected
    evidence, acknowledged_at, acknowledged_by = d["evidence"], d["acknowledged_at"], d["acknowledged_by"]
    if type(evidence) is not list:
        raise _Unexpected
    return _build_result(
        id=_text(d["id"]),
        inspection_id=_text(d["inspection_id"]),
        enterprise=_text(d["enterprise"]),
        department=_text(d["department"]),
        inspector_id=_text(d["inspector_id"]),
        item=_text(d["item"]),
        outcome=_outcome(d["outcome"]),
        note=validation.text(d["note"], "note"),
        evidence=validation.text_sequence(evidence, "evidence"),
        recorded_at=_instant(d["recorded_at"]),
        responsible_department=_text(d["responsible_department"]),
        guidance=_flag(d["guidance"]),
        acknowledged_at=None if acknowledged_at is None else _instant(acknowledged_at),
        acknowledged_by=None if acknowledged_by is None else validation.text(acknowledged_by, "signer"),
    )


_outcome = _members(Outcome)
_build_quiet_slot = builder(QuietSlot)
_build_result = builder(ResultRecord)

#: Hand-written decoders (JSON value to value), keyed by exact class, for the classes whose
#: fields still match.
FAST_LOADS: dict[Any, Callable[[Any], Any]] = {}
if Plan in FAST:
    FAST_LOADS[Plan] = _load_plan
if Inspection in FAST:
    FAST_LOADS[Inspection] = _load_inspection
if _known(Enterprise, "credit_code", "name", "site", "credit_class", "whitelisted", "key_supervision") and _known(
    GeoPoint, "lat", "lon", "crs"
):
    FAST_LOADS[Enterprise] = _load_enterprise
if _known(QuietSlot, "id", "enterprise", "start", "end", "reason", "declared_at"):
    FAST_LOADS[QuietSlot] = _load_quiet_slot
if _known(ResultRecord, "id", "inspection_id", "enterprise", "department", "inspector_id", "item", "outcome",
          "note", "evidence", "recorded_at", "responsible_department", "guidance", "acknowledged_at",
          "acknowledged_by"):  # fmt: skip
    FAST_LOADS[ResultRecord] = _load_result
if not _known(Window, "start", "end"):
    FAST_LOADS.clear()  # every decoder above builds windows
