"""The simulator on a small history whose figures are counted by hand.

Default policy (Wuhu rules: 7 calendar days' notice, class A limited by the whitelist,
one planned visit per 7 days blocked, triggered visits within 7 days warned; merge
minimum 2 hours; Asia/Shanghai). Enterprise E1 (times UTC, March 2026):

* p1 SCJG routine 02 01:00-04 09:00 and p2 YJGL routine 03 01:00-05 09:00 share time: one
  joint visit (V1) starting 03 01:00;
* p4 SCJG complaint 05 02:00-06:00 (filed an hour ahead, exempt): its own visit V4, warned
  (a triggered visit within 7 days of V1);
* p3 STHJ random 06 01:00-09:00: its own visit V3, blocked (a second planned visit within
  7 days of V1).

E2 (class A): p5 needs whitelist approval (assumed given) and is visited. E3: p6 filed
2 days ahead (late), p7 a 1-hour window (too short), p8 an emergency (its own visit).

With a 3-day allowance for planned kinds all four plans of E1 share 05 02:00-06:00: one
visit of four plans, nothing blocked or warned.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy", reason="numpy not installed (the simulate extra)")

from jointinspect_simulate import read_csv, read_history, resolve, simulate, to_csv, to_json

from jointinspect.errors import PolicyError, ValidationError

ROWS = [
    # enterprise, department, kind, start, end, filed_at, credit_class, whitelisted
    ("E1", "SCJG", "routine", "2026-03-02T01:00:00+00:00", "2026-03-04T09:00:00+00:00", "2026-02-20T02:00:00+00:00"),
    ("E1", "YJGL", "routine", "2026-03-03T01:00:00+00:00", "2026-03-05T09:00:00+00:00", "2026-02-20T02:00:00+00:00"),
    ("E1", "STHJ", "random", "2026-03-06T01:00:00+00:00", "2026-03-06T09:00:00+00:00", "2026-02-20T02:00:00+00:00"),
    ("E1", "SCJG", "complaint", "2026-03-05T02:00:00+00:00", "2026-03-05T06:00:00+00:00", "2026-03-05T01:00:00+00:00"),
    ("E2", "SCJG", "routine", "2026-03-10T01:00:00+00:00", "2026-03-10T09:00:00+00:00", "2026-02-20T02:00:00+00:00"),
    ("E3", "YJGL", "routine", "2026-03-10T01:00:00+00:00", "2026-03-11T09:00:00+00:00", "2026-03-08T02:00:00+00:00"),
    ("E3", "YJGL", "special", "2026-03-12T01:00:00+00:00", "2026-03-12T02:00:00+00:00", "2026-02-01T02:00:00+00:00"),
    ("E3", "STHJ", "emergency", "2026-03-12T03:00:00+00:00", "2026-03-12T05:00:00+00:00", "2026-03-12T02:50:00+00:00"),
]
CREDIT = {"E1": "B", "E2": "A", "E3": "C"}


@pytest.fixture
def history_csv(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    lines = ["enterprise,department,kind,start,end,filed_at,credit_class,whitelisted"]
    lines += [",".join([*r, CREDIT[r[0]], "false"]) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_default_policy_hand_counted(history_csv: Path) -> None:
    (o,) = simulate(read_csv(history_csv), [resolve("default")])
    assert (o.plans, o.refused_short, o.refused_late) == (8, 1, 1)
    assert (o.whitelist_spared, o.whitelist_approval) == (0, 1)
    assert (o.visits_blocked, o.plans_blocked, o.visits_warned, o.plans_warned) == (1, 1, 1, 1)
    assert (o.visits, o.plans_visited, o.repeat_visits_avoided) == (4, 5, 1)
    assert (o.joint_visits, o.plans_in_joint_visits, o.joint_visit_rate) == (1, 2, 0.4)
    assert o.enterprises_visited == 3
    assert dict(o.visits_per_enterprise) == {"1": 2, "2": 1, "3": 0, "4-5": 0, "6-9": 0, "10+": 0}


def test_three_day_allowance_merges_more(history_csv: Path) -> None:
    history = read_csv(history_csv)
    now, wider = simulate(
        history, {"now": resolve("default"), "3 days": resolve("default", ["merge.allowance_days=3"])}
    )
    assert (now.policy, wider.policy) == ("now", "3 days")
    assert (wider.visits, wider.plans_visited, wider.repeat_visits_avoided) == (3, 6, 3)
    assert (wider.joint_visits, wider.plans_in_joint_visits) == (1, 4)
    assert (wider.visits_blocked, wider.visits_warned) == (0, 0)
    assert wider.repeat_visits_avoided > now.repeat_visits_avoided
    assert wider.joint_visit_rate > now.joint_visit_rate


def test_chengdu_caps_warn_instead_of_block(history_csv: Path) -> None:
    (o,) = simulate(read_csv(history_csv), [resolve("chengdu")])
    # V1, V4, V3 fall in the local week of Monday 2 March: the third is over 2 a week.
    assert (o.visits_blocked, o.visits_warned, o.plans_warned) == (0, 1, 1)
    assert (o.visits, o.plans_visited) == (5, 6)


def test_whitelist_exempt_class_spares(history_csv: Path) -> None:
    (o,) = simulate(read_csv(history_csv), [resolve("default", ['whitelist.classes.A="exempt"'])])
    assert (o.whitelist_spared, o.whitelist_approval, o.visits) == (1, 0, 3)


def test_bad_setting_is_a_policy_error() -> None:
    with pytest.raises(PolicyError):
        resolve("default", ["merge.allowance_days=40"])  # longer than window_limit_days
    with pytest.raises(PolicyError):
        resolve("no_such_city")


def test_csv_and_parquet_give_the_same_outcome(history_csv: Path, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow not installed (the simulate extra)")
    import datetime as dt

    import pyarrow.parquet as pq

    def ts(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text)

    table = pa.table(
        {
            "enterprise": [r[0] for r in ROWS],
            "department": [r[1] for r in ROWS],
            "kind": pa.array([r[2] for r in ROWS]).dictionary_encode(),
            "start": pa.array([ts(r[3]) for r in ROWS], pa.timestamp("ms", tz="UTC")),
            "end": pa.array([ts(r[4]) for r in ROWS], pa.timestamp("ms", tz="UTC")),
            "filed_at": pa.array([ts(r[5]) for r in ROWS], pa.timestamp("us", tz="UTC")),
            "credit_class": [CREDIT[r[0]] for r in ROWS],
        }
    )
    path = tmp_path / "history.parquet"
    pq.write_table(table, path, row_group_size=3)
    policies = [resolve("default"), resolve("default", ["merge.allowance_days=3"]), resolve("chengdu")]
    from_csv = simulate(read_history(history_csv), policies)
    from_parquet = simulate(read_history(path), policies)
    assert from_csv == from_parquet
    assert json.loads(to_json(from_csv))["outcomes"][0]["visits"] == 4
    assert to_csv(from_csv) == to_csv(from_parquet)


def test_cli_simulate(history_csv: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "jointinspect.cli",
            "--lang",
            "en",
            "simulate",
            str(history_csv),
            "--policy",
            "default",
            "--policy",
            "default",
            "--set",
            "merge.allowance_days=3",
            "--json",
            str(tmp_path / "out.json"),
            "--csv",
            str(tmp_path / "out.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [o["policy"] for o in doc["outcomes"]] == ["default", "default merge.allowance_days=3"]
    assert [o["visits"] for o in doc["outcomes"]] == [4, 3]
    header = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "figure,指标,default,default merge.allowance_days=3"
    bad = subprocess.run(
        [sys.executable, "-m", "jointinspect.cli", "--lang", "en", "simulate", str(history_csv), "--set", "x=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2


def test_plots_written(history_csv: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib not installed (the reports extra)")
    from jointinspect_reports import font_file
    from jointinspect_simulate.plots import save

    if font_file() is None:
        pytest.skip("the CJK font (fonts-noto-cjk) is not installed")
    outcomes = simulate(read_csv(history_csv), [resolve("default"), resolve("chengdu")])
    paths = save(outcomes, tmp_path / "plots")
    assert [p.name for p in paths] == ["simulation.png", "simulation.svg"]
    assert paths[0].read_bytes().startswith(b"\x89PNG")
    assert "政策模拟" in paths[1].read_text(encoding="utf-8")


def test_empty_and_all_refused_histories(tmp_path: Path) -> None:
    header = "enterprise,department,kind,start,end,filed_at\n"
    empty = tmp_path / "empty.csv"
    empty.write_text(header, encoding="utf-8")
    short = tmp_path / "short.csv"
    short.write_text(header + ",".join(ROWS[6][:3]) + "," + ",".join(ROWS[6][3:]) + "\n", encoding="utf-8")
    (none,) = simulate(read_csv(empty), [resolve("default")])
    (refused,) = simulate(read_csv(short), [resolve("default")])
    assert (none.plans, none.visits) == (0, 0)
    assert (refused.plans, refused.refused_short, refused.visits, refused.joint_visit_rate) == (1, 1, 0, 0.0)


def test_progress_hears_every_step(history_csv: Path) -> None:
    heard: list[tuple[str, int, int]] = []
    simulate(read_csv(history_csv), {"a": resolve("default"), "b": resolve("chengdu")}, lambda *e: heard.append(e))
    assert [d for _, d, _ in heard] == list(range(1, 13))
    assert {t for _, _, t in heard} == {12}
    assert heard[0][0] == "a: filing" and heard[-1][0] == "b: counting"


@pytest.mark.parametrize(
    ("column", "value"),
    [("kind", "inspection"), ("start", "2026-03-02T01:00:00"), ("whitelisted", "maybe"), ("credit_class", "E")],
)
def test_bad_rows_are_refused(tmp_path: Path, column: str, value: str) -> None:
    from jointinspect.errors import ValidationError

    names = ["enterprise", "department", "kind", "start", "end", "filed_at", "credit_class", "whitelisted"]
    row = dict(zip(names, [*ROWS[0], "B", "false"], strict=True))
    row[column] = value
    path = tmp_path / "bad.csv"
    path.write_text(",".join(names) + "\n" + ",".join(row[n] for n in names) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_csv(path)
    assert info.value.code == "input.invalid"
    assert column in info.value.message_en


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.csv", None, "cannot read"),
        ("binary.csv", b"\xff\xfe\x00bad", "not a UTF-8 CSV file"),
        ("text.parquet", b"enterprise,department\n", "not a Parquet file"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_typed_error(
    tmp_path: Path, name: str, content: bytes | None, says: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError, match=says) as caught:
        read_history(path)
    assert caught.value.code == "input.invalid"
    assert caught.value.message_zh.startswith("输入无效")
