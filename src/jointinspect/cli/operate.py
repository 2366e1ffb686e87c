"""The operator's commands: schema, import, approvals, codes, check-in, delivery, upkeep, keys."""

from __future__ import annotations

import importlib
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import attrs

from jointinspect.auth import Principal
from jointinspect.cli import keys as keys_commands
from jointinspect.cli._run import _SQL, UsageError, _LineNotifier, _principal, _rich, _Run
from jointinspect.cli.listing import approvals_list
from jointinspect.codes.keys import SEED_ENV, check_seed, key_id_for
from jointinspect.importing import ImportReport, count_rows, import_plans, import_reference
from jointinspect.model.reference import GeoPoint


def _init(run: _Run) -> int:
    url = run.store_url()
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    migrated = False
    if scheme in _SQL:
        migrate = importlib.import_module("jointinspect_sqlalchemy")
        migrate.upgrade(url)
        migrated = True
    else:
        run.engine()  # memory://: nothing to create; an unknown scheme is refused here
    run.emit({"store": url, "migrated": migrated}, "schema up to date" if migrated else "nothing to migrate")
    return 0


def _check_report_path(run: _Run) -> None:
    """Refuse an unwritable ``--report`` before importing: a failure after the rows were
    applied would leave them applied with no report of what happened."""
    if not run.args.report:
        return
    target = Path(run.args.report)
    if target.suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"--report {target}: the row report is written as .csv or .json")
    if target.is_dir() or not target.parent.is_dir():
        raise UsageError(f"--report {target}: not a file in an existing folder")
    if not os.access(target if target.exists() else target.parent, os.W_OK):
        raise UsageError(f"--report {target}: cannot be written here")


def _report(run: _Run, report: ImportReport) -> int:
    if run.args.report:
        report.write(run.args.report, run.lang)
    rich = _rich()
    if run.args.json:
        run.emit(report.to_json(run.lang), "")
    elif rich is not None and report.refused:
        table_mod = importlib.import_module("rich.table")
        table = table_mod.Table("kind", "row", "field", "code", "message")
        for e in report.refused:
            table.add_row(e.kind, str(e.row), e.field, e.code, e.message(run.lang))
        importlib.import_module("rich.console").Console().print(table)
        print(f"applied {len(report.applied)}, refused {len(report.refused)}")
    else:
        for e in report.refused:
            print(f"{e.kind} row {e.row} {e.field} [{e.code}] {e.message(run.lang)}")
        print(f"applied {len(report.applied)}, refused {len(report.refused)}")
    return 0 if report.ok else 1


def _with_progress(run: _Run, total: int, work: Callable[[Callable[[int], None] | None], ImportReport]) -> ImportReport:
    rich = _rich()
    if rich is None or run.args.json or total < 2:
        return work(None)
    progress_mod = importlib.import_module("rich.progress")
    console = importlib.import_module("rich.console").Console(stderr=True)
    with progress_mod.Progress(console=console, transient=True) as progress:
        task = progress.add_task("import", total=total)
        return work(lambda n: progress.advance(task, n))


def _import_reference(run: _Run) -> int:
    _check_report_path(run)
    engine = run.engine()
    total = count_rows(run.args.file, run.args.kind)
    report = _with_progress(
        run, total, lambda p: import_reference(engine, run.args.file, by=run.by, kind=run.args.kind, progress=p)
    )
    return _report(run, report)


def _import_plans(run: _Run) -> int:
    _check_report_path(run)
    engine = run.engine()
    by = _principal(run.args.principal) if run.args.principal else Principal.officer(run.args.department)
    total = count_rows(run.args.file, "plans" if Path(run.args.file).suffix.lower() != ".json" else None)
    report = _with_progress(
        run,
        total,
        lambda p: import_plans(engine, run.args.file, by=by, department=run.args.department, progress=p),
    )
    return _report(run, report)


