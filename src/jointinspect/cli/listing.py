"""The operator's listings on the command line (issue 11): ``list <what>`` and
``approvals list``, each a page (``--limit``, ``--offset``) in the Engine's stated order.

Text output is a table (``rich``, the ``cli`` extra) or tab-separated lines; ``--json``
prints ``{"items": [...], "count", "limit", "offset"}``. The principal is ``--as`` (the
system by default), authorized like any Engine call (docs/queries.md).
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from jointinspect.cli._run import _rich, _Run
from jointinspect.engine import Engine
from jointinspect.operations.listing import DEFAULT_LIMIT

#: what -> the columns shown, each a dotted path into the record's JSON form.
COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("credit_code", "name", "credit_class", "whitelisted", "key_supervision"),
    "plans": ("id", "enterprise", "department", "status", "window.start", "window.end", "kind"),
    "approvals": ("id", "enterprise", "department", "window.start", "approvals", "filed_at"),
    "visits": ("id", "enterprise", "lead_department", "departments", "status", "window.start", "window.end"),
    "results": ("id", "item", "department", "outcome", "recorded_at", "acknowledged_at"),
    "rectifications": ("id", "enterprise", "department", "item", "state", "deadline"),
    "complaints": ("id", "enterprise", "inspection_id", "reason", "at"),
    "evaluations": ("inspection_id", "enterprise", "score", "anonymous", "at"),
    "notifications": ("key", "kind", "role", "recipient", "subject", "at"),
    "audit": ("seq", "record.at", "record.actor", "record.action", "record.subject"),
}


def _plain(_: object, __: object, value: Any) -> Any:
    """Attrs value serializer: instants and dates as ISO 8601, enums as values, sets sorted."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def as_json(record: Any) -> dict[str, Any]:
    """One record as plain JSON values (``payload`` pairs become an object)."""
    data: dict[str, Any] = attrs.asdict(record, value_serializer=_plain)
    if "payload" in data:
        data["payload"] = dict(data["payload"])
    return data


def _cell(data: dict[str, Any], path: str) -> str:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _show(run: _Run, what: str, records: Sequence[Any]) -> int:
    items = [as_json(r) for r in records]
    if run.args.json:
        run.emit({"items": items, "count": len(items), "limit": run.args.limit, "offset": run.args.offset}, "")
        return 0
    columns = COLUMNS[what]
    rows = [[_cell(item, c) for c in columns] for item in items]
    rich = _rich()
    if rich is not None:
        table = importlib.import_module("rich.table").Table(*columns, title=f"{what} ({len(rows)})")
        for row in rows:
            table.add_row(*row)
        importlib.import_module("rich.console").Console().print(table)
    else:
        print("\t".join(columns))
        for row in rows:
            print("\t".join(row))
    return 0


def _page(run: _Run) -> dict[str, Any]:
    return {"limit": run.args.limit, "offset": run.args.offset, "by": run.by}


def _range(run: _Run) -> dict[str, Any]:
    return {"since": run.args.since, "until": run.args.until}


Lister = Callable[[Engine, _Run], Sequence[Any]]

_LISTERS: dict[str, Lister] = {
    "enterprises": lambda e, r: e.list_enterprises(
        credit_class=r.args.credit_class, whitelisted=r.args.whitelisted, whitelist=r.args.whitelist, **_page(r)
    ),
    "plans": lambda e, r: e.list_plans(department=r.args.department, status=r.args.status, **_range(r), **_page(r)),
    "approvals": lambda e, r: e.pending_approvals(department=r.args.department, **_range(r), **_page(r)),
    "visits": lambda e, r: e.list_inspections(
        department=r.args.department, enterprise=r.args.enterprise, status=r.args.status, **_range(r), **_page(r)
    ),
    "results": lambda e, r: e.results_of(r.args.inspection_id, **_page(r)),
    "rectifications": lambda e, r: e.list_rectifications(
        department=r.args.department, enterprise=r.args.enterprise, overdue=r.args.overdue, **_page(r)
    ),
    "complaints": lambda e, r: e.list_complaints(enterprise=r.args.enterprise, **_range(r), **_page(r)),
    "evaluations": lambda e, r: e.list_evaluations(enterprise=r.args.enterprise, **_range(r), **_page(r)),
    "notifications": lambda e, r: e.pending_notifications(**_page(r)),
    "audit": lambda e, r: e.audit_entries(
        after_seq=r.args.after_seq, through_seq=r.args.through_seq, limit=r.args.limit, by=r.by
    ),
}


