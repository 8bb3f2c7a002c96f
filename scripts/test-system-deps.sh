#!/usr/bin/env bash
# Install the system programs the test suite drives for real: headless Chromium + chromedriver (Debian).
# PostgreSQL 15 server binaries are expected under /usr/lib/postgresql/15/bin (installed on this machine kind);
# if missing they are installed from Debian too. Without root the step only reports what is missing, and
# the tests that need it are skipped (unless NEWSWATCH_REQUIRE_SYSTEM_TESTS=1, as in CI, makes them fail).
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: missing ${need[*]}; install with: sudo apt-get install ${need[*]} (their tests are skipped)" >&2
  exit 0
fi
echo "installing test system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
