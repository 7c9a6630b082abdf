#!/usr/bin/env bash
# Installs what the station and its tests need on Debian/Ubuntu: system libraries
# (with apt-get when run as root, otherwise it prints the command to run first)
# and a virtual environment in .venv with the project installed in editable mode.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv python3-pip
  # Qt (PySide6) on Linux, offscreen and xcb
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  # QtMultimedia (camera, sounds)
  libpulse0
  # pyzbar's second decoder backend
  libzbar0
  # printing: CUPS and the virtual PDF printer used by the tests
  cups cups-client printer-driver-cups-pdf
  # screenshots and badge previews; real X key events for scripts/keyboard_check.py
  xvfb poppler-utils xdotool
  # the hub on PostgreSQL: the server the tests start (initdb, pg_ctl) and psql
  postgresql
  # the hub's live view, tested and photographed in a real browser (tests/live_browser.py)
  chromium chromium-driver
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v apt-get >/dev/null; then
    echo "setup: missing system packages; run this first, then again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import checkin, PySide6" 
# The pretix server of the pretix tests, in .pretix-venv (without it they skip).
./scripts/setup_pretix.sh || echo "setup: pretix not installed; the pretix tests will skip" >&2
echo "setup: ready (.venv)"
