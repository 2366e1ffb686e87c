"""The notification catalogue: every kind the engine emits, who hears it, what it carries,
and how it reads in Chinese and English.

Each `Notice` names the recipient roles, the payload keys with their `Field` type, and
three templates per language: ``short`` (SMS, instant-message robots), ``subject`` and
``body`` (e-mail). `render` fills them from a `Notification`: instants shown in the policy
zone, departments, enterprises, inspectors and items shown by name through a `NameLookup`
(codes when a name is unknown), enumerations shown as words of the language.

Some outbox rows are bundles (`BUNDLES`, module ``bundles``): sent to no one, the relay
expands them (`expand`) into notifications of catalogued kinds.

A test scans the engine for ``notify("kind", ...)`` calls and fails when a kind or a payload
key is missing here; another renders every kind in both languages. The table in
``docs/notifications.md`` is `catalogue_markdown` and is checked by a test.

The package holds the types (``_types``), the entries by capability area (``visits``,
``rectification``, ``enforcement``, ``fieldwork``) gathered in ``catalogue``, the name
lookups (``names``), rendering (``rendering``) and the Markdown table (``markdown``).
"""

from jointinspect.notices._types import F, Field, Lang, Notice, RenderedNotice
from jointinspect.notices.bundles import BUNDLES, Bundle, expand, expand_all
from jointinspect.notices.catalogue import CATALOGUE, GENERIC, notice_for
from jointinspect.notices.markdown import catalogue_markdown
from jointinspect.notices.names import NameLookup, NoNames, StoreNames, names_from_store
from jointinspect.notices.rendering import render, role_label, template_fields

__all__ = [
    "BUNDLES",
    "CATALOGUE",
    "GENERIC",
    "Bundle",
    "F",
    "Field",
    "Lang",
    "NameLookup",
    "NoNames",
    "Notice",
    "RenderedNotice",
    "StoreNames",
    "catalogue_markdown",
    "expand",
    "expand_all",
    "names_from_store",
    "notice_for",
    "render",
    "role_label",
    "template_fields",
]