def _command(what: str) -> Callable[[_Run], int]:
    def command(run: _Run) -> int:
        return _show(run, what, _LISTERS[what](run.engine(), run))

    return command


def _whitelisted(text: str) -> bool:
    if text not in ("yes", "no"):
        raise ValueError(text)
    return text == "yes"


def _add(parser: Any, what: str, *options: str, offset: bool = True) -> None:
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="rows per page (1-1000)")
    if offset:
        parser.add_argument("--offset", type=int, default=0, help="rows to skip")
    else:
        parser.set_defaults(offset=0)
    if "department" in options:
        parser.add_argument("--department", metavar="DEPT")
    if "enterprise" in options:
        parser.add_argument("--enterprise", metavar="CREDIT_CODE")
    if "range" in options:
        parser.add_argument("--since", help="ISO 8601 instant with offset (inclusive)")
        parser.add_argument("--until", help="ISO 8601 instant with offset (exclusive)")
    parser.set_defaults(func=_command(what))


def approvals_list(approvals: Any) -> None:
    """Add ``approvals list`` (plans awaiting whitelist approval) to the ``approvals`` group."""
    _add(
        approvals.add_parser("list", help="plans awaiting approval, the earliest window first"),
        "approvals",
        "department",
        "range",
    )


def register(sub: Any) -> None:
    """Add ``list <what>`` to the ``jointinspect`` parser."""
    group = sub.add_parser("list", help="list records a page at a time").add_subparsers(dest="what", required=True)
    ent = group.add_parser("enterprises", help="by credit code")
    ent.add_argument("--credit-class", choices=("A", "B", "C", "D"))
    ent.add_argument("--whitelisted", type=_whitelisted, metavar="yes|no", help="the explicit whitelist flag")
    ent.add_argument("--whitelist", choices=("normal", "limited", "exempt"), help="the mode under the policy")
    _add(ent, "enterprises")
    plans = group.add_parser("plans", help="by window start")
    plans.add_argument("--status", choices=("pending_approval", "active", "rejected", "withdrawn"))
    _add(plans, "plans", "department", "range")
    _add(
        group.add_parser("approvals", help="plans awaiting approval (as approvals list)"),
        "approvals",
        "department",
        "range",
    )
    visits = group.add_parser("visits", help="inspections by window start")
    visits.add_argument("--status", choices=("planned", "in_progress", "completed", "superseded", "cancelled"))
    _add(visits, "visits", "department", "enterprise", "range")
    results = group.add_parser("results", help="the results of one inspection")
    results.add_argument("inspection_id")
    _add(results, "results")
    rect = group.add_parser("rectifications", help="still open, by deadline")
    rect.add_argument("--overdue", action="store_true", help="only those past their deadline")
    _add(rect, "rectifications", "department", "enterprise")
    _add(group.add_parser("complaints", help="by time filed"), "complaints", "enterprise", "range")
    _add(group.add_parser("evaluations", help="ratings by time given"), "evaluations", "enterprise", "range")
    _add(group.add_parser("notifications", help="the pending outbox, in queue order"), "notifications")
    audit = group.add_parser("audit", help="audit entries by sequence number")
    audit.add_argument("--after-seq", type=int, default=0)
    audit.add_argument("--through-seq", type=int)
    _add(audit, "audit", offset=False)
