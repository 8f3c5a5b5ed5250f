# Sourced by scripts/demo, scripts/test and scripts/check: make .venv and install the
# project into it, once. A second run only compares a stamp and returns at once.
# DEDUP_EXTRAS names the extras to install (comma-separated); an install that already
# has them (and the same pyproject.toml) is kept.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
EXTRAS="${DEDUP_EXTRAS:-test}"
if [ ! -x .venv/bin/python ]; then
  echo "setting up .venv (first run only)" >&2
  "$PY" -m venv .venv
fi
STAMP=".venv/.dedup-installed"
HASH="$(sha1sum pyproject.toml | cut -c1-16)"
have_all() {
  [ -f "$STAMP" ] || return 1
  [ "$(head -n1 "$STAMP")" = "$HASH" ] || return 1
  local extra
  for extra in ${EXTRAS//,/ }; do
    grep -qx "$extra" <(tail -n +2 "$STAMP") || return 1
  done
}
if ! have_all; then
  installed=""
  if [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$HASH" ]; then
    installed="$(tail -n +2 "$STAMP" | paste -sd, -)"
  fi
  all="$(printf '%s\n' ${EXTRAS//,/ } ${installed//,/ } | sort -u | paste -sd, -)"
  echo "installing the project into .venv with extras [$all] (log: .venv/install.log)" >&2
  {
    .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
    .venv/bin/python -m pip install --disable-pip-version-check -e ".[$all]"
  } > .venv/install.log 2>&1 || { tail -n 30 .venv/install.log >&2; echo "pip install failed" >&2; exit 1; }
  { echo "$HASH"; printf '%s\n' ${all//,/ }; } > "$STAMP"
fi
