"""``jointinspect simulate``: replay a history of plans under policies (issue 13).

``HISTORY`` is a CSV or Parquet file (docs/simulator.md, "History schema"). Each
``--policy`` (a preset name, ``default`` or a TOML file) adds a column; each ``--set
key=value`` changes the policy named just before it (``--set merge.allowance_days=3``).
Prints the figures side by side (rich table and progress bar when installed); ``--json
FILE``, ``--csv FILE`` and ``--plot DIR`` write them. Needs the ``simulate`` extra
(numpy, pyarrow for Parquet) and, for ``--plot``, ``reports``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jointinspect.cli._run import UsageError, _rich, _Run
from jointinspect.errors import ValidationError


def _module(name: str, extra: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ValidationError(
            "input.invalid",
            reason=f"the simulator needs {exc.name or name}: pip install 'jointinspect[{extra}]'",
            reason_zh=f"模拟器需要 {exc.name or name}:请安装 jointinspect[{extra}]",
        ) from exc


class _Policy(argparse.Action):
    """``--policy SPEC`` opens a column; ``--set`` adds to the last one."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, value: Any, option: str | None = None) -> None:
        specs: list[tuple[str, list[str]]] = list(getattr(namespace, "sim_policies", None) or [])
        if option == "--set":
            if not specs:
                raise argparse.ArgumentError(self, "--set must follow a --policy")
            specs[-1][1].append(str(value))
        else:
            specs.append((str(value), []))
        namespace.sim_policies = specs


def _progress(total_label: str) -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    rich = _rich()
    if rich is None or not sys.stderr.isatty():
        return (lambda step, done, total: None), (lambda: None)
    progress_mod = importlib.import_module("rich.progress")
    bar = progress_mod.Progress(console=importlib.import_module("rich.console").Console(stderr=True))
    bar.start()
    task = bar.add_task(total_label, total=None)

    def update(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total)

    return update, bar.stop


def _simulate(run: _Run) -> int:
    args = run.args
    specs = args.sim_policies or [("default", [])]
    sim = _module("jointinspect_simulate", "simulate")
    if str(args.history).lower().endswith((".parquet", ".pq")):
        _module("pyarrow", "simulate")
    history = sim.read_history(args.history)
    policies = {sim.label(spec, settings): sim.resolve(spec, settings) for spec, settings in specs}
    update, stop = _progress(f"{len(history):,} plans")
    try:
        outcomes = sim.simulate(history, policies, update)
    finally:
        stop()
    meta = {"history": Path(args.history).name, "plans": len(history)}
    if args.sim_json:
        Path(args.sim_json).write_text(sim.to_json(outcomes, meta), encoding="utf-8")
    if args.sim_csv:
        Path(args.sim_csv).write_text(sim.to_csv(outcomes), encoding="utf-8")
    if args.plot:
        plots = _module("jointinspect_simulate.plots", "reports")
        plots.save(outcomes, args.plot, lang="zh" if run.lang == "zh" else "en")
    if run.args.json:
        print(sim.to_json(outcomes, meta))
        return 0
    _table(run, sim, outcomes)
    return 0


def _table(run: _Run, sim: Any, outcomes: list[Any]) -> None:
    zh = run.lang == "zh"
    rows = [
        (zh_label if zh else en, values)
        for _, en, zh_label, values in importlib.import_module("jointinspect_simulate.output").rows(outcomes)
    ]
    rich = _rich()
    if rich is None:
        print("\t".join(["", *(o.policy for o in outcomes)]))
        for label, values in rows:
            print("\t".join([label, *(str(v) for v in values)]))
        return
    table = importlib.import_module("rich.table").Table(title="政策模拟" if zh else "Policy simulation")
    table.add_column("指标" if zh else "figure")
    for o in outcomes:
        table.add_column(o.policy, justify="right")
    for label, values in rows:
        table.add_row(label, *(f"{v:,}" if isinstance(v, int) else str(v) for v in values))
    importlib.import_module("rich.console").Console().print(table)


def register(sub: Any) -> None:
    """Add ``simulate`` to the ``jointinspect`` parser."""
    sim = sub.add_parser("simulate", help="replay a history of plans under policies, side by side")
    sim.add_argument("history", help="CSV or Parquet file of plans (docs/simulator.md)")
    sim.add_argument("--policy", action=_Policy, dest="sim_policies", help="preset, default, or TOML file")
    sim.add_argument("--set", action=_Policy, dest="sim_policies", help="key=value for the last --policy")
    sim.add_argument("--json", dest="sim_json", help="write the outcomes as JSON to this file")
    sim.add_argument("--csv", dest="sim_csv", help="write the figures side by side as CSV to this file")
    sim.add_argument("--plot", help="write simulation.png and simulation.svg into this directory")
    sim.set_defaults(func=_simulate)


__all__ = ["UsageError", "register"]
