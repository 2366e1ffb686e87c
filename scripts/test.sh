#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh [pytest args...]`.
#
# On a fresh Debian machine it installs the database servers (apt-get, only when missing),
# creates .venv and installs the project (one distribution, editable, every extra), then runs
# every check: ruff, ruff format --check, mypy --strict, mkdocs build --strict, pytest over all
# test paths with line and branch coverage, the contract suites from an installed wheel, and
# the core tests on Python 3.13 when this machine has it. It runs all of them even
# when one fails, prints a summary with each step's time, and exits non-zero when any failed
# (pytest's "no tests collected", exit 5, counts as a failure). Safe to run again and again.
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
timings=()

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
    timings+=("$(printf '%5ss  %s' "$((SECONDS - t0))" "$name")")
}

section "System packages (PostgreSQL, MariaDB, Redis)"
if ! bash scripts/ensure_servers.sh; then
    echo "!! could not install the database servers" >&2
    exit 1
fi

section "System packages (CJK font, Chromium and its driver)"
if ! bash scripts/ensure_browser.sh; then
    echo "!! could not install the font or the browser" >&2
    exit 1
fi

section "Python environment (.venv)"
if ! ensure_venv; then
    echo "!! could not create .venv or install the project" >&2
    exit 1
fi

run_step "ruff" .venv/bin/ruff check .
run_step "ruff format --check" .venv/bin/ruff format --check .

# Type-check the core, every adapter package present, and the test support code.
mypy_targets=(src/jointinspect testsupport conftest.py)
for package in adapters/*/src/*/__init__.py; do
    [ -f "$package" ] && mypy_targets+=("$(dirname "$package")")
done
mypy_targets+=(examples/webservice/jointinspect_web)  # the reference web service (issue 13)
mypy_targets+=(examples/custom_store/sqlite_reference.py)  # the worked custom store (issue 11)
run_step "mypy --strict" .venv/bin/mypy --strict "${mypy_targets[@]}"

# NO_MKDOCS_2_WARNING silences Material's end-of-life banner, which is noise in CI logs.
run_step "mkdocs build --strict" env NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir site

# pytest under coverage (lines and branches of the core and every adapter; a figure, not a
# gate). coverage itself starts in every pytest-xdist worker (pyproject: patch = subprocess),
# so module-level lines imported before a worker's first test are counted too.
run_pytest() {
    local rc=0
    rm -f .coverage .coverage.*
    timeout --signal=INT --kill-after=60 "${JOINTINSPECT_PYTEST_TIMEOUT:-2700}" \
        .venv/bin/python -m coverage run -m pytest "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "!! pytest collected no tests" >&2
    elif [ "$rc" -eq 124 ]; then
        echo "!! pytest timed out" >&2
    fi
    .venv/bin/python -m coverage combine -q && .venv/bin/python -m coverage report --skip-covered || true
    return "$rc"
}
# Two workers by default (CI's machine has 2 cores); JOINTINSPECT_PYTEST_WORKERS=0 runs serially.
run_step "pytest (with coverage)" run_pytest -n "${JOINTINSPECT_PYTEST_WORKERS:-2}" "$@"

# The shipped contract suites from a built wheel in a fresh venv, outside the source tree.
run_step "wheel: contract suites from the installed wheel" bash scripts/wheel_check.sh .venv/bin/python

# The core tests (no servers) on the other supported Pythons, each in its own venv.
run_other_python() {
    local version=$1 python="" candidate
    for candidate in /root/.pyenv/versions/"$version".*/bin/python "$(command -v "python$version" || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys' 2>/dev/null; then
            python=$candidate
            break
        fi
    done
    if [ -z "$python" ]; then
        echo "note: Python $version not found on this machine; its run is skipped"
        return 0
    fi
    local venv=".venv-$version"
    echo "using $python ($("$python" --version 2>&1)) in $venv"
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv" || return 1
    fi
    "$venv/bin/python" -m pip install --disable-pip-version-check -q \
        -e '.[testing,fast,postgresql,mysql,redis,notify,excel,cli]' 'pytest-xdist>=3.6' 'tomli-w>=1.0' 2>&1 \
        | { grep -v "^WARNING: Location 'file:" || true; }
    [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
    timeout --signal=INT --kill-after=60 "${JOINTINSPECT_PYTEST_TIMEOUT:-2700}" \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider -n 2 -m "not server" tests
}
# The main run is on the oldest supported Python (3.11); this adds the newest. Testing the two
# ends of the range keeps CI short; JOINTINSPECT_OTHER_PYTHONS="3.12 3.13" runs the middle too.
for version in ${JOINTINSPECT_OTHER_PYTHONS:-3.13}; do
    run_step "pytest core on Python $version" run_other_python "$version"
done

section "Summary ($((SECONDS - started))s)"
printf '%s\n' "${timings[@]}"
if [ ${#failed[@]} -ne 0 ]; then
    printf '!! failed: %s\n' "${failed[@]}"
    exit 1
fi
echo "all checks passed"
