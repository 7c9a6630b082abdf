#!/usr/bin/env bash
# Builds the PyInstaller bundle (build.spec) into build/pyi and smoke-tests both
# executables: `checkin --version`, a real event created and listed by the bundled
# CLI, and the bundled station app's --version and a short offscreen start.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/pyi
.venv/bin/python -m pip install -q -e ".[build]" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath "$out/dist" --workpath "$out/work" build.spec
app="$out/dist/checkin-station"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$app/checkin" --version
"$app/checkin" --db "$tmp/e.sqlite" init --event "Bundle check" --days 2026-12-01 >/dev/null
"$app/checkin" --db "$tmp/e.sqlite" layouts >/dev/null
# The bundled hub answers (401 without a token) and stops on SIGTERM.
port=$(.venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$app/checkin" --db "$tmp/e.sqlite" hub serve --host 127.0.0.1 --port "$port" >"$tmp/hub.log" 2>&1 &
hub=$!
code=000
for _ in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/status" || true)
  [ "$code" = 401 ] && break
  sleep 0.2
done
kill -TERM "$hub"; wait "$hub" || true
[ "$code" = 401 ] || { echo "bundle: the hub did not answer ($code): $(tail -3 "$tmp/hub.log")"; exit 1; }
QT_QPA_PLATFORM=offscreen "$app/checkin-station" --version
QT_QPA_PLATFORM=offscreen timeout 60 "$app/checkin-station" --db "$tmp/demo.sqlite" --quit-when-ready
echo "bundle: ok ($app)"