def _approval(run: _Run, approve: bool) -> int:
    if run.args.as_legal_office:
        by = Principal.legal_office(run.args.as_legal_office)
    elif run.args.as_supervisor:
        by = Principal.supervisor()
    else:
        by = run.by
    outcome = run.engine().approve_plan(run.args.plan_id, run.args.role, approve=approve, reason=run.args.reason, by=by)
    status = str(outcome.status)
    run.emit({"plan": outcome.plan.id, "status": status, "approvals": list(outcome.plan.approvals)}, status)
    return 0


def _codes_issue(run: _Run) -> int:
    issued = run.engine().issue_inspection_code(run.args.inspection_id, by=run.by)
    data = {"token": issued.token, "token_id": issued.token_id, "expires_at": issued.expires_at.isoformat()}
    run.emit(data, issued.token)
    return 0


def _codes_enterprise(run: _Run) -> int:
    issued = run.engine().issue_enterprise_code(run.args.credit_code, by=run.by)
    data = {"token": issued.token, "token_id": issued.token_id, "expires_at": issued.expires_at.isoformat()}
    run.emit(data, issued.token)
    return 0


def _codes_verify(run: _Run) -> int:
    view = run.engine().describe_code(run.args.token, by=run.by)
    data = attrs.asdict(view)
    run.emit(json.loads(json.dumps(data, default=str)), f"{view.inspection_id} {view.enterprise} {view.status}")
    return 0


def _codes_render(run: _Run) -> int:
    from jointinspect.codes.qr import qr_png, qr_svg  # noqa: PLC0415

    written = []
    if run.args.svg:
        Path(run.args.svg).write_text(qr_svg(run.args.token), encoding="utf-8")
        written.append(run.args.svg)
    if run.args.png:
        Path(run.args.png).write_bytes(qr_png(run.args.token))
        written.append(run.args.png)
    if not written:
        raise UsageError("codes render: give --svg FILE and/or --png FILE")
    run.emit({"written": written}, " ".join(written))
    return 0


def _checkin(run: _Run) -> int:
    by = Principal.inspector(run.args.inspector, department=run.args.department)
    visit = run.engine().check_in(run.args.token, GeoPoint(run.args.lat, run.args.lon), run.args.enterprise_code, by=by)
    run.emit({"visit": visit.id, "inspection": visit.inspection_id, "scanned": visit.scanned}, visit.id)
    return 0


def _deliver(run: _Run) -> int:
    target = run.args.to
    with open(target, "a", encoding="utf-8") if target != "-" else _stderr() as out:
        count = run.engine(notifier=_LineNotifier(out)).deliver_notifications(run.args.batch, by=run.by)
    run.emit({"delivered": count}, f"delivered {count}")
    return 0


class _stderr:  # noqa: N801 - a context manager standing in for open()
    def __enter__(self) -> TextIO:
        return sys.stderr

    def __exit__(self, *exc: object) -> None:
        return None


def _sweep(run: _Run) -> int:
    overdue = run.engine().sweep_overdue(by=run.by)
    run.emit({"overdue": [r.id for r in overdue]}, f"overdue {len(overdue)}")
    return 0


def _prune(run: _Run) -> int:
    import pendulum  # noqa: PLC0415

    retention = pendulum.duration(days=run.args.retention_days) if run.args.retention_days else None
    report = run.engine().prune(by=run.by, retention=retention)
    data = {"before": report.before.isoformat(), "outbox": report.outbox, "replay_keys": report.replay_keys}
    run.emit(data, f"pruned outbox {report.outbox}, replay keys {report.replay_keys}")
    return 0


def _audit_verify(run: _Run) -> int:
    if (run.args.expected_seq is None) != (run.args.expected_hash is None):
        raise UsageError("audit verify: give both --expected-seq and --expected-hash, or neither")
    expected = None if run.args.expected_seq is None else (run.args.expected_seq, run.args.expected_hash)
    length = run.engine().verify_audit(by=run.by, expected_head=expected)
    run.emit({"verified": length}, f"audit chain intact: {length} entries")
    return 0


def _keys_generate(run: _Run) -> int:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: PLC0415

    seed = check_seed(secrets.token_bytes(32))
    key_id = key_id_for(Ed25519PrivateKey.from_private_bytes(seed))
    line = f"{key_id} {seed.hex()}"
    run.emit({"env": SEED_ENV, "key_id": key_id, "line": line}, f"{SEED_ENV}='{line}'")
    return 0


