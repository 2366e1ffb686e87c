#!/usr/bin/env bash
# Build the wheel, install it with the `testing`, `sql` and `notify` extras (the ones the docs'
# code blocks name) in a fresh virtual
# environment, and run the shipped contract suites from there (tests/distribution/), in an
# empty directory so that nothing is imported from the source tree. Called by scripts/test.sh;
# also runs alone: `bash scripts/wheel_check.sh [python]` (default: .venv's interpreter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
python=${1:-.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/jointinspect-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

quiet_pip() {  # pip's warnings about this machine's absent local index folders are noise
    "$@" 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
    return "${PIPESTATUS[0]}"
}

t0=$SECONDS
quiet_pip "$python" -m pip wheel --disable-pip-version-check -q --no-deps -w "$work/dist" .
wheel=$(ls "$work"/dist/jointinspect-*.whl)
echo "built $(basename "$wheel") ($((SECONDS - t0))s)"

t0=$SECONDS
"$python" -m venv "$work/venv"
quiet_pip "$work/venv/bin/python" -m pip install --disable-pip-version-check -q "${wheel}[testing,sql,notify]"
echo "installed into a fresh venv with [testing,sql,notify] ($((SECONDS - t0))s)"

# Each store extra alone, in a fresh venv of its own: it gives a working store, or its driver
# (issue 11: `pip install 'jointinspect[sql]'`, `[postgresql]`, `[mysql]`, `[redis]`).
for extra in sql postgresql mysql redis; do
    t0=$SECONDS
    "$python" -m venv "$work/venv-$extra"
    quiet_pip "$work/venv-$extra/bin/python" -m pip install --disable-pip-version-check -q "${wheel}[$extra]"
    (cd "$work" && env -u PYTHONPATH "$work/venv-$extra/bin/python" "$root/tests/distribution/extra_smoke.py" "$extra")
    echo "  fresh venv with [$extra] ($((SECONDS - t0))s)"
    rm -rf "$work/venv-$extra"
done

mkdir "$work/run"
# the console script the wheel installs runs on its own (tested further in the suite below)
env -u PYTHONPATH "$work/venv/bin/jointinspect" --json keys generate >/dev/null
echo "console script: $work/venv/bin/jointinspect runs"
cp tests/distribution/installed_contracts.py "$work/run/test_installed_contracts.py"
# the README's and the docs' Python blocks run in this plain install too (issue 16)
cp tests/test_docs_examples.py "$work/run/test_docs_examples.py"
cd "$work/run"
env -u PYTHONPATH JOINTINSPECT_SOURCE_TREE="$root" \
    "$work/venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$work/run" test_installed_contracts.py \
    test_docs_examples.py
