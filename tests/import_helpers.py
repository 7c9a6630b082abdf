"""Shared helpers for the import tests: a store on a fresh event database, file writers."""

import csv
import io
from pathlib import Path

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.store import Store


def new_store(path: Path, days: tuple[str, ...] = ("2026-12-01", "2026-12-02")) -> Store:
    store = Store(open_db(path, create=True), station="desk-test")
    store.set_event("Test Congress", list(days))
    return store


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def snapshot(db_path: Path) -> tuple[list[tuple[object, ...]], int]:
    """Attendee rows and event count, read through a separate connection."""
    conn = keyed_connect(db_path)
    try:
        attendees = conn.execute("SELECT * FROM attendees ORDER BY id").fetchall()
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()
    return attendees, events
