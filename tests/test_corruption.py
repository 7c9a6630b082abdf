"""A damaged event database (pages overwritten, as a failing disk or a torn copy leaves
them) is refused in one line that says how to recover, never admitted into, exported
from, or reported as an internal error; `checkin doctor` says what is wrong."""

import os
import sys
from pathlib import Path

import pytest

from checkin.dbapi import sqlite3
from tests.conftest import run_checkin
from tests.db_faults import damage_pages, page_of
from tests.test_replace_database import Desk

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes"),
    # tests/db_faults.py finds the pages to damage with the standard sqlite3 (dbstat);
    # damage to an encrypted file: tests/test_encryption.py
    pytest.mark.skipif(os.environ.get("CHECKIN_ENCRYPT") == "1",
                       reason="damages plain files only"),
]


def _demo(db: Path) -> list[str]:
    assert run_checkin("--db", str(db), "demo").returncode == 0
    conn = sqlite3.connect(db)
    codes = [row[0] for row in conn.execute(
        "SELECT code FROM attendees WHERE status = 'confirmed' AND days = '[]' ORDER BY id")]
    conn.close()
    return codes


def _checkins(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM events WHERE type = 'checkin'")
                   .fetchone()[0])
    finally:
        conn.close()


def _assert_refused(result) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "is damaged" in result.stderr and "backup" in result.stderr
    assert "internal" not in result.stderr and "fault of checkin" not in result.stderr


def test_a_damaged_database_is_refused_by_commands_that_write_or_export(db_path, tmp_path):
    codes = _demo(db_path)
    keep = page_of(db_path, "attendees", "SELECT rowid FROM attendees WHERE code = ?",
                   [codes[0]])
    assert damage_pages(db_path, "attendees", keep={keep}, count=2)
    before = _checkins(db_path)
    _assert_refused(run_checkin("--db", str(db_path), "scan", codes[0]))
    assert _checkins(db_path) == before, "nothing may be admitted into a damaged database"
    out = tmp_path / "attendance.csv"
    _assert_refused(run_checkin("--db", str(db_path), "export", "attendance", "--out",
                                str(out)))
    assert not out.exists()
    for command in (["import", str(out)], ["undo", "PMC-0001"], ["attendees"],
                    ["keys", "rotate"]):
        _assert_refused(run_checkin("--db", str(db_path), *command))


def test_damage_found_while_running_is_one_line_not_an_internal_error(db_path):
    codes = _demo(db_path)
    desk = Desk(db_path)  # opened (and checked) while the file was whole
    try:
        assert desk.scan(codes[0])["verdict"] == "ok"
        keep = page_of(db_path, "attendees", "SELECT rowid FROM attendees WHERE code = ?",
                       [codes[0]])
        damage_pages(db_path, "attendees", keep={keep})
        assert desk.proc.stdin is not None
        desk.proc.stdin.write(codes[-1] + "\n")
        desk.proc.stdin.close()
        desk.proc.wait(timeout=60)
        assert desk.proc.stderr is not None
        errors = desk.proc.stderr.read()
        assert desk.proc.returncode == 1, errors
        assert len(errors.splitlines()) == 1 and "is damaged" in errors, errors
    finally:
        for stream in (desk.proc.stdout, desk.proc.stderr):
            if stream is not None:
                stream.close()


def test_doctor_reports_each_check_and_fails_on_damage(db_path):
    _demo(db_path)
    healthy = run_checkin("--db", str(db_path), "doctor")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    lines = healthy.stdout.splitlines()
    for name in ("integrity", "schema", "event", "keys", "key file", "print queue",
                 "disk space"):
        assert any(line.split(":")[0].split(maxsplit=1)[-1] == name for line in lines), (
            name, lines)
    assert all(line.startswith(("ok ", "warn ")) for line in lines), lines
    damage_pages(db_path, "attendees", count=1)
    damaged = run_checkin("--db", str(db_path), "doctor")
    assert damaged.returncode == 1
    assert any(line.startswith("FAIL  integrity") for line in damaged.stdout.splitlines()), (
        damaged.stdout)
    assert "Traceback" not in damaged.stderr


def test_the_station_refuses_a_damaged_database_in_one_line(db_path):
    from checkin import desk
    from checkin.db import DatabaseDamaged

    _demo(db_path)
    damage_pages(db_path, "events", count=1)
    ctx = desk.DbContext(db_path, "desk-1", "")
    with pytest.raises(DatabaseDamaged) as refused:
        desk.open_event(ctx)
    message = desk.message_of(refused.value)
    assert "\n" not in message and "is damaged" in message and "backup" in message
