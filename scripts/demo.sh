#!/usr/bin/env bash
# THE demo command: `bash scripts/demo.sh`. Needs no database server: it makes sure .venv
# exists with the project installed, then runs the quick-start example on the embedded default
# store (an SQLite file, jointinspect-demo.db, recreated on each run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_lib.sh
source scripts/_lib.sh

section "Python environment (.venv)"
ensure_venv

section "examples/quickstart.py"
if [ ! -f examples/quickstart.py ]; then
    echo "error: examples/quickstart.py does not exist yet" >&2
    exit 1
fi
exec .venv/bin/python examples/quickstart.py "$@"
