"""The notification catalogue's types: how a payload value is shown (`Field`), one catalogued
kind (`Notice`) and a notification rendered in one language (`RenderedNotice`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Literal

import attrs

from jointinspect.model.notification import Role

Lang = Literal["zh", "en"]


class Field(enum.StrEnum):
    """How a payload value is shown."""

    TEXT = "text"  # free text written by a person, shown as given
    ID = "id"  # an id or code, shown as given
    NUMBER = "number"
    TIME = "time"  # an ISO-8601 instant, shown in the policy zone
    ENTERPRISE = "enterprise"  # credit code -> enterprise name
    DEPARTMENT = "department"  # department code -> name
    DEPARTMENTS = "departments"  # comma-separated department codes -> names
    INSPECTOR = "inspector"  # inspector id -> name
    ITEM = "item"  # supervision item code -> name
    KIND = "kind"  # InspectionKind value -> words
    REASON = "reason"  # ComplaintReason value -> words
    RATER = "rater"  # "anonymous" or an enterprise credit code


#: Short alias of `Field`, as the catalogue entries write it.
F = Field


@attrs.frozen
class Notice:
    """One catalogued notification kind.

    Attributes:
        kind: the notification kind, e.g. ``"plan.filed"``.
        roles: the roles that receive it by default.
        role_policy: when not empty, the policy setting that chooses the role instead.
        fields: payload key -> how it is shown.
        subject_field: how the notification's subject (an id) is shown.
        short: (zh, en) one-line text for SMS and robots.
        title: (zh, en) e-mail subject.
        body: (zh, en) fuller e-mail body.
    """

    kind: str
    roles: tuple[Role, ...]
    fields: Mapping[str, Field]
    short: tuple[str, str]
    title: tuple[str, str]
    body: tuple[str, str]
    subject_field: Field = Field.ID
    role_policy: str = ""


@attrs.frozen
class RenderedNotice:
    """A notification rendered in one language."""

    lang: Lang
    short: str
    subject: str
    body: str
