"""The two HTML pages: the enterprise's phone page after scanning an inspection code, and the
supervising office's dashboard. Chinese by default, English with ``?lang=en`` (the toggle
link); both fit a phone-sized screen. The pages are rendered on the server from the same
Engine calls as the API; their forms post to the JSON API with the session cookie.
"""

from __future__ import annotations

import html
import urllib.parse
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from jointinspect.errors import JointInspectError
from jointinspect.model.feedback import ComplaintReason
from jointinspect.notices import names_from_store
from jointinspect_web.api import approvals, kpi_report, period, warnings
from jointinspect_web.errors import Lang, error_body, language, status_of
from jointinspect_web.service import principal_of, service_of

router = APIRouter(include_in_schema=False)

_WORDS: dict[str, tuple[str, str]] = {
    "scan_title": ("检查码信息", "Inspection code"),
    "joint": ("联合检查", "Joint inspection"),
    "single": ("单部门检查", "Single-department inspection"),
    "status": ("状态", "Status"),
    "window": ("检查时间", "Window"),
    "departments": ("检查部门", "Departments"),
    "items": ("检查事项", "Items"),
    "inspectors": ("执法人员", "Inspectors"),
    "name": ("姓名", "Name"),
    "department": ("部门", "Department"),
    "certificate": ("执法证号", "Certificate no."),
    "rate": ("评价本次检查", "Rate this inspection"),
    "score": ("评分(0-100)", "Score (0-100)"),
    "comment": ("意见", "Comment"),
    "submit_rating": ("提交评价", "Submit rating"),
    "complain": ("投诉", "Complain"),
    "reason": ("原因", "Reason"),
    "text": ("投诉内容", "What happened"),
    "submit_complaint": ("提交投诉", "Submit complaint"),
    "rated": ("评价已提交,谢谢!", "Rating submitted, thank you!"),
    "complained": ("投诉已提交,监督部门将跟进。", "Complaint filed; the supervising office will follow it up."),
    "toggle": ("English", "中文"),
    "dashboard": ("督办看板", "Supervision dashboard"),
    "period": ("统计期间", "Period"),
    "figures": ("关键指标", "Key figures"),
    "plots": ("指标图", "Charts"),
    "warnings": ("预警与通知", "Warnings and notices"),
    "approvals": ("待审批计划", "Plans awaiting approval"),
    "none": ("暂无", "None"),
    "error": ("出错了", "Something went wrong"),
}
_REASONS_EN = {r.value: r.value.replace("_", " ") for r in ComplaintReason}
_REASONS_ZH = {
    "no_scan": "未扫码入企",
    "misconduct": "执法不规范",
    "over_frequency": "检查过频",
    "unsatisfied": "不满意",
}
_REASONS_ZH["other"] = "其他"
_STATUS = {
    "planned": ("已计划", "planned"),
    "in_progress": ("检查中", "in progress"),
    "completed": ("已完成", "completed"),
    "superseded": ("已合并", "superseded"),
    "cancelled": ("已取消", "cancelled"),
}
#: (KpiReport field, zh, en) shown on the dashboard, in this order.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("plans_filed", "备案计划", "Plans filed"),
    ("visits", "检查次数", "Visits"),
    ("joint_visits", "联合检查次数", "Joint visits"),
    ("joint_visit_rate", "联合检查率", "Joint-visit rate"),
    ("repeat_visits_avoided", "减少重复检查", "Repeat visits avoided"),
    ("advance_notice_compliance", "提前备案合规率", "Advance-notice compliance"),
    ("emergencies_reported", "应急检查报备", "Emergencies reported"),
    ("whitelist_pending", "白名单待审批", "Whitelist plans pending"),
    ("check_ins", "扫码入企次数", "Check-ins"),
    ("enterprise_code_scan_rate", "扫企业码率", "Enterprise-code scan rate"),
    ("median_visit_minutes", "检查时长中位数(分钟)", "Median visit (minutes)"),
    ("frequency_warnings", "频次预警", "Frequency warnings"),
    ("rectifications_opened", "整改立案", "Rectifications opened"),
    ("rectifications_closed", "整改验收", "Rectifications closed"),
    ("rectifications_overdue", "整改逾期", "Rectifications overdue"),
    ("median_days_to_close", "整改天数中位数", "Median days to close"),
    ("ratings", "企业评价", "Ratings"),
    ("mean_rating", "平均评分", "Mean rating"),
)
_RATES = {"joint_visit_rate", "advance_notice_compliance", "enterprise_code_scan_rate"}

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
  background:#f4f6f8;color:#1d2733}
