"""Open an event database: pragmas for durability and concurrency, then migrations."""

import re
import sqlite3
from pathlib import Path

import sqlite_utils

from checkin import resources
from checkin.errors import CheckinError

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations(folder: Path | None = None) -> list[tuple[int, Path]]:
    folder = folder or resources.migrations()
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return found


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file (a --db typo, a browser profile) is never migrated:
    our tables and the demo event would be written into it, and WAL mode switched on."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version:
        return
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()[0]
    if tables:
        conn.close()
        raise CheckinError(f"{path}: an SQLite database of another program, not an event "
                           "database (nothing was changed in it)")


def _migrate(db: sqlite_utils.Database) -> None:
    current = schema_version(db)
    for number, path in migrations():
        if number <= current:
            continue
        script = path.read_text(encoding="utf-8")
        # executescript commits first; BEGIN inside the script keeps each migration atomic.
        db.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


def open_db(path: Path | str, *, create: bool = False) -> sqlite_utils.Database:
    """Open (or with create=True, make) an event database, migrated to the newest schema."""
    path = Path(path)
    if not create and not path.exists():
        raise CheckinError(
            f"no event database at {path} (create one with `checkin init` or `checkin demo`)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        _refuse_foreign(conn, path)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we report it; an admission survives power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        db = sqlite_utils.Database(conn)
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        raise CheckinError(f"{path}: not a usable event database ({exc})") from None
    return db
