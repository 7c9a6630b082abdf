"""Databases are not trusted blindly: one from a newer program is refused unchanged."""

import hashlib
import sqlite3
from pathlib import Path

from checkin import db as dbmod
from tests.conftest import run_checkin

LATEST = max(number for number, _ in dbmod.migrations())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_of_a_newer_program_is_refused_and_left_alone(event_db: Path) -> None:
    conn = sqlite3.connect(event_db)
    conn.execute(f"PRAGMA user_version = {LATEST + 3}")
    conn.commit()
    conn.close()
    before = _digest(event_db)
    for command in (["attendees"], ["scan", "NOTHING-1234"], ["import", str(event_db)],
                    ["keys", "rotate"]):
        result = run_checkin("--db", str(event_db), *command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert f"schema {LATEST + 3}" in result.stderr and "newer" in result.stderr
        assert f"up to {LATEST}" in result.stderr
    assert _digest(event_db) == before
    assert not Path(f"{event_db}-wal").exists() or Path(f"{event_db}-wal").stat().st_size == 0