header{background:#1f5fa8;color:#fff;padding:12px 16px;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:18px;margin:0}
header a{color:#fff;border:1px solid #fff;border-radius:4px;padding:2px 8px;text-decoration:none;font-size:14px}
main{max-width:960px;margin:0 auto;padding:12px}
section{background:#fff;border-radius:8px;padding:12px 14px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:16px;margin:0 0 8px}
table{width:100%;border-collapse:collapse;font-size:14px}
td,th{border-bottom:1px solid #e3e7eb;padding:6px 4px;text-align:left;vertical-align:top}
ul{margin:0;padding-left:20px}
label{display:block;margin:6px 0 2px;font-size:14px}
input,select,textarea{width:100%;box-sizing:border-box;padding:8px;font-size:16px;
  border:1px solid #c4ccd4;border-radius:4px}
button{margin-top:10px;width:100%;padding:10px;font-size:16px;background:#1f5fa8;color:#fff;border:0;border-radius:4px}
.note{margin-top:8px;font-size:14px}.ok{color:#2a7a3b}.bad{color:#b3261e}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.figure{background:#eef3f9;border-radius:6px;padding:8px}.figure b{display:block;font-size:20px}
.figure span{font-size:12px;color:#4a5866}
img{max-width:100%;height:auto}
"""

_SCRIPT = """
async function post(form, url, body, done) {
  const note = form.querySelector('.note');
  const lang = document.documentElement.lang;
  const response = await fetch(url + '?lang=' + lang, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'Accept-Language': lang}, body: JSON.stringify(body)});
  const data = await response.json();
  note.className = 'note ' + (response.ok ? 'ok' : 'bad');
  note.textContent = response.ok ? done : data.error.message + ' (' + data.error.code + ')';
  if (response.ok) { form.querySelector('button').disabled = true; }
}
"""


def _w(key: str, lang: Lang) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


def _e(value: object) -> str:
    return html.escape(str(value))


def _toggle(request: Request, lang: Lang) -> str:
    query = dict(request.query_params)
    query["lang"] = "en" if lang == "zh" else "zh"
    return f'<a id="lang-toggle" href="?{_e(urllib.parse.urlencode(query))}">{_w("toggle", lang)}</a>'


def _page(request: Request, lang: Lang, title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{_STYLE}</style><script>{_SCRIPT}</script></head>
<body><header><h1>{_e(title)}</h1>{_toggle(request, lang)}</header><main>{body}</main></body></html>""",
        status_code=status,
    )


def _error_page(request: Request, lang: Lang, error: JointInspectError) -> HTMLResponse:
    message = error_body(error, lang)["error"]
    body = f'<section id="error"><p class="bad">{_e(message["message"])}</p><p>{_e(message["code"])}</p></section>'
    return _page(request, lang, _w("error", lang), body, status_of(error))


@router.get("/scan", response_class=HTMLResponse)
def enterprise_page(request: Request, code: str = Query(...)) -> HTMLResponse:
    """The enterprise's phone page for a scanned inspection code."""
    lang = language(request)
    service = service_of(request)
    try:
        by = principal_of(request)
        view = service.engine.describe_code(code, by=by)
    except JointInspectError as error:
        return _error_page(request, lang, error)
    zone = service.zone
    dept_names = dict(view.departments)
    start = view.window.start.in_timezone(zone).format("YYYY-MM-DD HH:mm")
    end = view.window.end.in_timezone(zone).format("HH:mm")
    status = _STATUS.get(view.status, (view.status, view.status))[0 if lang == "zh" else 1]
    inspectors = "".join(
        f'<tr class="inspector"><td class="name">{_e(p.name)}</td><td>{_e(dept_names.get(p.department, p.department))}'
        f'</td><td class="certificate">{_e(p.certificate_no)}</td></tr>'
        for p in view.inspectors
    )
    reasons = _REASONS_ZH if lang == "zh" else _REASONS_EN
    options = "".join(f'<option value="{_e(k)}">{_e(v)}</option>' for k, v in reasons.items())
    rating_url = f"/api/inspections/{urllib.parse.quote(view.inspection_id)}/rating"
    complaint_url = f"/api/inspections/{urllib.parse.quote(view.inspection_id)}/complaints"
    body = f"""
<section id="summary"><h2>{_w("joint" if view.joint else "single", lang)}</h2>
<table><tr><th>{_w("status", lang)}</th><td id="status">{_e(status)}</td></tr>
<tr><th>{_w("window", lang)}</th><td id="window">{_e(start)} – {_e(end)}</td></tr></table></section>
<section id="departments"><h2>{_w("departments", lang)}</h2><ul>
{"".join(f"<li>{_e(name)}</li>" for _, name in view.departments)}</ul></section>
<section id="items"><h2>{_w("items", lang)}</h2><ul>
{"".join(f"<li>{_e(name)}</li>" for _, name in view.items)}</ul></section>
<section><h2>{_w("inspectors", lang)}</h2><table id="inspectors">
<tr><th>{_w("name", lang)}</th><th>{_w("department", lang)}</th><th>{_w("certificate", lang)}</th></tr>{inspectors}
</table></section>
<section><h2>{_w("rate", lang)}</h2><form id="rate-form"
 onsubmit="event.preventDefault(); post(this, '{rating_url}',
 {{score: Number(this.score.value), comment: this.comment.value}}, '{_w("rated", lang)}')">
<label for="score">{_w("score", lang)}</label><input id="score" name="score" type="number" min="0" max="100" value="90">
<label for="comment">{_w("comment", lang)}</label><input id="comment" name="comment" type="text">
<button type="submit">{_w("submit_rating", lang)}</button><p class="note" id="rate-note"></p></form></section>
<section><h2>{_w("complain", lang)}</h2><form id="complaint-form"
 onsubmit="event.preventDefault(); post(this, '{complaint_url}',
 {{reason: this.reason.value, text: this.text.value}}, '{_w("complained", lang)}')">
<label for="reason">{_w("reason", lang)}</label><select id="reason" name="reason">{options}</select>
<label for="text">{_w("text", lang)}</label><textarea id="text" name="text" rows="3"></textarea>
<button type="submit">{_w("submit_complaint", lang)}</button><p class="note" id="complaint-note"></p></form></section>
"""
    return _page(request, lang, _w("scan_title", lang), body)


def figure_text(field: str, value: Any) -> str:
    """How the dashboard shows one KPI value (rates in percent with one decimal)."""
    if value is None:
        return "-"
    if field in _RATES and isinstance(value, Decimal):
        return f"{value * 100:.1f}%"
    return str(value)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, start: str | None = None, end: str | None = None) -> HTMLResponse:
    """The supervising office's dashboard: the KPI figures and charts, warnings, approvals."""
    lang = language(request)
    service = service_of(request)
    try:
        by = principal_of(request)
        report = kpi_report(service, by, start, end)
        first, after = period(service, start, end)
        notes = warnings(request, by, service)
        waiting = approvals(request, by, service)
    except JointInspectError as error:
        return _error_page(request, lang, error)
    names = names_from_store(service.engine.store)
    shown = f"{first.format('YYYY-MM-DD')} – {after.subtract(days=1).format('YYYY-MM-DD')}"
    figures = "".join(
        f'<div class="figure" data-kpi="{f}"><b>{_e(figure_text(f, getattr(report, f)))}</b>'
        f"<span>{_e(zh if lang == 'zh' else en)}</span></div>"
        for f, zh, en in FIGURES
    )
    query = urllib.parse.urlencode(
        {"start": first.format("YYYY-MM-DD"), "end": after.subtract(days=1).format("YYYY-MM-DD"), "lang": lang}
    )
    rows = "".join(
        f"<tr><td>{_e(names.department(r.department) or r.department)}</td><td>{_e(r.month)}</td>"
        f'<td class="plans">{r.plans_filed}</td><td>{r.in_joint_visits}</td></tr>'
        for r in report.by_department
    )
    plan_head = (
        ("部门", "月份", "备案计划", "纳入联合检查")
        if lang == "zh"
        else ("Department", "Month", "Plans", "In joint visits")
    )
    notes_html = "".join(f"<li>{_e(n['text'])}</li>" for n in notes[:8]) or f"<li>{_w('none', lang)}</li>"
    waiting_html = "".join(f"<li>{_e(n['text'])}</li>" for n in waiting) or f"<li>{_w('none', lang)}</li>"
    body = f"""
<section><h2>{_w("period", lang)}</h2><p id="period">{_e(shown)}</p></section>
<section><h2>{_w("figures", lang)}</h2><div class="figures" id="figures">{figures}</div></section>
<section><h2>{_w("plots", lang)}</h2>
<img id="kpi-plot" alt="{_w("plots", lang)}" src="/api/supervision/kpis.png?{_e(query)}">
<table id="by-department"><tr>{"".join(f"<th>{h}</th>" for h in plan_head)}</tr>{rows}</table></section>
<section><h2>{_w("approvals", lang)}</h2><ul id="approvals">{waiting_html}</ul></section>
<section><h2>{_w("warnings", lang)}</h2><ul id="warnings">{notes_html}</ul></section>
"""
    return _page(request, lang, _w("dashboard", lang), body)
