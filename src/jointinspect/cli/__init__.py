"""``jointinspect``: the operator's command line, on any store URL.

An operator's tool: it acts as the platform (`Principal.system`) unless ``--as`` names another
principal, so whoever can run it can do what the system may. Errors print in ``--lang``
(``zh`` by default); ``--json`` prints one JSON document on stdout. Exit codes: 0 done,
1 refused (a typed error, or rows refused by an import), 2 usage. ``rich`` (the ``cli``
extra) adds progress bars and tables; without it the output is plain text.
See docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from jointinspect.cli import listing, operate, report, simulate, spot_checks
from jointinspect.cli._run import STORE_ENV, UsageError, _Run
from jointinspect.errors import JointInspectError

__all__ = ["main"]

#: Modules that add subcommands; each has ``register(sub)``. A capability adds its own module.
COMMAND_MODULES = (operate, listing, report, spot_checks, simulate)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jointinspect", description="Operate a jointinspect store (docs/cli.md).")
    p.add_argument("--store", help=f"store URL (default: ${STORE_ENV}), e.g. sqlite:///city.db")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of error messages")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--policy", help="policy TOML file (default: the built-in policy)")
    p.add_argument("--now", help="act at this ISO 8601 instant instead of the wall clock (testing a gate)")
    p.add_argument(
        "--as", dest="principal", help="act as system[:name], officer:DEPT, supervisor, legal_office:DEPT, ..."
    )
    sub = p.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    run = _Run(args)
    try:
        code: int = args.func(run)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"jointinspect: error: {exc}", file=sys.stderr)
        return 2
    except JointInspectError as exc:
        message = exc.message_en if run.lang == "en" else exc.message_zh
        if args.json:
            print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False))
        print(f"[{exc.code}] {message}", file=sys.stderr)
        return 1
    return code
