"""Outbox rows of a bulk chunk's staged notifications (issue 11), written from their values.

A chunk stages ~3 notifications a plan, and their payloads repeat: a plan's filing record
goes to two recipients, a joint visit's notice to each of its departments, each with the
very same values. A payload whose keys and values are the very objects of the one before
(identity, not equality: ``1``, ``1.0`` and ``True`` are equal but written differently)
has that one's text; any other is written by a function made once per shape (its keys, in
the order given) that puts the pairs in key order without sorting them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import is_
from typing import cast

import pendulum

from jointinspect.model.notification import Notification
from jointinspect.staged import StagedNotification
from jointinspect.staged import notifications as staged_notifications
from jointinspect.staged import payload as staged_payload
from jointinspect_sqlalchemy import codec

#: A payload shape's writer: its keys (the very objects) and the function of its values.
_Writer = tuple[tuple[str, ...], Callable[..., str]]

#: Writers by payload shape: a chunk's notifications come from a few call sites, so their
#: payloads have a few shapes (at most `_WRITERS_KEPT`, bounded by clearing).
_WRITERS: dict[tuple[str, ...], _Writer] = {}
_WRITERS_KEPT = 256


def payload_text(values: Mapping[str, object]) -> str:
    """The JSON of a staged payload's pairs, as a `Notification` of it writes them (the
    text between its payload's brackets): ``codec._payload(staged.payload(values))``."""
    if type(values) is dict:
        keys = tuple(values)
        found = _WRITERS.get(keys)
        if found is None and all(type(key) is str for key in keys):
            found = _writer(keys)
        # Equal keys of another type (a str subclass) are the slow path's: it writes their str.
        if found is not None and all(map(is_, keys, found[0])):
            return found[1](*values.values())
    return codec._payload(staged_payload(values))


def _writer(keys: tuple[str, ...]) -> _Writer:
    """A writer for payloads of exactly ``keys`` (plain strings, distinct: a dict's), kept."""
    if len(_WRITERS) >= _WRITERS_KEPT:
        _WRITERS.clear()
    # The pairs sort by key (distinct plain strings: `str` of each is itself); each value is
    # escaped after `str`, as `staged.payload` then `codec._payload` do. The source names
    # only generated parameters and constants: the keys' JSON is passed as values.
    namespace: dict[str, object] = {"_escape": codec._string, "_str": str}
    parts = []
    for place, i in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
        namespace[f"_open{place}"] = f"[{codec._string(keys[i])},"
        parts.append(f"{{_open{place}}}{{_escape(_str(v{i}))}}]")
    source = f"def write({', '.join(f'v{i}' for i in range(len(keys)))}):\n    return f'{','.join(parts)}'\n"
    exec(source, namespace)
    write = cast(Callable[..., str], namespace["write"])
    made = _WRITERS[keys] = (keys, write)
    return made


def staged_notification_rows(at: pendulum.DateTime, staged: Sequence[StagedNotification]) -> list[tuple[str, str, int]]:
    """`codec.notification_rows` of `jointinspect.staged.notifications` ``(at, staged)``,
    without building the notifications: their bodies written from the staged values (keys
    and roles checked when staged), a payload of the very values of the one before written
    once (see the module docstring)."""
    if (
        codec.FAST.get(Notification) is not codec._notification_text
        or type(at) is not pendulum.DateTime
        or at.tzinfo is not pendulum.UTC
    ):
        return codec.notification_rows(staged_notifications(at, staged))  # the converters decide
    rows = []
    when = codec.micros(at)
    last: Mapping[str, object] | None = None
    text = ""
    kind: object = None
    role: object = None
    head = ""
    string = codec._string
    for key, kind_now, role_now, recipient, subject, values in staged:
        if not (
            last is not None
            and len(values) == len(last)
            and all(map(is_, values.values(), last.values()))
            and all(map(is_, values, last))
        ):
            text = payload_text(values)
        last = values
        if kind_now is not kind or role_now is not role:
            kind, role = kind_now, role_now
            head = f'"kind":{string(kind_now)},"role":{string(role_now._value_)}'
        # `codec._notification_body`'s text, written in place.
        body = (
            f'{{"key":{string(key)},{head},"recipient":{string(recipient)},'
            f'"subject":{string(subject)},"at":{when},"payload":[{text}]}}'
        )
        rows.append((key, body, when))
    return rows
