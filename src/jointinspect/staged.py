"""Audit records and notifications staged as plain values (bulk filing, issue 11).

A bulk chunk stages tens of thousands of each before writing them at once. Building an
`AuditRecord` and a `Notification` for each, then encoding them, costs more than the
values themselves: a store that can take them as they were staged
(`jointinspect.ports.StagedAppends`) builds only its rows, with the functions here, and the
checks the records would have run are made on the way. The same values give the same
entries, bodies and hashes as the records built one by one, and a value a record refuses
raises the same error (`ValidationError`), only later: when the chunk is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring as _string  # the escaping json.dumps uses
from operator import is_
from typing import Any, cast

import pendulum

from jointinspect.audit import AuditEntry, AuditRecord, sealed
from jointinspect.model.notification import Notification, Role

#: An audit record staged by an operation: its action, subject and data (the instant and
#: actor are the operation's, given with the chunk).
StagedRecord = tuple[str, str, Mapping[str, object]]

#: A notification staged by an operation: its key (already checked with
#: `jointinspect.model.notification.checked_key`), kind, role, recipient, subject and
#: payload (its values not yet text; the instant is the operation's).
StagedNotification = tuple[str, str, Role, str, str, Mapping[str, object]]

#: A sealed entry's row: its sequence number, the previous hash, its hash, its
#: `jointinspect.audit.canonical_body` and its action.
SealedRow = tuple[int, str, str, str, str]


def records(at: pendulum.DateTime, actor: str, staged: Sequence[StagedRecord]) -> list[AuditRecord]:
    """The records ``staged`` stands for (what a store without `StagedAppends` appends).

    Raises:
        ValidationError: ``audit.value_invalid``, as `AuditRecord.checked` raises.
    """
    return [AuditRecord.checked(at, actor, action, subject, data) for action, subject, data in staged]


def sealed_rows(
    at: pendulum.DateTime, actor: str, staged: Sequence[StagedRecord], seq: int, prev_hash: str
) -> tuple[list[SealedRow], list[AuditEntry]]:
    r"""`jointinspect.audit.sealed_many` of `records` ``(at, actor, staged)``, the first at
    ``seq + 1`` after ``prev_hash``, without building the records: each entry's row, and
    the first and last entries (for the audit anchors; ``[]`` for none).

    Each record's values are checked as `AuditRecord.checked` checks them: their types
    here, and the text ones (no NUL character, no lone surrogate) on the body written,
    where the escaping turns a NUL into ``\u0000`` and a lone surrogate stops the UTF-8
    encoding the hash needs anyway. A record in any doubt (a value of another type, a
    text refused, or merely looking so) is built by `AuditRecord.checked`, which refuses
    what it must and otherwise gives the same body.

    Raises:
        ValidationError: ``audit.value_invalid``, as `AuditRecord.checked` raises.
    """
    rows: list[SealedRow] = []
    if not staged:
        return rows, []
    first = seq + 1
    sha256, string = hashlib.sha256, _string
    # The instant and actor are the chunk's: checked (and put in JSON) once.
    fast = type(at) is pendulum.DateTime and at.tzinfo is pendulum.UTC and type(actor) is str and bool(actor)
    head = f'"actor":{string(actor)},"at":{string(at.isoformat())},' if fast else ""
    prev, prev_text = prev_hash, string(prev_hash)
    for action, subject, data in staged:
        seq += 1
        body = _body(seq, action, subject, data, head, prev_text) if fast else None
        encoded = _utf8(body)
        if body is None or encoded is None:
            _, body = sealed(AuditRecord.checked(at, actor, action, subject, data), seq, prev)
            encoded = body.encode()
        digest = sha256(encoded).hexdigest()
        rows.append((seq, prev, digest, body, action))
        prev, prev_text = digest, f'"{digest}"'
    ends = [rows[0], rows[-1]] if len(rows) > 1 else [rows[0]]
    return rows, [
        AuditEntry(row[0], AuditRecord.checked(at, actor, *staged[row[0] - first]), row[1], row[2]) for row in ends
    ]


def _body(seq: int, action: object, subject: object, data: object, head: str, prev_text: str) -> str | None:
    """The canonical body of a record of the chunk's instant and actor (``head``: their
    JSON) after the hash ``prev_text`` (in JSON) when its values are of the types
    `AuditRecord.checked` takes as they are, else ``None``; its texts are not checked yet,
    but a NUL in one shows in the body as an escape (then ``None`` too).

    Written by its shape's writer (`_Shape`): records come from a few call sites, each
    with its action and keys (the very key objects, which a call site's keywords are)."""
    if type(action) is not str or type(subject) is not str or type(data) is not dict:
        return None
    found = _LAST.get(action)  # the action's last shape: no tuple of the keys to build and hash
    if found is None or len(found[0]) != len(data) or not all(map(is_, data, found[0])):
        keys = tuple(data)
        found = _SHAPES.get((action, keys))
        if found is None:
            if not action or not all(type(key) is str and key for key in keys):
                return None
            found = _shape(action, keys)
        elif not all(map(is_, keys, found[0])):
            return _any_body(seq, action, subject, data, head, prev_text)  # equal keys, other objects
        _LAST[action] = found
    body = found[1](seq, subject, head, prev_text, *data.values())
    return None if body is None or "\\u0000" in body else body


#: A record shape's writer: its keys (the very objects) and the function of the record's
#: sequence number, subject, head, previous hash and values (in the keys' order), which
#: gives ``None`` for a value of a type `_body` does not take.
_Shape = tuple[tuple[str, ...], Callable[..., str | None]]

#: Writers by action and keys (at most `_SHAPES_KEPT`, bounded by clearing).
_SHAPES: dict[tuple[str, tuple[str, ...]], _Shape] = {}
_SHAPES_KEPT = 256
#: The writer used last for each action (cleared with `_SHAPES`).
_LAST: dict[str, _Shape] = {}


class _Refused(Exception):
    """A value of a type `_body` does not take."""


def _value_text(value: object) -> str:
    """A value's text in a body, as `_body` takes it: an int, bool or ``None`` as its str, a
    text enum as its str when that is its text; anything else is `_Refused`."""
    kind = type(value)
    if kind is int or kind is bool or value is None:
        return str(value)
    if isinstance(value, str):
        text = str(value)
        if text == value:
            return text
    raise _Refused


def _shape(action: str, keys: tuple[str, ...]) -> _Shape:
    """The writer of the records of ``action`` with ``keys`` (non-empty plain strings), kept."""
    if len(_SHAPES) >= _SHAPES_KEPT:
        _SHAPES.clear()
        _LAST.clear()
    # The source names only generated parameters and constants: the texts (the action's
    # and the keys' JSON) are passed as values. A text value is taken as it is, any other
    # through `_value_text`; the pairs are written in key order.
    namespace: dict[str, object] = {
        "_escape": _string, "_text": _value_text, "_Refused": _Refused, "_repr": int.__repr__,
        "_action": f'{{"action":{_string(action)},',
    }  # fmt: skip
    values = [f"v{i}" for i in range(len(keys))]
    lines = [f"def write(seq, subject, head, prev_text, {', '.join([*values, ''])}):", "    try:"]
    lines += [f"        t{i} = v{i} if type(v{i}) is str else _text(v{i})" for i in range(len(keys))]
    lines += ["        pass", "    except _Refused:", "        return None"]
    pairs = []
    for place, i in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
        namespace[f"_open{place}"] = f"[{_string(keys[i])},"
        pairs.append(f"{{_open{place}}}{{_escape(t{i})}}]")
    lines.append(
        '    return f\'{_action}{head}"data":[' + ",".join(pairs) + '],"prev":{prev_text},'
        '"seq":{_repr(seq)},"subject":{_escape(subject)}}}\''
    )
    exec("\n".join(lines), namespace)
    made = _SHAPES[(action, keys)] = (keys, cast(Callable[..., str | None], namespace["write"]))
    return made


def _any_body(seq: int, action: str, subject: str, data: dict[Any, Any], head: str, prev_text: str) -> str | None:
    """`_body` of a record of any shape, written pair by pair."""
    try:
        names = sorted(data)  # the keys are distinct: the order of the sorted (key, text) pairs
    except TypeError:
        return None  # keys of several types: not all text
    string, opened = _string, _OPENED
    parts = []
    for key in names:
        if type(key) is not str:
            return None
        value = data[key]
        kind = type(value)
        if kind is str:
            text = value
        elif kind is int or kind is bool or value is None or (isinstance(value, str) and str(value) == value):
            text = str(value)  # a text enum kept as its str: the same text, checked in the body
        else:
            return None
        start = opened.get(key)
        if start is None:
            if not key:
                return None
            start = _opened(key)
        parts.append(f"{start}{string(text)}]")
    body = (
        f'{{"action":{string(action)},{head}"data":[{",".join(parts)}],'
        f'"prev":{prev_text},"seq":{int.__repr__(seq)},"subject":{string(subject)}}}'
    )
    return None if "\\u0000" in body else body


#: A data pair's opening (``[`` and the key in JSON, then ``,``) by key: records take their
#: keys from a few call sites, so each is escaped once, not once a record (at most
#: `_OPENED_KEPT`, bounded by clearing).
_OPENED: dict[str, str] = {}
_OPENED_KEPT = 512


def _opened(key: str) -> str:
    """``key``'s pair opening, kept in `_OPENED`."""
    if len(_OPENED) >= _OPENED_KEPT:
        _OPENED.clear()
    start = _OPENED[key] = f"[{_string(key)},"
    return start


def _utf8(body: str | None) -> bytes | None:
    """``body`` in UTF-8, or ``None`` (for none, or a lone surrogate in it)."""
    if body is None:
        return None
    try:
        return body.encode()
    except UnicodeEncodeError:
        return None


def payload(values: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """A staged notification's payload as its `Notification` keeps it: text pairs sorted."""
    return tuple(sorted([(str(k), str(v)) for k, v in values.items()]))


def notifications(at: pendulum.DateTime, staged: Sequence[StagedNotification]) -> list[Notification]:
    """The notifications ``staged`` stands for (what a store without `StagedAppends` queues)."""
    return [
        Notification.checked(key, kind, role, recipient, subject, at, payload(values))
        for key, kind, role, recipient, subject, values in staged
    ]
