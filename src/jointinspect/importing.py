"""Load a city's reference data and plans from CSV, Excel (.xlsx) and JSON files.

A city's offices keep their registers in spreadsheets, often with Chinese headers. This
module reads them (`read_tables`), builds the library's value objects row by row and applies
every good row through an `Engine` with a given principal (`import_reference`,
`import_plans`). A bad row is not applied and is reported with its row number, field,
error code and message (`ImportReport`); each row is one engine operation, so a row is
applied wholly or not at all. Column headers may be English or Chinese (`HEADERS`, see
docs/importing.md). Excel needs ``openpyxl`` (the ``excel`` extra), imported only when an
``.xlsx`` file is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from jointinspect.auth import Principal
from jointinspect.errors import JointInspectError, ValidationError
from jointinspect.model.licence import Licence
from jointinspect.model.reference import Department, Enterprise, GeoPoint, Inspector, Scenario, SupervisionItem
from jointinspect.requests import PlanRequest

if TYPE_CHECKING:
    from jointinspect.engine import Engine

__all__ = [
    "HEADERS",
    "KINDS",
    "REFERENCE_KINDS",
    "ImportReport",
    "RowError",
    "import_plans",
    "import_reference",
    "read_tables",
]

#: What can be imported, in the order reference data is applied (items need departments...).
REFERENCE_KINDS = ("departments", "items", "scenarios", "inspectors", "enterprises", "licences")
KINDS = (*REFERENCE_KINDS, "plans")

#: Chinese names of the kinds (a file or sheet name may use either).
KIND_NAMES: Mapping[str, str] = {
    "部门": "departments",
    "执法部门": "departments",
    "监管事项": "items",
    "事项": "items",
    "场景": "scenarios",
    "执法人员": "inspectors",
    "企业": "enterprises",
    "检查计划": "plans",
    "许可证": "licences",
    "计划": "plans",
}

#: Chinese column header -> field name. English headers are the field names themselves.
HEADERS: Mapping[str, str] = {
    "代码": "code",
    "编码": "code",
    "名称": "name",
    "姓名": "name",
    "部门名称": "name",
    "事项名称": "name",
    "场景名称": "name",
    "企业名称": "name",
    "部门代码": "department",
    "部门": "department",
    "事项代码": "code",
    "场景代码": "code",
    "领域": "field",
    "执法领域": "fields",
    "检查标准": "standard",
    "首违不罚": "first_violation_guidance",
    "协同部门": "also_checked_by",
    "事项": "items",
    "检查事项": "items",
    "执法人员编号": "id",
    "编号": "id",
    "执法证号": "certificate_no",
    "有效期起": "valid_from",
    "有效期止": "valid_until",
    "统一社会信用代码": "credit_code",
    "信用等级": "credit_class",
    "信用风险分类": "credit_class",
    "白名单": "whitelisted",
    "重点监管": "key_supervision",
    "纬度": "lat",
    "经度": "lon",
    "坐标系": "crs",
    "企业": "enterprise",
    "开始时间": "start",
    "结束时间": "end",
    "检查类型": "kind",
    "执法人员": "inspectors",
    "场景": "scenario",
    "事由": "reason",
    "计划编号": "plan_number",
    "许可证种类": "kind",
    "许可证编号": "number",
    "证号": "number",
    "持证企业": "holder",
    "发证部门": "department",
    "有效期至": "expires_on",
    "到期日期": "expires_on",
}

#: Per kind, a field a header table maps under another name (部门代码 names a department's own code).
_RENAMES: Mapping[str, Mapping[str, str]] = {
    "departments": {"department": "code"},
    "plans": {"credit_code": "enterprise"},
    "licences": {"credit_code": "holder", "valid_until": "expires_on"},
}

_TRUE = {"true", "yes", "y", "1", "是", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "", "f"}

#: One row as read: (row number in the file or sheet, field -> value).
Row = tuple[int, dict[str, Any]]


@attrs.frozen
class RowError:
    """One refused row: where, which field, the stable error code and both messages."""

    kind: str
    row: int
    field: str
    code: str
    message_en: str
    message_zh: str

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_zh


@attrs.frozen
class Applied:
    """One applied row and the key of what it created (a code, an id, a plan id)."""

    kind: str
    row: int
    key: str
    status: str = "applied"


@attrs.define
class ImportReport:
    """What an import applied and refused; write it with `write_csv` or `to_json`."""

    applied: list[Applied] = attrs.field(factory=list)
    refused: list[RowError] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused."""
        return not self.refused

    def rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """One dict per row (applied and refused), sorted by kind order and row number."""
        out: list[dict[str, Any]] = [
            {"kind": a.kind, "row": a.row, "status": a.status, "key": a.key, "field": "", "code": "", "message": ""}
            for a in self.applied
        ]
        out += [
            {
                "kind": e.kind,
                "row": e.row,
                "status": "refused",
                "key": "",
                "field": e.field,
                "code": e.code,
                "message": e.message(lang),
            }
            for e in self.refused
        ]
        return sorted(out, key=lambda r: (KINDS.index(r["kind"]) if r["kind"] in KINDS else 99, r["row"]))

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """A JSON-friendly summary: counts and every row."""
        return {"applied": len(self.applied), "refused": len(self.refused), "rows": self.rows(lang)}

    def to_csv(self, lang: str = "zh") -> str:
        """The rows as CSV text (header: kind,row,status,key,field,code,message)."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["kind", "row", "status", "key", "field", "code", "message"])
        writer.writeheader()
        writer.writerows(self.rows(lang))
        return buffer.getvalue()

    def write(self, path: str | Path, lang: str = "zh") -> None:
        """Write the report to ``path``: JSON when it ends in ``.json``, else CSV (UTF-8 with BOM for Excel)."""
        target = Path(path)
        if target.suffix.lower() == ".json":
            target.write_text(json.dumps(self.to_json(lang), ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            target.write_text(self.to_csv(lang), encoding="utf-8-sig")


# ----------------------------------------------------------------------- reading


def _kind_of(name: str) -> str | None:
    key = name.strip()
    return key.lower() if key.lower() in KINDS else KIND_NAMES.get(key)


def _refuse(reason: str, reason_zh: str) -> ValidationError:
    return ValidationError("input.invalid", reason=reason, reason_zh=reason_zh)


def _normalise(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    renames = _RENAMES.get(kind, {})
    out: dict[str, Any] = {}
    for header, cell in raw.items():
        if header is None:
            continue
        value = cell
        name = str(header).strip().lstrip("\ufeff")
        field = HEADERS.get(name, name.lower())
        field = renames.get(field, field)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        out[field] = value
    return out


def _csv_rows(text: str, kind: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    # the header is line 1: the first data row is row 2, as a spreadsheet shows it
    return [
        (n, _normalise(kind, r)) for n, r in enumerate(reader, start=2) if any((v or "").strip() for v in r.values())
    ]


def _xlsx_tables(path: Path, kind: str | None) -> dict[str, list[Row]]:
    try:
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError as exc:
        raise _refuse(
            "reading .xlsx files needs openpyxl: pip install 'jointinspect[excel]'",
            "读取 .xlsx 文件需要 openpyxl:请安装 jointinspect[excel]",
        ) from exc
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:  # not an .xlsx workbook
        raise _refuse(f"{path} is not an .xlsx workbook", f"{path} 不是有效的 .xlsx 工作簿") from exc
    tables: dict[str, list[Row]] = {}
    try:
        for sheet in book.worksheets:
            sheet_kind = _kind_of(sheet.title) or (kind if len(book.worksheets) == 1 else None)
            if sheet_kind is None:
                continue
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            table = tables.setdefault(sheet_kind, [])
            for n, values in enumerate(rows, start=2):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                table.append((n, _normalise(sheet_kind, dict(zip(header, values, strict=False)))))
    finally:
        book.close()
    return tables


def read_tables(path: str | Path, kind: str | None = None) -> dict[str, list[Row]]:
    """Read the rows of ``path`` grouped by kind, headers mapped to field names.

    CSV: one kind, ``kind`` or the file's stem (``enterprises.csv``, ``企业.csv``). Excel: one
    sheet per kind, named by kind (a single sheet may take ``kind``). JSON: an object of
    kind -> list of row objects, or a list of row objects with ``kind``.

    Raises:
        ValidationError: ``input.invalid`` for an unknown kind, unreadable file or missing openpyxl.
    """
    source = Path(path)
    suffix = source.suffix.lower()
    given = _kind_of(kind) if kind else None
    if kind and given is None:
        raise _refuse(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", f"未知的数据种类 {kind!r}")
    try:
        if suffix == ".xlsx":
            return _xlsx_tables(source, given)
        text = source.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _refuse(f"cannot read {source}: {exc.strerror}", f"无法读取文件 {source}") from exc
    except UnicodeDecodeError as exc:
        raise _refuse(f"{source} is not UTF-8 text: {exc.reason}", f"{source} 不是 UTF-8 编码的文本") from exc
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _refuse(f"{source} is not JSON: {exc.msg}", f"{source} 不是有效的 JSON") from exc
        if isinstance(data, list):
            data = {given or _kind_of(source.stem) or "": data}
        if not isinstance(data, dict):
            raise _refuse("a JSON import is an object of kind -> rows, or a list of rows", "JSON 导入文件格式不正确")
        tables: dict[str, list[Row]] = {}
        for name, rows in data.items():
            table_kind = _kind_of(str(name))
            if table_kind is None or not isinstance(rows, list):
                raise _refuse(f"unknown kind {name!r} in {source}", f"{source} 中有未知的数据种类 {name!r}")
            tables[table_kind] = [
                (n, _normalise(table_kind, r if isinstance(r, dict) else {})) for n, r in enumerate(rows, start=1)
            ]
        return tables
    csv_kind = given or _kind_of(source.stem)
    if csv_kind is None:
        raise _refuse(
            f"cannot tell what {source.name} holds: name it after a kind or give the kind",
            f"无法判断 {source.name} 的数据种类:请以种类命名文件或指定种类",
        )
    return {csv_kind: _csv_rows(text, csv_kind)}


# ----------------------------------------------------------------------- values


def _text(row: Mapping[str, Any], field: str, default: Any = None) -> Any:
    if field in row:
        value = row[field]
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    if default is None:
        raise ValidationError("input.text_empty", field=field)
    return default


def _bool(row: Mapping[str, Any], field: str) -> bool:
    value = row.get(field, False)
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValidationError("input.not_boolean", field=field, actual=str(value))


def _number(row: Mapping[str, Any], field: str) -> float:
    value = _text(row, field)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        raise ValidationError("input.not_number", field=field, actual=repr(value)) from None


def _list(row: Mapping[str, Any], field: str, required: bool = False) -> tuple[str, ...]:
    value = row.get(field)
    if value is None:
        if required:
            raise ValidationError("input.text_empty", field=field)
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    text = str(value)
    for sep in ("、", ";", ";", ",", ","):
        text = text.replace(sep, " ")
    return tuple(text.split())


def _date(row: Mapping[str, Any], field: str) -> Any:
    value = _text(row, field)
    return value.date() if isinstance(value, dt.datetime) else value


def _instant(row: Mapping[str, Any], field: str, zone: str) -> Any:
    value = _text(row, field)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        # Excel keeps wall-clock times: they are the city's local time
        return pendulum.instance(value, tz=zone)
    return value


def _department(row: Mapping[str, Any], zone: str) -> Department:
    return Department(code=_text(row, "code"), name=_text(row, "name"))


def _item(row: Mapping[str, Any], zone: str) -> SupervisionItem:
    return SupervisionItem(
        code=_text(row, "code"),
        name=_text(row, "name"),
        department=_text(row, "department"),
        field=_text(row, "field"),
        standard=_text(row, "standard", ""),
        first_violation_guidance=_bool(row, "first_violation_guidance"),
        also_checked_by=_list(row, "also_checked_by"),
    )


def _scenario(row: Mapping[str, Any], zone: str) -> Scenario:
    return Scenario(code=_text(row, "code"), name=_text(row, "name"), items=_list(row, "items", required=True))


def _inspector(row: Mapping[str, Any], zone: str) -> Inspector:
    return Inspector(
        id=_text(row, "id"),
        name=_text(row, "name"),
        department=_text(row, "department"),
        certificate_no=_text(row, "certificate_no"),
        fields=_list(row, "fields", required=True),
        valid_from=_date(row, "valid_from"),
        valid_until=_date(row, "valid_until"),
    )


def _enterprise(row: Mapping[str, Any], zone: str) -> Enterprise:
    site = GeoPoint(_number(row, "lat"), _number(row, "lon"), row.get("crs", "WGS84"))
    return Enterprise(
        credit_code=_text(row, "credit_code"),
        name=_text(row, "name"),
        site=site,
        credit_class=row.get("credit_class", "B"),
        whitelisted=_bool(row, "whitelisted"),
        key_supervision=_bool(row, "key_supervision"),
    )


def _plan(row: Mapping[str, Any], zone: str) -> PlanRequest:
    return PlanRequest(
        enterprise=_text(row, "enterprise"),
        department=_text(row, "department"),
        start=_instant(row, "start", zone),
        end=_instant(row, "end", zone),
        kind=row.get("kind", "routine"),
        items=_list(row, "items"),
        inspectors=_list(row, "inspectors"),
        scenario=row.get("scenario"),
        reason=_text(row, "reason", ""),
        # the department's own plan number: importing the file again replays, not refiles
        idempotency_key=_text(row, "plan_number", "") or None,
    )


def _licence(row: Mapping[str, Any], zone: str) -> Licence:
    return Licence(
        kind=_text(row, "kind"),
        number=_text(row, "number"),
        holder=_text(row, "holder"),
        department=_text(row, "department"),
        expires_on=_date(row, "expires_on"),
    )


_BUILDERS: Mapping[str, Callable[[Mapping[str, Any], str], Any]] = {
    "departments": _department,
    "items": _item,
    "scenarios": _scenario,
    "inspectors": _inspector,
    "enterprises": _enterprise,
    "licences": _licence,
    "plans": _plan,
}

#: error codes whose details name no field, and the field they concern.
_CODE_FIELDS: Mapping[str, str] = {
    "enterprise.credit_code_invalid": "credit_code",
    "enterprise.credit_code_check": "credit_code",
    "geo.latitude": "lat",
    "geo.longitude": "lon",
    "input.certificate_dates": "valid_until",
    "filing.no_inspectors": "inspectors",
}


def _error(kind: str, row: int, exc: JointInspectError) -> RowError:
    field = str(exc.details.get("field") or _CODE_FIELDS.get(exc.code, ""))
    return RowError(kind, row, field, exc.code, exc.message_en, exc.message_zh)


def _apply(engine: Engine, kind: str, value: Any, by: Principal) -> tuple[str, str]:
    if kind == "plans":
        outcome = engine.file_plan(value, by=by)
        return outcome.plan.id, str(outcome.status)
    adders: dict[str, Callable[..., Any]] = {
        "departments": engine.add_department,
        "items": engine.add_item,
        "scenarios": engine.add_scenario,
        "inspectors": engine.add_inspector,
        "enterprises": engine.add_enterprise,
        "licences": engine.add_licence,
    }
    adder = adders[kind]
    adder(value, by=by)
    key = getattr(value, "code", None) or getattr(value, "id", None) or getattr(value, "credit_code", None)
    key = key or getattr(value, "key", "")
    return str(key), "applied"


def apply_rows(
    engine: Engine,
    kind: str,
    rows: Iterable[Row],
    *,
    by: Principal,
    report: ImportReport,
    zone: str = "Asia/Shanghai",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Build and apply each row of one kind; refusals go to ``report``. Each row is one engine operation."""
    build = _BUILDERS[kind]
    for number, row in rows:
        try:
            value = build(row, zone)
            key, status = _apply(engine, kind, value, by)
        except JointInspectError as exc:
            report.refused.append(_error(kind, number, exc))
        else:
            report.applied.append(Applied(kind, number, key, status))
        if progress is not None:
            progress(1)
    return report


