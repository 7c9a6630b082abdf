"""Databases are not trusted blindly: one from a newer program is refused unchanged;
processes that open an older database at once migrate it once; init and demo at once
make one event, not a mix of two."""

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkin import db as dbmod
from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.store import Store
from tests.conftest import run_checkin

LATEST = max(number for number, _ in dbmod.migrations())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_of_a_newer_program_is_refused_and_left_alone(event_db: Path) -> None:
    conn = keyed_connect(event_db)
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


def _older_database(path: Path, version: int = 1) -> None:
    """An event database as an older checkin left it: migrations up to version only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for number, script in dbmod.migrations():
        if number <= version:
            conn.executescript(f"BEGIN;\n{script.read_text()}\nPRAGMA user_version = "
                               f"{number};\nCOMMIT;")
    conn.execute("INSERT INTO meta VALUES ('event_name', 'Old'), ('event_days', '[]')")
    conn.close()


_OPENER = """
import sys, time
from pathlib import Path
from checkin.db import open_db
Path(sys.argv[3]).touch()  # imported: ready
start = Path(sys.argv[2])
while not start.exists():
    time.sleep(0.001)
open_db(sys.argv[1], create=True).conn.close()
"""


@pytest.mark.parametrize("version", [0, 1])
def test_processes_opening_an_older_database_at_once_migrate_it_once(tmp_path, version):
    for round_ in range(2):
        path = tmp_path / f"old{round_}.sqlite"
        if version:
            _older_database(path, version)
        start = tmp_path / f"go{round_}"
        ready = [tmp_path / f"ready{round_}-{i}" for i in range(4)]
        procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(path), str(start),
                                   str(flag)], stderr=subprocess.PIPE, text=True)
                 for flag in ready]
        deadline = time.monotonic() + 60
        while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        start.touch()
        errors = [proc.communicate(timeout=120)[1] for proc in procs]
        assert all(proc.returncode == 0 for proc in procs), errors
        conn = keyed_connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_init_and_demo_at_once_make_one_event(tmp_path):
    for round_, delay in enumerate((0.0, 0.1, 0.25)):
        path = tmp_path / f"race{round_}.sqlite"
        demo = subprocess.Popen([sys.executable, "-m", "checkin", "--db", str(path), "demo"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        init = subprocess.Popen([sys.executable, "-m", "checkin", "--db", str(path), "init",
                                 "--event", "Init Congress", "--days", "2026-12-01"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        outputs = {name: proc.communicate(timeout=120)
                   for name, proc in (("demo", demo), ("init", init))}
        codes = {"demo": demo.returncode, "init": init.returncode}
        assert sorted(codes.values()) == [0, 1], (codes, outputs)
        loser = "demo" if codes["demo"] else "init"
        assert "already holds an event" in outputs[loser][1], outputs
        store = Store(open_db(path))
        name, count = store.event_info().name, store.attendee_count()
        if codes["demo"] == 0:
            assert (name, count) == ("Personalised Medicine Congress Berlin", 400)
        else:
            assert (name, count, store.event_info().days) == ("Init Congress", 0,
                                                              ["2026-12-01"])
        assert len(store.db.execute("SELECT * FROM public_keys").fetchall()) == 1
        store.close()
