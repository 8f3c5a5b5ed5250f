# Sourced by scripts/demo, scripts/test and scripts/check: make .venv and install the
# project into it, once. A second run only compares a stamp and returns at once.
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
WANT="$(cat pyproject.toml | sha1sum | cut -c1-16)-$EXTRAS"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "installing the project into .venv (log: .venv/install.log)" >&2
  {
    .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
    .venv/bin/python -m pip install --disable-pip-version-check -e ".[$EXTRAS]"
  } > .venv/install.log 2>&1 || { tail -n 30 .venv/install.log >&2; echo "pip install failed" >&2; exit 1; }
  echo "$WANT" > "$STAMP"
fi