def import_reference(
    engine: Engine,
    path: str | Path,
    *,
    by: Principal,
    kind: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import reference data (departments, items, scenarios, inspectors, enterprises, licences) from ``path``.

    Kinds are applied in `REFERENCE_KINDS` order whatever the file's order.

    Raises:
        ValidationError: the file cannot be read, or holds plans (use `import_plans`).
    """
    tables = read_tables(path, kind)
    if "plans" in tables:
        raise _refuse("plans are filed with import_plans", "检查计划请用计划导入")
    report = ImportReport()
    zone = engine.policy.zone
    for name in REFERENCE_KINDS:
        if name in tables:
            apply_rows(engine, name, tables[name], by=by, report=report, zone=zone, progress=progress)
    return report


def import_plans(
    engine: Engine,
    path: str | Path,
    *,
    by: Principal,
    department: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """File the plans in ``path`` through `Engine.file_plans` as ``by``, in file order:
    each row under every rule of `Engine.file_plan`, many rows per unit of work.

    ``department`` fills the department of rows that name none (the CLI's ``--as DEPT``).
    """
    tables = read_tables(path, "plans" if Path(path).suffix.lower() != ".json" else None)
    rows = tables.get("plans", [])
    if department is not None:
        rows = [(n, {"department": department, **r}) for n, r in rows]
    zone = engine.policy.zone
    report = ImportReport()
    built: list[tuple[int, PlanRequest]] = []
    for number, row in rows:
        try:
            built.append((number, _plan(row, zone)))
        except JointInspectError as exc:
            report.refused.append(_error("plans", number, exc))
            if progress is not None:
                progress(1)
    outcome = engine.file_plans([request for _, request in built], by=by, progress=progress)
    for (number, _), item in zip(built, outcome.items, strict=True):
        if item.error is not None:
            report.refused.append(_error("plans", number, item.error))
        elif item.outcome is not None:
            report.applied.append(Applied("plans", number, item.outcome.plan.id, str(item.outcome.status)))
    return report


def count_rows(path: str | Path, kind: str | None = None) -> int:
    """How many data rows ``path`` holds (for a progress bar)."""
    return sum(len(t) for t in read_tables(path, kind).values())
