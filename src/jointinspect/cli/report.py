"""``jointinspect report``: the supervision KPIs of a period (`Engine.supervision_report`).

``--from`` and ``--to`` are days in the policy zone (the period is ``[from, to)``: from the
first day's midnight to the last day's), or ISO 8601 instants with an offset. Prints the
city's figures as a table (rich when installed), the whole report with ``--json``, and
writes the per-department, per-month table with ``--csv FILE``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pendulum

from jointinspect import validation as v
from jointinspect.cli._run import _rich, _Run
from jointinspect.kpi import KpiReport

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

#: The city figures shown as a table: (field, English label, Chinese label).
_FIGURES = (
    ("plans_filed", "plans filed", "报备计划"),
    ("advance_notice_compliance", "advance-notice compliance", "提前报备率"),
    ("emergencies_reported", "emergencies reported", "紧急检查报告"),
    ("whitelist_approved", "whitelist approvals", "白名单审批通过"),
    ("joint_visit_rate", "joint-visit rate", "联合检查率"),
    ("visits", "visits", "入企检查"),
    ("repeat_visits_avoided", "repeat visits avoided", "减少重复检查"),
    ("enterprise_code_scan_rate", "enterprise-code scan rate", "扫码入企率"),
    ("median_visit_minutes", "median visit minutes", "检查时长中位数(分钟)"),
    ("frequency_warnings", "over-frequency warnings", "超频次预警"),
    ("rectifications_opened", "rectifications opened", "整改立项"),
    ("rectifications_closed", "rectifications closed", "整改销号"),
    ("rectifications_overdue", "rectifications overdue", "整改逾期"),
    ("median_days_to_close", "median days to close", "整改天数中位数"),
    ("mean_rating", "mean rating", "平均评分"),
)


def _instant(value: str, field: str, zone: str) -> pendulum.DateTime:
    if _DAY.fullmatch(value):
        day = v.day(value, field)
        return pendulum.datetime(day.year, day.month, day.day, tz=zone).in_timezone("UTC")
    return v.instant(value, field)


def _report(run: _Run) -> int:
    engine = run.engine()
    zone = engine.policy.zone
    report = engine.supervision_report(
        _instant(run.args.start, "--from", zone), _instant(run.args.end, "--to", zone), by=run.by
    )
    if run.args.csv:
        Path(run.args.csv).write_text(report.to_csv(), encoding="utf-8")
    if run.args.json:
        print(report.to_json())
        return 0
    _table(run, report)
    return 0


def _table(run: _Run, report: KpiReport) -> None:
    zh = run.lang == "zh"
    rows = [(label_zh if zh else label, _shown(getattr(report, name))) for name, label, label_zh in _FIGURES]
    rich = _rich()
    if rich is None:
        for label, value in rows:
            print(f"{label}\t{value}")
        return
    table = importlib.import_module("rich.table").Table(title="督办指标" if zh else "Supervision KPIs")
    table.add_column("指标" if zh else "figure")
    table.add_column("数值" if zh else "value", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    importlib.import_module("rich.console").Console().print(table)


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def register(sub: Any) -> None:
    """Add ``report`` to the ``jointinspect`` parser."""
    rep = sub.add_parser("report", help="the supervision KPIs of a period (table, --json, --csv FILE)")
    rep.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD, policy zone) or instant")
    rep.add_argument("--to", dest="end", required=True, help="day after the period, or instant")
    rep.add_argument("--csv", help="write the per-department, per-month table to this CSV file")
    rep.set_defaults(func=_report)
