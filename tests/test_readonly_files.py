"""A database once made read-only leaves read-only -shm/-wal files behind (SQLite creates
them with the database's mode); after the database's mode is restored every write kept
failing. Now they are made writable again (logged), or, when that is not ours to do,
one line says which file and what to do. Runs the CLI without root's right to write
anything (setpriv drops the capabilities), so file modes apply as on a desk laptop."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from tests.conftest import run_checkin

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root and setpriv to run a process that file modes apply to")


def _as_user(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", "--bounding-set=-all", "--inh-caps=-all",
                           sys.executable, "-m", "checkin", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())


def _first_code(db: Path) -> str:
    conn = keyed_connect(db)
    try:
        return str(conn.execute("SELECT code FROM attendees WHERE status = 'confirmed' "
                                "AND days = '[]' ORDER BY id").fetchone()[0])
    finally:
        conn.close()


def test_a_read_only_shm_left_behind_is_repaired_and_logged(db_path: Path) -> None:
    assert run_checkin("--db", str(db_path), "demo").returncode == 0
    code = _first_code(db_path)
    db_path.chmod(0o444)
    listed = _as_user(db_path, "attendees", "--limit", "1")  # reading works, and leaves
    assert listed.returncode == 0, listed.stderr
    shm = Path(f"{db_path}-shm")
    assert shm.exists() and not os.stat(shm).st_mode & 0o200  # ... a read-only -shm
    db_path.chmod(0o644)
    result = _as_user(db_path, "scan", "--json", code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"verdict": "ok"' in result.stdout
    log = Path(os.environ["CHECKIN_LOG"]).read_text()
    assert "was read-only" in log and str(shm) in log


def test_a_read_only_shm_we_cannot_change_is_explained(db_path: Path) -> None:
    assert run_checkin("--db", str(db_path), "demo").returncode == 0
    code = _first_code(db_path)
    db_path.chmod(0o444)
    assert _as_user(db_path, "attendees", "--limit", "1").returncode == 0
    shm = Path(f"{db_path}-shm")
    os.chown(shm, 4321, 4321)  # another user's file: not ours to chmod
    db_path.chmod(0o644)
    result = _as_user(db_path, "scan", code)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert f"{shm} is read-only" in result.stderr and "delete it" in result.stderr
    doctor = _as_user(db_path, "doctor")
    assert doctor.returncode == 1 and f"FAIL  files: {shm} is read-only" in doctor.stdout
