# Sourced by scripts/test (after _setup.sh): system packages some tests need beyond the venv.
# Chromium + chromedriver for the browser test of the HTML report
# (tests/test_report_browser.py), and a JVM for the Spark engine's parity tests. Installing is best effort: when it cannot be done (not
# root, no apt-get, no network) we say so and carry on, and the browser test skips with
# the reason instead of failing the whole suite.
# Set DEDUP_NO_SYSTEM_DEPS=1 to skip this step entirely.
_dedup_system_deps() {
  if [ "${DEDUP_NO_SYSTEM_DEPS:-}" = "1" ]; then
    return 0
  fi
  local packages=()
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || packages+=(chromium chromium-driver)
  # the Spark engine's parity tests need a JVM (pyspark 4 runs on Java 17)
  command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jre-headless)
  if [ ${#packages[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "${packages[*]} missing and cannot apt-get install them (not root or no apt-get);" \
         "the tests that need them will skip" >&2
    return 0
  fi
  local root log
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$root/.venv"
  log="$root/.venv/system-deps.log"
  echo "installing ${packages[*]} for the browser and Spark tests (log: $log)" >&2
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"; } \
      >"$log" 2>&1; then
    return 0
  fi
  tail -n 15 "$log" >&2 || true
  echo "apt-get install of ${packages[*]} failed; the tests that need them will skip" >&2
  return 0
}
_dedup_system_deps
