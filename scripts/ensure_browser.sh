#!/usr/bin/env bash
# Install what the KPI plots and the web service's browser tests need (Debian packages), when
# missing: the Noto Sans CJK font (fonts-noto-cjk) that draws the charts' Chinese labels, and
# headless Chromium with its WebDriver (chromium, chromium-driver) that drives the pages.
#
# Exit status: 0 when everything is present afterwards. When something is missing and cannot
# be installed (not root, no sudo, no apt-get), exit 1 if servers are required (CI=true or
# JOINTINSPECT_REQUIRE_SERVERS=1), else warn and exit 0 (those tests then skip).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/_lib.sh
source scripts/_lib.sh

have_font() {
    compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc' >/dev/null ||
        { command -v fc-list >/dev/null && fc-list | grep -q 'Noto Sans CJK'; }
}
have_exe() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]; }

missing=()
have_font || missing+=(fonts-noto-cjk)
have_exe chromium || missing+=(chromium)
have_exe chromedriver || missing+=(chromium-driver)

if [ ${#missing[@]} -eq 0 ]; then
    echo "present: Noto Sans CJK, chromium, chromedriver"
    exit 0
fi

prefix="$(apt_prefix_or_exit "the plot and browser tests" "${missing[@]}")" || { [ $? -eq 2 ] && exit 0; exit 1; }

echo "installing: ${missing[*]}"
$prefix apt-get update -qq || echo "warning: apt-get update failed; trying the install anyway" >&2
DEBIAN_FRONTEND=noninteractive $prefix apt-get install -y -qq --no-install-recommends "${missing[@]}"

have_font && have_exe chromium && have_exe chromedriver || {
    echo "error: still missing after installing ${missing[*]}" >&2
    exit 1
}
echo "installed: ${missing[*]}"
