#!/usr/bin/env bash
# Install the database servers the test suites run for real (Debian packages), when missing:
# PostgreSQL, MariaDB, Redis (redis-server + redis-cli). The tests start their own throwaway
# instances on free loopback ports (the testsupport.servers package); the system services are not used.
#
# Exit status: 0 when every server's binaries are present afterwards. When they are missing
# and cannot be installed (not root, no sudo, no apt-get), exit 1 if servers are required
# (CI=true or JOINTINSPECT_REQUIRE_SERVERS=1), else warn and exit 0 (those tests then skip).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_lib.sh
source scripts/_lib.sh

have_postgres() {
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null ||
        { command -v postgres >/dev/null && command -v initdb >/dev/null; }
}
have() {
    local name
    for name in "$@"; do
        command -v "$name" >/dev/null 2>&1 || [ -x "/usr/sbin/$name" ] || return 1
    done
}

missing=()
have_postgres || missing+=(postgresql)
have mariadbd mariadb-install-db mariadb || missing+=(mariadb-server)
have redis-server || missing+=(redis-server)
have redis-cli || missing+=(redis-tools)

if [ ${#missing[@]} -eq 0 ]; then
    echo "server binaries present: PostgreSQL, MariaDB, Redis"
    exit 0
fi

prefix="$(apt_prefix_or_exit "tests needing these servers" "${missing[@]}")" || { [ $? -eq 2 ] && exit 0; exit 1; }

echo "installing: ${missing[*]}"
# Keep the packages' own services from starting: the tests run private instances, and a
# stray system MariaDB or PostgreSQL would only eat memory. Only when no policy exists yet.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $prefix tee "$policy" >/dev/null
    $prefix chmod 755 "$policy"
    added_policy=true
fi
cleanup() { if $added_policy; then $prefix rm -f "$policy"; fi; }
trap cleanup EXIT

$prefix apt-get update -qq || echo "warning: apt-get update failed; trying the install anyway" >&2
DEBIAN_FRONTEND=noninteractive $prefix apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"

# Check the result rather than trusting apt's exit status alone.
have_postgres && have mariadbd mariadb-install-db mariadb && have redis-server redis-cli || {
    echo "error: server binaries still missing after installing ${missing[*]}" >&2
    exit 1
}
echo "server binaries installed"
