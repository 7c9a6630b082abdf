#!/usr/bin/env bash
# Runs the whole pytest suite N times (default 10) on a clean clone of HEAD, with a CPU
# burner beside it, and prints one line per run and a summary. A test that fails even once
# here is a test to fix (README, "Testing"). Uses this checkout's .venv and CUPS server.
#   ./scripts/flake_loop.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
here=$(pwd)
clone=$(mktemp -d /tmp/checkin-flake-XXXXXX)
burner=""
cleanup() {
  [ -n "$burner" ] && kill "$burner" 2>/dev/null || true
  .venv/bin/python -m tests.cups_server stop >/dev/null 2>&1 || true
  rm -rf "$clone"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
git clone -q "$here" "$clone/repo"
# The test material lives beside the checkout (../shared), as in CI.
[ -d "$here/../shared" ] && ln -s "$(cd "$here/../shared" && pwd)" "$clone/shared"
export QT_QPA_PLATFORM=offscreen PYTHONPATH="$clone/repo"
.venv/bin/python -m tests.cups_server start >/dev/null || echo "flake_loop: no CUPS; printing tests skip"
# One core kept busy for the whole loop (bounded: it ends with the loop or after 3 hours).
timeout 10800 .venv/bin/python -c "while True: pass" &
burner=$!
failed_runs=0
for i in $(seq 1 "$runs"); do
  log="$clone/run-$i.log"
  start=$(date +%s)
  if (cd "$clone/repo" && CI=1 "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider \
        --hypothesis-profile=ci >"$log" 2>&1); then
    echo "run $i: $(tail -1 "$log") ($(( $(date +%s) - start )) s)"
  else
    failed_runs=$((failed_runs + 1))
    echo "run $i: FAILED: $(tail -1 "$log")"
    grep -E "^(FAILED|ERROR)|Fatal Python error" "$log" | sed 's/^/    /' || true
  fi
done
echo "flake_loop: $((runs - failed_runs)) of $runs runs passed"
[ "$failed_runs" = 0 ]