def register(sub: Any) -> None:
    """Add these commands to the ``jointinspect`` parser."""
    sub.add_parser("init", help="create or upgrade the schema").set_defaults(func=_init)
    sub.add_parser("migrate", help="same as init").set_defaults(func=_init)

    imp = sub.add_parser("import", help="import reference data or plans").add_subparsers(dest="what", required=True)
    ref = imp.add_parser("reference", help="departments, items, scenarios, inspectors, enterprises")
    ref.add_argument("file")
    ref.add_argument("--kind", help="what a single-table file holds (default: from its name)")
    ref.add_argument("--report", help="write the row report (.csv or .json)")
    ref.set_defaults(func=_import_reference)
    plans = imp.add_parser("plans", help="file plans as an officer of DEPT")
    plans.add_argument("file")
    plans.add_argument("--as", dest="department", required=True, metavar="DEPT")
    plans.add_argument("--report", help="write the row report (.csv or .json)")
    plans.set_defaults(func=_import_plans)

    appr = sub.add_parser("approvals", help="whitelist approvals").add_subparsers(dest="what", required=True)
    for name, approve in (("approve", True), ("reject", False)):
        a = appr.add_parser(name)
        a.add_argument("plan_id")
        a.add_argument("--role", help="supervisor or legal_office (default: the one still needed)")
        a.add_argument("--reason", default="")
        who = a.add_mutually_exclusive_group()
        who.add_argument("--as-supervisor", action="store_true")
        who.add_argument("--as-legal-office", metavar="DEPT")
        a.set_defaults(func=lambda run, approve=approve: _approval(run, approve))
    approvals_list(appr)  # pending approvals (cli/listing.py)

    codes = sub.add_parser("codes", help="inspection codes").add_subparsers(dest="what", required=True)
    issue = codes.add_parser("issue")
    issue.add_argument("inspection_id")
    issue.set_defaults(func=_codes_issue)
    ent = codes.add_parser("enterprise", help="the standing enterprise code posted at the gate")
    ent.add_argument("credit_code")
    ent.set_defaults(func=_codes_enterprise)
    verify = codes.add_parser("verify")
    verify.add_argument("token")
    verify.set_defaults(func=_codes_verify)
    render = codes.add_parser("render")
    render.add_argument("token")
    render.add_argument("--svg")
    render.add_argument("--png")
    render.set_defaults(func=_codes_render)

    chk = sub.add_parser("checkin", help="check an inspector in (for testing a gate)")
    chk.add_argument("token")
    chk.add_argument("--inspector", required=True)
    chk.add_argument("--department", required=True)
    chk.add_argument("--lat", type=float, required=True)
    chk.add_argument("--lon", type=float, required=True)
    chk.add_argument("--enterprise-code")
    chk.set_defaults(func=_checkin)

    dlv = sub.add_parser("deliver", help="relay due notifications as JSON lines")
    dlv.add_argument("--to", default="-", help="file to append to (default: stderr)")
    dlv.add_argument("--batch", type=int, default=100)
    dlv.set_defaults(func=_deliver)
    sub.add_parser("sweep", help="mark overdue rectifications").set_defaults(func=_sweep)
    prn = sub.add_parser("prune", help="delete delivered notifications and expired one-time keys")
    prn.add_argument("--retention-days", type=int)
    prn.set_defaults(func=_prune)

    aud = sub.add_parser("audit", help="audit trail").add_subparsers(dest="what", required=True)
    av = aud.add_parser("verify")
    av.add_argument("--expected-seq", type=int)
    av.add_argument("--expected-hash")
    av.set_defaults(func=_audit_verify)

    keys = sub.add_parser("keys", help="signing keys").add_subparsers(dest="what", required=True)
    keys.add_parser("generate", help=f"print a fresh seed line for ${SEED_ENV}").set_defaults(func=_keys_generate)
    keys_commands.register(keys)  # rotate, retire
