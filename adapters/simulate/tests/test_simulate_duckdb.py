"""DuckDB's SQL (the benchmark baseline, benchmarks/simulate.py) computes the simulator's
figures: on small seeded histories, under several policies, every figure is equal.

The histories are dense (few enterprises) and one of them has every window starting at the
same hour of the day, so that visits tie on their start and the tie order matters. Skipped
locally when duckdb (the ``dev`` and ``bench`` extras) or pyarrow is missing; under CI=true
(or JOINTINSPECT_REQUIRE_SERVERS=1) a missing one fails the run instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testsupport.servers import servers_required

if servers_required():  # CI: the cross-check must run, so a missing package is an error
    import duckdb  # noqa: F401
    import pyarrow  # noqa: F401

np = pytest.importorskip("numpy", reason="numpy not installed (the simulate extra)")
pytest.importorskip("pyarrow", reason="pyarrow not installed (the simulate extra)")
pytest.importorskip("duckdb", reason="duckdb not installed (the dev and bench extras): the SQL baseline cannot run")

from jointinspect_simulate import resolve  # noqa: E402

from benchmarks.simulate import history_arrays, run_duckdb, simulator_figures, write_parquet  # noqa: E402
from benchmarks.workload import CityShape, generate  # noqa: E402

POLICIES = [
    ("default", []),
    ("default", ["merge.allowance_days=3"]),
    ("chengdu", []),
    ("yucheng", []),
    ("default", ['whitelist.classes.A="exempt"', 'whitelist.explicit="exempt"']),
    ("default", ["matching.min_common_hours=24", "filing.advance=10"]),
    # special plans do not merge: planned visits tie on their start, the blocking rule's order matters
    ("default", ['matching.kinds=["routine", "random", "complaint"]']),
]


def _history(tmp: Path, seed: int, ties: bool) -> Path:
    cols = history_arrays(generate(CityShape(enterprises=60, plans=1500, active_share=1.0, seed=seed)), seed)
    if ties:
        # every window starts at 01:00 UTC of its day: visits of one enterprise tie on their start
        start = cols["start"] // 86_400 * 86_400 + 3600
        cols["end"] = start + np.maximum(cols["end"] - cols["start"], 7200) // 3600 * 3600
        cols["filed_at"] += start - cols["start"]
        cols["start"] = start
    path = tmp / f"h{seed}{'t' if ties else ''}.parquet"
    write_parquet(cols, path)
    return path


@pytest.mark.parametrize(("seed", "ties"), [(1, False), (2, True), (3, True)])
@pytest.mark.parametrize(("spec", "settings"), POLICIES)
def test_duckdb_figures_equal_the_simulator(
    tmp_path: Path, seed: int, ties: bool, spec: str, settings: list[str]
) -> None:
    path = _history(tmp_path, seed, ties)
    policy = resolve(spec, settings)
    sim = simulator_figures(path, policy)
    assert sim["visits"] > 0 and sim["joint_visits"] > 0
    assert run_duckdb(path, policy) == sim


def test_duckdb_refuses_what_sql_does_not_express() -> None:
    from benchmarks.simulate import duckdb_sql

    with pytest.raises(ValueError, match="blocking rule"):
        duckdb_sql("x.parquet", resolve("default", ['frequency=[{name="a", limit=2, window_days=7}]']))
