"""The jointinspect command line, each command run as a subprocess on an SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jointinspect import Engine
from jointinspect.auth import Principal
from jointinspect.codes.keys import MemoryKeyStore
from jointinspect.sample import credit_code
from jointinspect.stores import open_store

pytest.importorskip("sqlalchemy")

SEED = "cli-test " + "5a" * 16 + "c3" * 16  # a throwaway key line (never published)
FILED = "2026-12-01T09:00:00+08:00"
AT_GATE = "2026-12-10T10:00:00+08:00"
A_CLASS = credit_code(2)
B_CLASS = credit_code(1)


def run(tmp: Path, *args: str, now: str | None = FILED, json_out: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOINTINSPECT_SIGNING_SEED": SEED, "JOINTINSPECT_STORE": f"sqlite:///{tmp / 'city.db'}"}
    head = ["--json"] if json_out else []
    if now:
        head += ["--now", now]
    return subprocess.run(
        [sys.executable, "-m", "jointinspect.cli", *head, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        check=False,
    )


def data(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.stdout, result.stderr
    return json.loads(result.stdout)


def write_city(tmp: Path) -> Path:
    (tmp / "departments.csv").write_text("部门代码,部门名称\nSCJG,市场监督管理局\n", encoding="utf-8")
    (tmp / "items.csv").write_text(
        "code,name,department,field,standard\nSCJG-01,证照公示,SCJG,market,第一条\n", encoding="utf-8"
    )
    (tmp / "执法人员.csv").write_text(
        "执法人员编号,姓名,部门代码,执法证号,执法领域,有效期起,有效期止\nSCJG-I01,张三,SCJG,37000001,market,2024-01-01,2030-12-31\n"
        "SCJG-I02,李四,SCJG,37000002,market,2024-01-01,2030-12-31\n",
        encoding="utf-8",
    )
    (tmp / "enterprises.csv").write_text(
        "统一社会信用代码,企业名称,纬度,经度,信用等级\n"
        f"{B_CLASS},烟台示范企业一,37.4638,121.4479,B\n"
        f"{A_CLASS},烟台示范企业二,37.4700,121.4500,A\n",
        encoding="utf-8",
    )
    return tmp


@pytest.fixture
def city(tmp_path: Path) -> Path:
    assert run(tmp_path, "init").returncode == 0
    write_city(tmp_path)
    for name in ("departments.csv", "items.csv", "执法人员.csv", "enterprises.csv"):
        result = run(tmp_path, "import", "reference", name)
        assert result.returncode == 0, result.stderr
    return tmp_path


def file_plan(tmp: Path, enterprise: str) -> str:
    (tmp / "plans.csv").write_text(
        "统一社会信用代码,开始时间,结束时间,检查事项,执法人员\n"
        f"{enterprise},2026-12-10T09:00:00+08:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01;SCJG-I02\n",
        encoding="utf-8",
    )
    result = run(tmp, "import", "plans", "plans.csv", "--as", "SCJG", "--report", "report.csv")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = data(result)["rows"]
    assert "plan.id" not in rows[0]
    return str(rows[0]["key"])


def test_init_twice_is_harmless_and_json(tmp_path: Path) -> None:
    first, second = run(tmp_path, "init"), run(tmp_path, "migrate")
    assert first.returncode == second.returncode == 0
    assert data(second) == {"store": f"sqlite:///{tmp_path / 'city.db'}", "migrated": True}


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(tmp_path, "bogus").returncode == 2
    env = {k: v for k, v in os.environ.items() if k != "JOINTINSPECT_STORE"}
    no_store = subprocess.run(
        [sys.executable, "-m", "jointinspect.cli", "sweep"], capture_output=True, text=True, env=env, check=False
    )
    assert no_store.returncode == 2 and "JOINTINSPECT_STORE" in no_store.stderr
    assert run(tmp_path, "codes", "render", "x").returncode == 2


def test_import_reference_reports_bad_rows_and_applies_the_good(city: Path) -> None:
    (city / "enterprises.csv").write_text(
        f"credit_code,name,lat,lon\n{credit_code(3)},好企业,37.1,121.1\n91370600BADCODE000,坏企业,37.1,121.1\n"
        f"{credit_code(4)},坏坐标,99,121.1\n",
        encoding="utf-8",
    )
    result = run(city, "import", "reference", "enterprises.csv", "--report", "out.json")
    assert result.returncode == 1
    body = data(result)
    assert (body["applied"], body["refused"]) == (1, 2)
    refused = [r for r in body["rows"] if r["status"] == "refused"]
    assert [(r["row"], r["field"]) for r in refused] == [(3, "credit_code"), (4, "lat")]
    assert refused[1]["code"] == "geo.latitude"
    assert json.loads((city / "out.json").read_text(encoding="utf-8"))["refused"] == 2


def test_lang_picks_the_error_language(city: Path) -> None:
    zh = run(city, "codes", "issue", "no-such-inspection", json_out=False)
    en = run(city, "--lang", "en", "codes", "issue", "no-such-inspection", json_out=False)
    assert zh.returncode == en.returncode == 1
    assert "not" in en.stderr.lower() or "unknown" in en.stderr.lower()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.stderr)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.stderr.split("]", 1)[1])


def test_plan_code_render_checkin_deliver_sweep_prune_audit(city: Path) -> None:
    plan_id = file_plan(city, B_CLASS)
    report = (city / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "kind,row,status,key,field,code,message" and plan_id in report[1]
    inspection = run(city, "--as", "system", "codes", "issue", "nope")
    assert inspection.returncode == 1 and data(inspection)["error"]["code"]
    # the plan's inspection id, through the engine's own view of the plan (read in-process)
    store = open_store(f"sqlite:///{city / 'city.db'}")
    inspection_id = Engine(store=store).plan(plan_id, by=Principal.system()).inspection_id
    assert inspection_id

    issued = run(city, "codes", "issue", inspection_id)
    assert issued.returncode == 0, issued.stderr
    token = data(issued)["token"]
    view = run(city, "codes", "verify", token)
    assert view.returncode == 0 and data(view)["inspection_id"] == inspection_id
    assert run(city, "codes", "verify", token[:-4] + "AAAA").returncode == 1
    rendered = run(city, "codes", "render", token, "--svg", "code.svg", "--png", "code.png")
    assert rendered.returncode == 0
    assert (city / "code.svg").read_text(encoding="utf-8").lstrip().startswith("<")
    assert (city / "code.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    far = run(
        city,
        "checkin",
        token,
        "--inspector",
        "SCJG-I01",
        "--department",
        "SCJG",
        "--lat",
        "37.6",
        "--lon",
        "121.6",
        now=AT_GATE,
    )
    assert far.returncode == 1 and data(far)["error"]["code"].startswith("checkin.")
    gate = run(city, "codes", "enterprise", B_CLASS)
    assert gate.returncode == 0, gate.stderr
    near = ["--lat", "37.4638", "--lon", "121.4479", "--enterprise-code", data(gate)["token"]]
    visit = run(city, "checkin", token, "--inspector", "SCJG-I01", "--department", "SCJG", *near, now=AT_GATE)
    assert visit.returncode == 0, visit.stderr
    assert data(visit)["inspection"] == inspection_id

    delivered = run(city, "deliver", "--to", "outbox.jsonl")
    assert delivered.returncode == 0
    count = data(delivered)["delivered"]
    lines = (city / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert count == len(lines) > 0 and all("kind" in json.loads(line) for line in lines)
    assert data(run(city, "deliver", "--to", "outbox.jsonl"))["delivered"] == 0

    assert data(run(city, "sweep"))["overdue"] == []
    pruned = run(city, "prune", "--retention-days", "1", now="2027-06-01T00:00:00+08:00")
    assert pruned.returncode == 0 and data(pruned)["outbox"] == count

    verified = run(city, "audit", "verify")
    length = data(verified)["verified"]
    assert verified.returncode == 0 and length > 0
    wrong = run(city, "audit", "verify", "--expected-seq", str(length), "--expected-hash", "0" * 64)
    assert wrong.returncode == 1 and data(wrong)["error"]["code"].startswith("audit.")
    assert run(city, "audit", "verify", "--expected-seq", "3").returncode == 2


def test_approvals_approve_and_reject(city: Path) -> None:
    pending = file_plan(city, A_CLASS)
    officer = run(city, "--as", "officer:SCJG", "approvals", "approve", pending)
    assert officer.returncode == 1 and data(officer)["error"]["code"].startswith("auth.")
    approved = run(city, "approvals", "approve", pending, "--as-supervisor")
    assert approved.returncode == 0, approved.stderr
    assert data(approved)["status"] == "active"
    again = run(city, "approvals", "reject", pending, "--as-supervisor", "--reason", "重复")
    assert again.returncode == 1 and data(again)["error"]["code"]
    other = file_plan(city, A_CLASS)
    rejected = run(city, "approvals", "reject", other, "--as-supervisor", "--reason", "无必要")
    assert rejected.returncode == 0 and data(rejected)["status"] == "rejected"


def test_keys_generate_prints_a_usable_line(tmp_path: Path) -> None:
    first, second = run(tmp_path, "keys", "generate"), run(tmp_path, "keys", "generate")
    a, b = data(first), data(second)
    assert a["line"] != b["line"] and a["env"] == "JOINTINSPECT_SIGNING_SEED"
    assert MemoryKeyStore.from_env(environ={"JOINTINSPECT_SIGNING_SEED": a["line"]}).current_key_id == a["key_id"]
    text = run(tmp_path, "keys", "generate", json_out=False)
    assert text.stdout.startswith("JOINTINSPECT_SIGNING_SEED='")


def test_console_script_entry_point(tmp_path: Path) -> None:
    script = shutil.which("jointinspect", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the console script is not installed in this environment")
    result = subprocess.run([script, "--json", "keys", "generate"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["env"] == "JOINTINSPECT_SIGNING_SEED"


@pytest.mark.parametrize("with_rich", [True, False])
def test_plain_and_rich_text_output_of_an_import(tmp_path: Path, with_rich: bool) -> None:
    if with_rich:
        pytest.importorskip("rich")
    (tmp_path / "departments.csv").write_text("code,name\nSCJG,市场监督管理局\nbad code,坏部门\n", encoding="utf-8")
    block = "" if with_rich else "import sys; sys.modules['rich'] = None; "
    env = {**os.environ, "JOINTINSPECT_STORE": f"sqlite:///{tmp_path / 'city.db'}"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            block + "import sys; from jointinspect.cli import main; sys.exit(main(sys.argv[1:]))",
            "--lang",
            "en",
            "import",
            "reference",
            "departments.csv",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "applied 1, refused 1" in result.stdout
    assert "input.identifier" in result.stdout


def test_report_prints_the_supervision_kpis(city: Path) -> None:
    plan_id = file_plan(city, B_CLASS)
    assert plan_id
    out = data(run(city, "report", "--from", "2026-12-01", "--to", "2027-01-01", "--csv", "kpi.csv"))
    assert out["plans_filed"] == 1 and out["visits"] == 1
    assert out["start"] == "2026-11-30T16:00:00+00:00"  # midnight in Shanghai
    assert (city / "kpi.csv").read_text(encoding="utf-8").splitlines()[1].startswith("SCJG,2026-12,1,1,1")
    table = run(city, "report", "--from", "2026-12-01", "--to", "2027-01-01", json_out=False)
    assert table.returncode == 0 and "报备计划" in table.stdout
    english = run(city, "--lang", "en", "report", "--from", "2026-12-01", "--to", "2027-01-01", json_out=False)
    assert "plans filed" in english.stdout
    bad = run(city, "report", "--from", "2027-01-01", "--to", "2026-12-01")
    assert bad.returncode == 1 and data(bad)["error"]["code"] == "input.invalid"
    refused = run(city, "--as", "officer:SCJG", "report", "--from", "2026-12-01", "--to", "2027-01-01")
    assert refused.returncode == 1 and data(refused)["error"]["code"] == "auth.forbidden"


def test_files_that_cannot_be_read_or_written_change_nothing(city: Path) -> None:
    """A new user's wrong files: each is a typed error in the chosen language, never a traceback,
    and an unwritable row report is refused before any plan is filed."""
    (city / "binary.csv").write_bytes(b"\xff\xfe\x00not text")
    (city / "fake.xlsx").write_text("统一社会信用代码\n", encoding="utf-8")
    for name in ("binary.csv", "fake.xlsx"):
        result = run(city, "--lang", "en", "import", "reference", name, json_out=False)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "[input.invalid]" in result.stderr
    (city / "plans.csv").write_text(
        "统一社会信用代码,开始时间,结束时间,检查事项,执法人员\n"
        f"{B_CLASS},2026-12-10T09:00:00+08:00,2026-12-10T17:00:00+08:00,SCJG-01,SCJG-I01;SCJG-I02\n",
        encoding="utf-8",
    )
    for report in ("missing-folder/report.csv", "report.txt"):
        result = run(city, "import", "plans", "plans.csv", "--as", "SCJG", "--report", report, json_out=False)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "--report" in result.stderr and "Traceback" not in result.stderr
    listed = run(city, "list", "plans")
    assert data(listed)["items"] == []
