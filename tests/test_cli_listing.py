"""The listing commands (issue 11), each run as a subprocess on an SQLite file:
``list <what>`` and ``approvals list``, pages, filters, JSON, tables and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import A_CLASS, B_CLASS, data, file_plan, run, write_city

pytest.importorskip("sqlalchemy")


@pytest.fixture
def city(tmp_path: Path) -> Path:
    assert run(tmp_path, "init").returncode == 0
    write_city(tmp_path)
    for name in ("departments.csv", "items.csv", "执法人员.csv", "enterprises.csv"):
        assert run(tmp_path, "import", "reference", name).returncode == 0
    return tmp_path


def items(city: Path, *args: str) -> list[dict[str, object]]:
    result = run(city, *args)
    assert result.returncode == 0, result.stderr
    body = data(result)
    assert body["count"] == len(body["items"])
    found: list[dict[str, object]] = body["items"]
    return found


def test_list_commands_page_filter_and_print_json(city: Path) -> None:
    active, pending = file_plan(city, B_CLASS), file_plan(city, A_CLASS)
    assert [e["credit_code"] for e in items(city, "list", "enterprises")] == sorted([A_CLASS, B_CLASS])
    assert [e["credit_code"] for e in items(city, "list", "enterprises", "--whitelist", "limited")] == [A_CLASS]
    assert [e["credit_code"] for e in items(city, "list", "enterprises", "--credit-class", "B")] == [B_CLASS]
    second = items(city, "list", "enterprises", "--limit", "1", "--offset", "1")
    assert [e["credit_code"] for e in second] == [max(A_CLASS, B_CLASS)]

    assert [p["id"] for p in items(city, "approvals", "list")] == [pending]
    assert [p["id"] for p in items(city, "list", "approvals", "--department", "SCJG")] == [pending]
    plans = items(city, "list", "plans", "--status", "active")
    assert [p["id"] for p in plans] == [active]
    assert plans[0]["window"]["start"] == "2026-12-10T01:00:00+00:00"  # type: ignore[index]
    window = ["--since", "2026-12-10T09:00:00+08:00", "--until", "2026-12-10T09:00:01+08:00"]
    assert len(items(city, "list", "plans", *window)) == 2

    (visit,) = items(city, "--as", "officer:SCJG", "list", "visits")
    assert visit["enterprise"] == B_CLASS and visit["status"] == "planned"
    assert items(city, "list", "visits", "--enterprise", A_CLASS) == []
    assert items(city, "list", "results", str(visit["id"])) == []
    assert items(city, "list", "rectifications", "--overdue") == []
    assert items(city, "list", "complaints", "--enterprise", B_CLASS) == []
    assert items(city, "list", "evaluations") == []
    notes = items(city, "list", "notifications", "--limit", "2")
    assert len(notes) == 2 and all(n["kind"] for n in notes)
    audit = items(city, "list", "audit", "--after-seq", "2", "--through-seq", "4")
    assert [e["seq"] for e in audit] == [3, 4]


def test_list_refusals_and_usage(city: Path) -> None:
    forbidden = run(city, "--as", "officer:SCJG", "list", "notifications")
    assert forbidden.returncode == 1 and data(forbidden)["error"]["code"] == "auth.forbidden"
    other = run(city, "--as", "officer:SCJG", "list", "plans", "--department", "YJGL")
    assert other.returncode == 1 and data(other)["error"]["code"] == "auth.wrong_department"
    bad_page = run(city, "list", "plans", "--limit", "0")
    assert bad_page.returncode == 1 and data(bad_page)["error"]["code"] == "input.out_of_range"
    reversed_range = ["--since", "2026-12-10T00:00:00+08:00", "--until", "2026-12-01T00:00:00+08:00"]
    backwards = run(city, "list", "complaints", *reversed_range)
    assert backwards.returncode == 1 and data(backwards)["error"]["code"] == "query.range_reversed"
    missing = run(city, "list", "results", "no-such-inspection")
    assert missing.returncode == 1 and data(missing)["error"]["code"]
    assert run(city, "list", "enterprises", "--whitelisted", "maybe").returncode == 2
    assert run(city, "list", "bogus").returncode == 2


@pytest.mark.parametrize("with_rich", [True, False])
def test_listings_print_a_table_or_plain_lines(city: Path, with_rich: bool) -> None:
    if with_rich:
        pytest.importorskip("rich")
    block = "" if with_rich else "import sys; sys.modules['rich'] = None; "
    env = {**os.environ, "JOINTINSPECT_STORE": f"sqlite:///{city / 'city.db'}", "COLUMNS": "200"}
    program = block + "import sys; from jointinspect.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", program, "list", "enterprises", "--credit-class", "A"],
        capture_output=True,
        text=True,
        env=env,
        cwd=city,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert A_CLASS in result.stdout and B_CLASS not in result.stdout
    if with_rich:
        assert "enterprises (1)" in result.stdout
    else:
        assert result.stdout.splitlines()[0].split("\t") == [
            "credit_code",
            "name",
            "credit_class",
            "whitelisted",
            "key_supervision",
        ]
        assert result.stdout.splitlines()[1].split("\t")[0] == A_CLASS
