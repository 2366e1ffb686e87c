# Shared helpers for scripts/test.sh and scripts/demo.sh (sourced, not run).
# Everything is relative to the repository root, which the caller must cd into first.

# Print a section header that stands out in CI logs.
section() {
    if [ -t 1 ]; then
        printf '\n\033[1m==== %s ====\033[0m\n' "$*"
    else
        printf '\n==== %s ====\n' "$*"
    fi
}

# True when running as root, or when password-less sudo works (prints the prefix to use).
_privileged_prefix() {
    if [ "$(id -u)" -eq 0 ]; then
        echo ""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "sudo -n"
    else
        return 1
    fi
}

# Print the prefix that runs apt-get (see _privileged_prefix) for installing the missing
# packages "$@" (after $1, what is skipped without them). When apt-get cannot run, warn and
# return 1 if CI=true or JOINTINSPECT_REQUIRE_SERVERS=1 require the packages, else 2 (skip).
# Use: prefix="$(apt_prefix_or_exit "..." pkgs...)" || { [ $? -eq 2 ] && exit 0; exit 1; }
apt_prefix_or_exit() {
    local skipped=$1
    shift
    local prefix
    if prefix="$(_privileged_prefix)" && command -v apt-get >/dev/null 2>&1; then
        printf '%s' "$prefix"
        return 0
    fi
    echo "warning: cannot install $* (need root or sudo, and apt-get)" >&2
    if [ "${CI:-}" = "true" ] || [ "${JOINTINSPECT_REQUIRE_SERVERS:-}" = "1" ]; then
        return 1
    fi
    echo "warning: $skipped will be skipped" >&2
    return 2
}

# Pick a Python >= 3.11 for creating the virtual environment.
_find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# The editable install: one distribution (core and adapters) with every extra ("dev").
_pip_specs() {
    # printf, not echo: echo would swallow "-e" as its own option.
    printf '%s\n' -e '.[dev]'
}

# Fingerprint of what the venv must contain: rerun pip only when pyproject.toml changed.
_deps_fingerprint() {
    {
        .venv/bin/python -c 'import sys; print(sys.version)'
        _pip_specs
        cat pyproject.toml
    } | sha256sum | cut -d' ' -f1
}

# Create .venv when missing and install the project (editable, with its adapters) into it.
ensure_venv() {
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
        local python
        python="$(_find_python)" || {
            echo "error: Python >= 3.11 not found (set PYTHON=/path/to/python3.11)" >&2
            return 1
        }
        echo "creating .venv with $python ($("$python" --version 2>&1))"
        rm -rf .venv
        if ! "$python" -m venv .venv; then
            # Debian's python3 lacks ensurepip until python3-venv is installed.
            local prefix
            prefix="$(_privileged_prefix)" || return 1
            $prefix apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $prefix apt-get install -y -qq python3-venv
            rm -rf .venv
            "$python" -m venv .venv || return 1
        fi
    fi
    local stamp=.venv/.jointinspect-deps.sha256 fingerprint
    fingerprint="$(_deps_fingerprint)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
        echo ".venv is up to date ($(.venv/bin/python --version))"
        return 0
    fi
    local specs=()
    mapfile -t specs < <(_pip_specs)
    echo "+ pip install ${specs[*]}"
    # This machine's pip config names local index folders that may be absent; pip's warnings
    # about them are noise, everything else (errors) is shown.
    local rc
    .venv/bin/python -m pip install --disable-pip-version-check -q "${specs[@]}" 2>&1 \
        | { grep -v "^WARNING: Location 'file:" || true; }
    rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || return 1
    echo "$fingerprint" >"$stamp"
}
