"""Faults a real event database can have, made on purpose (no Qt, no mocks).

damage_pages and page_of read the dbstat table with the standard sqlite3 module
(checkin.dbapi's SQLCipher build has none); they run while the program under test has
the file closed, so two SQLite libraries never hold it at once."""

import sqlite3 as standard_sqlite3
from pathlib import Path

from checkin.db import connect as keyed_connect  # keyed when encrypted


def refuse_inserts(db_path: Path, table: str, message: str) -> None:
    """Make every write into table fail, as a full disk would (from another connection)."""
    conn = keyed_connect(db_path)
    conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                 f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    conn.commit()
    conn.close()


def damage_pages(db_path: Path, table: str, *, keep: set[int] = frozenset(),
                 count: int | None = None) -> list[int]:
    """Overwrite leaf pages of table in the database file with garbage, as a failing disk
    or an interrupted copy would (keep: page numbers left whole; count: how many, default
    all). The database must be closed or its WAL checkpointed; returns the pages hit."""
    conn = standard_sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [row[0] for row in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
        [table])]
    conn.close()
    hit = [p for p in pages if p not in keep][:count]
    with open(db_path, "r+b") as handle:
        for page in hit:
            handle.seek((page - 1) * size)
            handle.write(bytes([0xA5, 0x5A]) * (size // 2))
    return hit


def page_of(db_path: Path, table: str, rowid_sql: str, params: list[object]) -> int:
    """The leaf page of table holding the row rowid_sql selects (its rowid)."""
    conn = standard_sqlite3.connect(db_path)
    try:
        rowid = conn.execute(rowid_sql, params).fetchone()[0]
        # dbstat has no rowids: find the leaf whose cells cover it by walking in order.
        leaves = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            [table])]
        counts = [row[0] for row in conn.execute(
            "SELECT ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            [table])]
        ordinal = conn.execute(f"SELECT count(*) FROM {table} WHERE rowid < ?",
                               [rowid]).fetchone()[0]
    finally:
        conn.close()
    for page, cells in zip(leaves, counts, strict=True):
        if ordinal < cells:
            return int(page)
        ordinal -= cells
    raise LookupError(rowid)
