"""The printer's condition as this process last saw it, for the desk's sync to report.

The station app asks its printer on the print lane (checkin.desk.print_state, every few
seconds and after each badge); its background sync runs on another lane and tells the
hub (checkin.sync.background, docs/live.md). This is where the one leaves it for the
other, in memory: no Qt, no database write per poll.

Contract: ``note(db_path, condition)``; ``latest(db_path) -> str | None``: the condition
noted for that database within MAX_AGE seconds, else None (no print lane, or one that
stopped asking: "not reported" is more honest than an old "ready").
"""

import threading
import time
from pathlib import Path

MAX_AGE = 60.0  # seconds: the app asks its printer every 10 s

_lock = threading.Lock()
_seen: dict[str, tuple[str, float]] = {}


def _key(db_path: Path) -> str:
    return str(Path(db_path).resolve())


def note(db_path: Path, condition: str) -> None:
    with _lock:
        _seen[_key(db_path)] = (str(condition), time.monotonic())


def latest(db_path: Path) -> str | None:
    with _lock:
        found = _seen.get(_key(db_path))
    if found is None or time.monotonic() - found[1] > MAX_AGE:
        return None
    return found[0]
