#!/usr/bin/env bash
# Installs the pretix server that the pretix tests and bench/bench_pretix.py run against:
# pretix from PyPI in its own virtual environment, .pretix-venv/ ($CHECKIN_PRETIX_VENV
# moves it), apart from the project's .venv (pretix pins its own Django and friends).
# Idempotent: a venv that already holds the version is left alone (a second or so).
# The version is tests/pretix_server.py's PRETIX_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^PRETIX_VERSION = "\(.*\)"$/\1/p' tests/pretix_server.py)
VENV=${CHECKIN_PRETIX_VENV:-.pretix-venv}
MARKER="$VENV/.checkin-pretix-version"
PYTHON=${PYTHON:-python3}

if [ -x "$VENV/bin/python" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; then
  echo "setup: pretix $VERSION ready ($VENV)"
  exit 0
fi
echo "setup: installing pretix $VERSION into $VENV (about a minute)"
rm -f "$MARKER"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/python" -m pip install -q "pretix==$VERSION" 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/python" -c "import pretix, sys; sys.exit(pretix.__version__ != '$VERSION')"
echo "$VERSION" > "$MARKER"
echo "setup: pretix $VERSION ready ($VENV)"
