#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh [pytest args...]`.
#
# On a fresh Debian machine it installs the database servers (apt-get, only when missing),
# creates .venv and installs the project and its adapters (editable), then runs every check:
# ruff, mypy --strict, mkdocs build --strict and pytest over all test paths. It runs all of
# them even when one fails, prints a summary, and exits non-zero when any failed (pytest's
# "no tests collected", exit 5, counts as a failure). Safe to run again and again.
#
# Environment: CI=true (set by CI) or JOINTINSPECT_REQUIRE_SERVERS=1 make a missing server
# fail the run instead of skipping its tests. JOINTINSPECT_PYTEST_TIMEOUT (seconds, default
# 2700) bounds the pytest run so a hung test cannot eat CI's whole budget.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_lib.sh
source scripts/_lib.sh

started=$SECONDS
failed=()

if [ "${CI:-}" = "true" ]; then
    export JOINTINSPECT_REQUIRE_SERVERS=1
fi

# Run one check, record its failure, keep going.
run_step() {
    local name=$1
    shift
    section "$name"
    echo "+ $*"
    local t0=$SECONDS rc=0
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "-- $name: ok ($((SECONDS - t0))s)"
    else
        echo "!! $name: FAILED (exit $rc, $((SECONDS - t0))s)"
        failed+=("$name (exit $rc)")
    fi
}

section "System packages (PostgreSQL, MariaDB, Redis)"
if ! bash scripts/ensure_servers.sh; then
    echo "!! could not install the database servers" >&2
    exit 1
fi

section "Python environment (.venv)"
if ! ensure_venv; then
    echo "!! could not create .venv or install the project" >&2
    exit 1
fi

run_step "ruff" .venv/bin/ruff check .

# Type-check the core, every adapter package present, and the test support code.
mypy_targets=(src/jointinspect testsupport conftest.py)
for package in adapters/*/src/*/__init__.py; do
    [ -f "$package" ] && mypy_targets+=("$(dirname "$package")")
done
run_step "mypy --strict" .venv/bin/mypy --strict "${mypy_targets[@]}"

# NO_MKDOCS_2_WARNING silences Material's end-of-life banner, which is noise in CI logs.
run_step "mkdocs build --strict" env NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir site

run_pytest() {
    local rc=0
    timeout --signal=INT --kill-after=60 "${JOINTINSPECT_PYTEST_TIMEOUT:-2700}" \
        .venv/bin/python -m pytest "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "!! pytest collected no tests" >&2
    elif [ "$rc" -eq 124 ]; then
        echo "!! pytest timed out" >&2
    fi
    return "$rc"
}
run_step "pytest" run_pytest "$@"

section "Summary ($((SECONDS - started))s)"
if [ ${#failed[@]} -ne 0 ]; then
    printf '!! failed: %s\n' "${failed[@]}"
    exit 1
fi
echo "all checks passed"
