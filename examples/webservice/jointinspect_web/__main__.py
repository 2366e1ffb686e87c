"""``python -m jointinspect_web``: serve the reference web service.

python -m jointinspect_web --demo                 # the demo city on a fresh SQLite file
python -m jointinspect_web --db postgresql+psycopg://user@host/db --secret "$SECRET"
python -m jointinspect_web --openapi docs/openapi.json   # write the OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import uvicorn

from jointinspect_web.app import build_service, create_app, demo_app


def openapi_text() -> str:
    """The OpenAPI document of the service, as published in docs/openapi.json."""
    app = create_app(build_service("memory://", secret="openapi"))
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve (or write the OpenAPI document)."""
    parser = argparse.ArgumentParser(prog="python -m jointinspect_web", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store URL (default: sqlite:///jointinspect-web.db; a temporary file with --demo)")
    parser.add_argument("--demo", action="store_true", help="play the demo city on an empty store first")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--secret", default=os.environ.get("JOINTINSPECT_WEB_SECRET"), help="token signing secret")
    parser.add_argument("--openapi", metavar="PATH", help="write the OpenAPI document to PATH and exit")
    args = parser.parse_args(argv)
    if args.openapi:
        Path(args.openapi).write_text(openapi_text(), encoding="utf-8")
        return 0
    if args.demo:
        url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='jointinspect-demo-')}/city.db"
        app, scan = demo_app(url, secret=args.secret)
        base = f"http://{args.host}:{args.port}"
        print(f"demo city on {url}")
        print(f"  enterprise page (signs in as enterprise 1): {base}/demo/login/enterprise   -> {scan[:60]}...")
        print(f"  supervisor dashboard:                        {base}/demo/login/supervisor")
        print(f"  API documentation:                           {base}/docs")
    else:
        app = create_app(build_service(args.db or "sqlite:///jointinspect-web.db", secret=args.secret))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
