#!/usr/bin/env bash
# Sets up everything and starts the station app on the demo event.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/checkin-station "$@"
