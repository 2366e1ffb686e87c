"""Messages someone must hear, handed to the notification port with an idempotency key."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs
import pendulum

from jointinspect import validation as v
from jointinspect.errors import ValidationError
from jointinspect.model._enums import member
from jointinspect.model._trusted import builder
from jointinspect.timeutil import utc


class Role(enum.StrEnum):
    """Who receives a notification."""

    DEPARTMENT = "department"
    LEGAL_OFFICE = "legal_office"  # the department's 政策法规科室
    SUPERVISOR = "supervisor"  # judicial administration (司法行政部门)
    DISCIPLINE = "discipline"  # discipline inspection commission (纪委监委)
    ENTERPRISE = "enterprise"
    INSPECTOR = "inspector"


def _frozen_payload(value: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    if isinstance(value, tuple):
        return value
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _to_role(value: object) -> Role:
    if type(value) is Role:  # already a member (most values): skip building the converter
        return value
    return member(Role, "role")(value)


#: Longest idempotency key: what every store indexes (VARCHAR(255)) and every broker carries.
KEY_MAX_LEN = 255


def _key(value: object, field: str) -> str:
    key = v.text(value, field, max_len=KEY_MAX_LEN)
    if not key:
        raise ValidationError("input.text_empty", field=field)
    return key


def _key_key(value: object) -> str:
    return _key(value, "key")


def checked_key(value: object) -> str:
    """``value`` if it is a notification's idempotency key (what the ``key`` converter
    checks: text of 1 to `KEY_MAX_LEN` characters without NUL or lone surrogates).

    Raises:
        ValidationError: as `Notification` raises for its key.
    """
    if type(value) is str and 0 < len(value) <= KEY_MAX_LEN and value.isascii() and "\x00" not in value:
        return value  # what `_key` returns for it (every key the engine makes is ASCII)
    return _key(value, "key")


@attrs.frozen
class Notification:
    """One message. ``key`` is the idempotency key: delivering twice must have one effect.

    ``payload`` holds string pairs so that every store and every message system can carry
    it unchanged.
    """

    key: str = attrs.field(converter=_key_key)
    kind: str
    role: Role = attrs.field(converter=_to_role)
    recipient: str
    subject: str
    at: pendulum.DateTime = attrs.field(converter=utc)
    payload: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_frozen_payload)

    def data(self) -> dict[str, str]:
        """The payload as a dict."""
        return dict(self.payload)

    @classmethod
    def checked(
        cls,
        key: str,
        kind: str,
        role: Role,
        recipient: str,
        subject: str,
        at: pendulum.DateTime,
        payload: tuple[tuple[str, str], ...],
    ) -> Notification:
        """A notification the engine builds by the thousand (the licence sweep) from values
        whose types are already right: a `Role`, a UTC instant, string pairs sorted by key.
        Only the key is checked (its length, what every store indexes); the rest is
        built without the converters."""
        if not 0 < len(key) <= KEY_MAX_LEN or type(at) is not pendulum.DateTime or at.tzinfo is not pendulum.UTC:
            return cls(key, kind, role, recipient, subject, at, dict(payload))  # the converters decide
        return builder(cls)(key=key, kind=kind, role=role, recipient=recipient, subject=subject, at=at, payload=payload)
