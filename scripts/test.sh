#!/usr/bin/env bash
# Sets up everything, starts the CUPS spooler for the printing tests, runs lint,
# type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m tests.cups_server start || echo "test: CUPS not available; printing tests will be skipped"
.venv/bin/ruff check checkin ui tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
