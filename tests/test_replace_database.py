"""Replacing an event database (`checkin demo --force`) that another process holds open is
refused; with nobody holding it, the old one is kept as a backup, key file included."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.paths import key_path
from tests.conftest import run_checkin

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")


def _codes(path: Path, count: int) -> list[str]:
    conn = keyed_connect(path)
    try:
        rows = conn.execute("SELECT code FROM attendees WHERE status = 'confirmed' "
                            "AND days = '[]' ORDER BY id LIMIT ?", [count]).fetchall()
    finally:
        conn.close()
    return [row[0] for row in rows]


def _checkins(path: Path) -> set[str]:
    conn = keyed_connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT uuid FROM events WHERE type = 'checkin'")}
    finally:
        conn.close()


class Desk:
    """A real `checkin scan -` process: holds the database open between scans, as a desk."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "checkin", "--db", str(path), "scan", "--json",
             "--station", "desk-held", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def scan(self, text: str) -> dict[str, object]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer: dict[str, object] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def test_demo_force_is_refused_while_a_desk_holds_the_database(db_path: Path) -> None:
    assert run_checkin("--db", str(db_path), "demo").returncode == 0
    first, second = _codes(db_path, 2)
    desk = Desk(db_path)
    try:
        admitted = desk.scan(first)
        assert admitted["verdict"] == "ok"
        result = run_checkin("--db", str(db_path), "demo", "--force")
        assert result.returncode == 1, result.stdout + result.stderr
        assert len(result.stderr.splitlines()) == 1
        assert "open in another program" in result.stderr
        assert "Traceback" not in result.stderr
        assert not list(db_path.parent.glob("*.replaced-*")), "nothing may change"
        # The desk goes on, and what it reports is in the file everybody else opens.
        later = desk.scan(second)
        assert later["verdict"] == "ok"
        assert {admitted["event"], later["event"]} <= _checkins(db_path)
    finally:
        desk.close()
    # Nobody holds it any more: replaced, the old database and its key kept as a backup.
    old_key = key_path(db_path).read_bytes()
    result = run_checkin("--db", str(db_path), "demo", "--force")
    assert result.returncode == 0, result.stderr
    backups = list(db_path.parent.glob("event.replaced-*.sqlite"))
    assert len(backups) == 1
    assert {admitted["event"], later["event"]} <= _checkins(backups[0])
    assert _checkins(db_path) == set()
    assert key_path(backups[0]).read_bytes() == old_key
    assert key_path(db_path).read_bytes() != old_key
    listed = keyed_connect(db_path).execute("SELECT count(*) FROM public_keys").fetchone()
    assert listed[0] == 1
