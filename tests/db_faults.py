"""Faults a real event database can have, made on purpose (no Qt, no mocks)."""

import sqlite3
from pathlib import Path


def refuse_inserts(db_path: Path, table: str, message: str) -> None:
    """Make every write into table fail, as a full disk would (from another connection)."""
    conn = sqlite3.connect(db_path)
    conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                 f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    conn.commit()
    conn.close()
