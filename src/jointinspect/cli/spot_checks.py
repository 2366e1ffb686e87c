"""``jointinspect spot-check``: draw a campaign on a store, and verify a published draw
with no store at all (what a citizen runs on the JSON the department published)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jointinspect.cli._run import UsageError, _Run
from jointinspect.operations.spot_checks import SpotCheckRequest
from jointinspect.rules.spot_check import to_public, verify_draw


def _lines(path: str) -> list[str]:
    text = Path(path).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _shares(values: list[str]) -> dict[str, float]:
    shares: dict[str, float] = {}
    for value in values:
        credit_class, _, share = value.partition("=")
        try:
            shares[credit_class] = float(share)
        except ValueError as exc:
            raise UsageError(f"--share {value!r}: expected CLASS=SHARE, e.g. D=0.7") from exc
    return shares


def _draw(run: _Run) -> int:
    args = run.args
    request = SpotCheckRequest(
        campaign=args.campaign,
        department=args.department,
        start=args.start,
        end=args.end,
        items=args.item,
        candidates=_lines(args.candidates),
        inspectors=_lines(args.inspectors),
        shares=_shares(args.share or []),
        seed=args.seed,
    )
    outcome = run.engine().draw_spot_check(request, by=run.by)
    public = to_public(outcome.record.draw)
    if args.publish:
        Path(args.publish).write_text(json.dumps(public, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    data: dict[str, Any] = {
        "draw": outcome.record.id,
        "seed": public["seed"],
        "selections": public["selections"],
        "plans": [f.plan.id for f in outcome.filings],
        "refused": [list(pair) for pair in outcome.refused],
        "excluded": list(outcome.excluded),
    }
    lines = [f"{s['enterprise']} ({s['credit_class']}): {', '.join(s['inspectors'])}" for s in public["selections"]]
    run.emit(data, "\n".join([f"seed {public['seed']}", *lines, f"plans filed: {len(outcome.filings)}"]))
    return 0


def _verify(run: _Run) -> int:
    try:
        published = json.loads(Path(run.args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{run.args.file}: not a readable JSON file ({exc})") from exc
    ok = isinstance(published, dict) and verify_draw(published)
    run.emit({"verified": ok}, "verified: the draw is what its seed and input give" if ok else "NOT verified")
    return 0 if ok else 1


def register(sub: Any) -> None:
    """Add ``spot-check draw`` and ``spot-check verify``."""
    spot = sub.add_parser("spot-check", help="random spot checks (双随机、一公开)").add_subparsers(
        dest="what", required=True
    )
    draw = spot.add_parser("draw", help="draw a campaign and file its plans (--as officer:DEPT)")
    draw.add_argument("campaign")
    draw.add_argument("--department", required=True)
    draw.add_argument("--start", required=True, help="ISO 8601 instant with offset")
    draw.add_argument("--end", required=True, help="ISO 8601 instant with offset")
    draw.add_argument("--item", action="append", required=True, help="a supervision item (repeat)")
    draw.add_argument("--candidates", required=True, help="file: one credit code per line")
    draw.add_argument("--inspectors", required=True, help="file: one inspector id per line")
    draw.add_argument("--share", action="append", help="CLASS=SHARE, e.g. D=0.7 (repeat)")
    draw.add_argument("--seed", help="the published seed (default: random)")
    draw.add_argument("--publish", help="write the published draw (JSON) here")
    draw.set_defaults(func=_draw)
    verify = spot.add_parser("verify", help="recompute a published draw (no store needed)")
    verify.add_argument("file")
    verify.set_defaults(func=_verify)
