#!/usr/bin/env bash
# Sets up everything, starts the CUPS spooler for the printing tests, runs lint,
# type checks and the whole test suite. Every server it starts is stopped on exit,
# also when a step fails or the run is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export QT_QPA_PLATFORM=offscreen

stop_servers() {
  .venv/bin/python -m tests.cups_server stop >/dev/null 2>&1 || true
  # pytest stops its pretix itself; this catches one a crashed run left behind.
  .venv/bin/python -m tests.pretix_server stop >/dev/null 2>&1 || true
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

.venv/bin/python -m tests.cups_server start || echo "test: CUPS not available; printing tests will be skipped"
.venv/bin/ruff check checkin ui tests bench scripts
.venv/bin/mypy
# CI: the same property-test examples every run (tests/conftest.py); locally they explore.
profile=()
if [ -n "${CI:-}" ]; then profile=(--hypothesis-profile=ci); fi
.venv/bin/python -m pytest -q "${profile[@]}" "$@"
# The desk driven by real X key events (Xvfb + xdotool): scanner bursts, dialogs, kiosk.
if command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
  env -u DISPLAY QT_QPA_PLATFORM=xcb .venv/bin/python scripts/keyboard_check.py
else
  echo "test: xvfb-run or xdotool missing; keyboard check skipped"
fi
# The PyInstaller bundle builds and both executables start (skip with SKIP_BUNDLE=1).
if [ "${SKIP_BUNDLE:-0}" != 1 ]; then
  ./scripts/build_check.sh
fi
