"""Reference data and plans from CSV, JSON and Excel, with Chinese or English headers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from jointinspect import Engine
from jointinspect.auth import Principal
from jointinspect.clock import FixedClock
from jointinspect.errors import NotFoundError, ValidationError
from jointinspect.importing import HEADERS, import_plans, import_reference, read_tables
from jointinspect.sample import credit_code

SYSTEM = Principal.system("import")
NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))

ZH_REFERENCE = {
    "部门": [["部门代码", "部门名称"], ["SCJG", "市场监督管理局"], ["XFJY", "消防救援支队"]],
    "监管事项": [
        ["事项代码", "事项名称", "部门代码", "领域", "首违不罚"],
        ["SCJG-01", "证照公示", "SCJG", "market", "是"],
        ["XFJY-01", "消防通道", "XFJY", "fire", "否"],
    ],
    "执法人员": [
        ["执法人员编号", "姓名", "部门代码", "执法证号", "执法领域", "有效期起", "有效期止"],
        ["SCJG-I01", "张三", "SCJG", "37000001", "market", "2024-01-01", "2030-12-31"],
        ["SCJG-I02", "李四", "SCJG", "37000002", "market", "2024-01-01", "2030-12-31"],
    ],
    "企业": [
        ["统一社会信用代码", "企业名称", "纬度", "经度", "信用等级", "白名单"],
        [credit_code(1), "烟台示范企业一", "37.46", "121.44", "B", "否"],
        [credit_code(2), "烟台示范企业二", "37.47", "121.45", "C", ""],
    ],
}

EN_REFERENCE = {
    "departments": [{"code": "SCJG", "name": "市场监督管理局"}],
    "items": [{"code": "SCJG-01", "name": "证照公示", "department": "SCJG", "field": "market"}],
    "scenarios": [{"code": "OPEN-SHOP", "name": "开店一件事", "items": ["SCJG-01"]}],
    "enterprises": [{"credit_code": credit_code(1), "name": "甲公司", "lat": 37.46, "lon": 121.44}],
}


def engine() -> Engine:
    return Engine(clock=FixedClock(NOW))


def write_csvs(tmp: Path, tables: dict[str, list[list[str]]]) -> list[Path]:
    paths = []
    for name, rows in tables.items():
        path = tmp / f"{name}.csv"
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
        paths.append(path)
    return paths


def test_chinese_headers_from_csv(tmp_path: Path) -> None:
    eng = engine()
    for path in write_csvs(tmp_path, ZH_REFERENCE):
        report = import_reference(eng, path, by=SYSTEM)
        assert report.ok, report.refused
    assert eng.enterprise(credit_code(2), by=SYSTEM).credit_class == "C"
    assert eng.enterprise(credit_code(1), by=SYSTEM).site.lat == pytest.approx(37.46)


def test_english_headers_from_json_applied_in_dependency_order(tmp_path: Path) -> None:
    path = tmp_path / "city.json"
    # scenarios before items in the file: applied after them all the same
    path.write_text(json.dumps(dict(reversed(list(EN_REFERENCE.items()))), ensure_ascii=False), encoding="utf-8")
    report = import_reference(engine(), path, by=SYSTEM)
    assert report.ok, report.refused
    assert [a.kind for a in report.applied] == ["departments", "items", "scenarios", "enterprises"]


def test_xlsx_one_sheet_per_kind(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in ZH_REFERENCE.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book["执法人员"]["F2"] = dt.datetime(2024, 1, 1)  # Excel keeps dates as datetimes
    path = tmp_path / "city.xlsx"
    book.save(path)
    eng = engine()
    report = import_reference(eng, path, by=SYSTEM)
    assert report.ok, report.refused
    assert len(report.applied) == 8
    assert eng.enterprise(credit_code(1), by=SYSTEM).name == "烟台示范企业一"


def test_bad_rows_are_reported_and_nothing_half_applied(tmp_path: Path) -> None:
    eng = engine()
    rows = [
        ["统一社会信用代码", "企业名称", "纬度", "经度", "白名单"],
        [credit_code(1), "好企业", "37.46", "121.44", "否"],
        ["91370600BAD", "坏代码", "37.46", "121.44", "否"],
        [credit_code(3), "坏纬度", "north", "121.44", "否"],
        [credit_code(4), "坏白名单", "37.46", "121.44", "也许"],
        [credit_code(5), "", "37.46", "121.44", "否"],
    ]
    path = write_csvs(tmp_path, {"企业": rows})[0]
    report = import_reference(eng, path, by=SYSTEM)
    assert [a.row for a in report.applied] == [2]
    assert [(e.row, e.field, e.code) for e in report.refused] == [
        (3, "credit_code", "enterprise.credit_code_invalid"),
        (4, "lat", "input.not_number"),
        (5, "whitelisted", "input.not_boolean"),
        (6, "name", "input.text_empty"),
    ]
    for refused_code in (credit_code(3), credit_code(4), credit_code(5)):
        with pytest.raises(NotFoundError):
            eng.enterprise(refused_code, by=SYSTEM)
    text = report.to_csv("en")
    assert text.splitlines()[0] == "kind,row,status,key,field,code,message"
    assert "name must not be empty" in text
    assert "不能为空" in report.to_csv("zh")
    out = tmp_path / "report.json"
    report.write(out)
    assert json.loads(out.read_text(encoding="utf-8"))["refused"] == 4


def test_plans_filed_per_row_with_refusals(tmp_path: Path) -> None:
    eng = engine()
    for path in write_csvs(tmp_path, ZH_REFERENCE):
        import_reference(eng, path, by=SYSTEM)
    plans = tmp_path / "plans.csv"
    plans.write_text(
        "统一社会信用代码,开始时间,结束时间,检查事项,执法人员\n"
        f"{credit_code(1)},2026-12-10T09:00:00+08:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01、SCJG-I02\n"
        f"{credit_code(2)},2026-12-10T09:00:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01;SCJG-I02\n"
        f"{credit_code(2)},2026-12-11T09:00:00+08:00,2026-12-11T17:00:00+08:00,XFJY-01,SCJG-I01;SCJG-I02\n",
        encoding="utf-8",
    )
    report = import_plans(eng, plans, by=Principal.officer("SCJG"), department="SCJG")
    assert [a.row for a in report.applied] == [2]
    assert eng.plan(report.applied[0].key, by=SYSTEM).enterprise == credit_code(1)
    first, second = report.refused
    assert (first.row, first.field, first.code) == (3, "start", "time.naive")
    assert second.row == 4 and second.code


def test_plans_with_plan_numbers_are_replayed_when_imported_again(tmp_path: Path) -> None:
    eng = engine()
    for path in write_csvs(tmp_path, ZH_REFERENCE):
        import_reference(eng, path, by=SYSTEM)
    plans = tmp_path / "plans.csv"
    plans.write_text(
        "计划编号,统一社会信用代码,开始时间,结束时间,检查事项,执法人员\n"
        f"2026-001,{credit_code(1)},2026-12-10T09:00:00+08:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01;SCJG-I02\n"
        f"2026-002,{credit_code(2)},2026-12-10T09:00:00+08:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01;SCJG-I02\n",
        encoding="utf-8",
    )
    first = import_plans(eng, plans, by=Principal.officer("SCJG"), department="SCJG")
    again = import_plans(eng, plans, by=Principal.officer("SCJG"), department="SCJG")
    assert first.ok and again.ok and len(first.applied) == 2
    assert [a.key for a in again.applied] == [a.key for a in first.applied]
    assert eng.plan(first.applied[0].key, by=SYSTEM).idempotency_key == "2026-001"


def test_unknown_kind_and_headers_table() -> None:
    assert HEADERS["统一社会信用代码"] == "credit_code" and HEADERS["开始时间"] == "start"
    with pytest.raises(ValidationError):
        read_tables("whatever.csv")
    with pytest.raises(ValidationError):
        read_tables("x.csv", kind="nope")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_documented_templates_import_cleanly(lang: str) -> None:
    folder = Path(__file__).parents[1] / "docs" / "import-templates" / lang
    eng = engine()
    for kind in ("departments", "items", "inspectors", "enterprises"):
        report = import_reference(eng, folder / f"{kind}.csv", by=SYSTEM)
        assert report.ok and report.applied, (kind, report.refused)
    assert set(read_tables(folder / "plans.csv")["plans"][0][1]) >= {"enterprise", "start", "end", "items"}
