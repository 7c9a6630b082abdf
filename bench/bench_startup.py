"""Station app start to a usable window (event open, scan field enabled): budget <= 2 s.

Each run is a fresh process (`checkin-station --db PATH --quit-when-ready` on the
offscreen platform), timed from launch until the app prints "ready" — interpreter
start, Qt, the window and opening the event on the db lane included. The first start on
an empty path (which also creates the 400-delegate demo event and its key) is measured
separately; then the median over several warm starts of the same database.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Result, summarise

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def start_once(db: Path, home: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(home / "cfg"),
           "XDG_DATA_HOME": str(home / "data")}
    env.pop("CHECKIN_DB", None)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "import sys, ui.app; sys.exit(ui.app.main(sys.argv[1:]))",
         "--db", str(db), "--quit-when-ready"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0 or "ready in" not in result.stdout:
        raise RuntimeError(f"station did not start: {result.stderr.strip()[:300]}")
    return elapsed


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        db = home / "event.sqlite"
        first = start_once(db, home)
        samples = [start_once(db, home) for _ in range(RUNS)]
    return [
        summarise("station start to ready window (demo event, 400)", "<= 2000 ms", samples,
                  "offscreen, fresh process per run"),
        summarise("station first start, demo created", "-", [first], "one run"),
    ]


if __name__ == "__main__":
    for result in run():
        print(result.row())
