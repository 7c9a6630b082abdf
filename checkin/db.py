"""Open an event database: pragmas for durability and concurrency, then migrations.

An encrypted database (SQLCipher, docs/encryption.md) opens the same way: open_db finds
its passphrase (checkin.passphrases) and keys the connection (checkin.cipher) before
anything else is read; everything after that is the same SQL on the same schema.
"""

import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from checkin import __version__, cipher, files, passphrases, resources
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError

log = logging.getLogger(__name__)

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


def latest_version() -> int:
    """The newest schema this program knows (the number of its last migration)."""
    return max((number for number, _ in migrations()), default=0)


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> None:
    """A database a newer checkin migrated is never opened: its tables may mean things
    this program does not know, and writing them could break it for the newer one."""
    version, known = _version(conn), latest_version()
    if version > known:
        conn.close()
        log.warning("refused %s: schema %d, this program knows up to %d", path, version, known)
        raise CheckinError(
            f"{path} was made by a newer checkin (database schema {version}; this checkin "
            f"{__version__} reads schema up to {known}): open it with a checkin that knows "
            f"schema {version} (nothing was changed)")


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file (a --db typo, a browser profile) is never migrated:
    our tables and the demo event would be written into it, and WAL mode switched on."""
    # One statement, one snapshot: read apart, another process's first migration could
    # commit in between and make a new event database look like a foreign one.
    version, tables = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM "
        "sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%')").fetchone()
    if version:
        return
    if tables:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        raise CheckinError(f"{path}: an SQLite database of another program, not an event "
                           "database (nothing was changed in it)")


def statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one (sqlite3.complete_statement
    decides where one ends: semicolons inside strings and trigger bodies do not)."""
    found: list[str] = []
    buffer = ""
    for piece in script.split(";")[:-1]:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            found.append(buffer.strip())
            buffer = ""
    return found


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one exclusive transaction, re-reading the version
    inside it: processes that open an old database at once then migrate it once (the
    others wait for the lock and find it done), and a new file is created once."""
    if _version(conn) == latest_version():
        return
    conn.execute("BEGIN EXCLUSIVE")
    try:
        _refuse_foreign(conn, path)
        _refuse_newer(conn, path)
        current = _version(conn)
        for number, script_path in migrations():
            if number <= current:
                continue
            for statement in statements(script_path.read_text(encoding="utf-8")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            if current:
                log.info("migrated %s to schema %d", path, number)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# -- damage --------------------------------------------------------------------------------

# How much checking an open does (open_db's check): "full" runs PRAGMA quick_check (every
# page of every table and index read once: 0.2 s for 100,000 attendees, 123 MB, on the
# reference machine); "fast" does that only up to FAST_CHECK_BYTES and above it checks
# the small tables a scan trusts blindly (keys, revoked refs, meta), so that `checkin scan`
# stays fast on a huge event; "none" leaves it to SQLite's own checks of each page read.
# Damage found later is still reported in one line (describe_error, DatabaseDamaged).
FULL, FAST, NONE = "full", "fast", "none"
FAST_CHECK_BYTES = 32 * 1024 * 1024  # about 25,000 attendees; quick_check ~50 ms
_SMALL_TABLES = ("meta", "public_keys", "revoked_refs")

RECOVERY = ("nothing was written; restore the last backup (a copy of the event folder, or "
            "a *.replaced-* file that `checkin demo --force` kept) or copy the event "
            "database again from the hub or the organiser; `checkin doctor` lists the damage")


class DatabaseDamaged(CheckinError):
    """The event database file is damaged: refused, nothing written (str: what to do)."""


def damaged(path: Path, detail: str) -> DatabaseDamaged:
    return DatabaseDamaged(f"{path} is damaged ({detail}): {RECOVERY}")


def check_integrity(conn: sqlite3.Connection, path: Path, how: str = FULL) -> None:
    """DatabaseDamaged if SQLite's quick_check finds damage (see FULL, FAST, NONE)."""
    if how == NONE:
        return
    try:
        if how == FAST:
            # int(): on an encrypted file SQLCipher answers page_size as text
            pages, size = (int(conn.execute("PRAGMA page_count").fetchone()[0]),
                           int(conn.execute("PRAGMA page_size").fetchone()[0]))
            if pages * size > FAST_CHECK_BYTES:
                problems = [row for table in _SMALL_TABLES for row in conn.execute(
                    f"PRAGMA quick_check({table})").fetchall() if row != ("ok",)]
                _raise_if_damaged(conn, path, problems)
                return
        rows = conn.execute("PRAGMA quick_check").fetchall()
        _raise_if_damaged(conn, path, [row for row in rows if row != ("ok",)])
    except sqlite3.DatabaseError as exc:
        if describe_error(exc) != DAMAGED:
            raise
        _raise_if_damaged(conn, path, [(str(exc),)])


def _raise_if_damaged(conn: sqlite3.Connection, path: Path, problems: list[tuple[str]]) -> None:
    if not problems:
        return
    log.error("%s is damaged: %d problems found by quick_check, the first: %s", path,
              len(problems), "; ".join(str(row[0]) for row in problems[:20]))
    conn.close()
    raise damaged(path, str(problems[0][0]).splitlines()[0][:200])


def open_db(path: Path | str, *, create: bool = False, check: str = NONE,
            passphrase: str | None = None, encrypt: bool | None = None
            ) -> sqlite_utils.Database:
    """Open (or with create=True, make) an event database, migrated to the newest schema.

    check: FULL, FAST or NONE (see above): damage found is a DatabaseDamaged, and the
    database is then neither migrated nor written.
    passphrase: the one of an encrypted file (default: checkin.passphrases' sources); a
    wrong one is a cipher.WrongPassphrase, nothing written. encrypt: a new (missing or
    empty) file is made encrypted; None: when a passphrase is given or known for path,
    or $CHECKIN_ENCRYPT says so (checkin.passphrases.encrypt_new)."""
    path = Path(path)
    if not create and not path.exists():
        raise CheckinError(
            f"no event database at {path} (create one with `checkin init` or `checkin demo`)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _repair_companions(path)
    for _attempt in range(3):
        db = _open_once(path, check, passphrase, encrypt)
        if db is not None:
            return db
    raise CheckinError(f"{path} keeps being replaced while it is opened: try again")


def _open_once(path: Path, check: str, passphrase: str | None,
               encrypt: bool | None) -> sqlite_utils.Database | None:
    """open_db's work; None when the file was switched meanwhile (then open it again)."""
    before = _identity(path)
    new = _empty(path)
    conn: sqlite3.Connection | None = None
    try:
        conn = _connect(str(path), path, passphrase, encrypt, timeout=10,
                        isolation_level=None, check_same_thread=False)
        _refuse_foreign(conn, path)
        _refuse_newer(conn, path)
        if before is not None and _identity(path) != before:
            # `checkin encrypt`/`decrypt` switched the file while this connection waited
            # for its lock: it holds the old one, which nobody else sees any more.
            conn.close()
            log.info("%s was switched for a new file while opening it: opened again", path)
            return None
        check_integrity(conn, path, check)
        _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        # FULL: a commit is on disk before we report it; an admission survives power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        _retry_locked(lambda: _migrate(conn, path))
        return sqlite_utils.Database(conn)
    except (sqlite3.DatabaseError, cipher.WrongPassphrase) as exc:
        if new and cipher.is_encrypted(path) and (
                isinstance(exc, cipher.WrongPassphrase) or cipher.not_opened(exc)):
            # Another process made the new file at the same time, encrypted with a salt
            # of its own, and wrote first: open theirs (with the same passphrase).
            if conn is not None:
                conn.close()
            log.info("%s was made by another process at the same time: opened again", path)
            return None
        if isinstance(exc, CheckinError):
            raise
        if describe_error(exc) == DAMAGED:
            raise damaged(path, str(exc)) from None
        raise CheckinError(f"{path}: not a usable event database ({exc})") from None


def unlock(path: Path, passphrase: str | None = None) -> bool:
    """Make the passphrase of the encrypted file at path known to this process (the
    station app asks for it before its lanes open the database): the one given, else the
    first of checkin.passphrases' sources but the prompt. False when path is plain or
    missing; cipher.WrongPassphrase when it does not open it, CheckinError when there is
    none to try. Nothing is written."""
    path = Path(path)
    if not cipher.is_encrypted(path):
        return False
    tries = ([("the one given", passphrase)] if passphrase is not None
             else passphrases.candidates(path, prompt=False))
    for _source, secret in tries:
        try:
            cipher.connect(str(path), path, secret).close()
        except cipher.WrongPassphrase:
            continue
        passphrases.remember(path, secret)
        return True
    raise cipher.WrongPassphrase(f"{path}: the passphrase does not open it")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def connect(path: Path, *, read_only: bool = False, passphrase: str | None = None,
            **kwargs: Any) -> sqlite3.Connection:
    """A bare connection to an existing event database (no pragmas, no migration), keyed
    when the file is encrypted (the passphrase as open_db finds it); read_only: SQLite's
    mode=ro (`checkin doctor`). kwargs: those of sqlite3.connect."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise CheckinError(f"no event database at {path}")
        return _connect(f"file:{path}?mode=ro", path, passphrase, False, uri=True, **kwargs)
    return _connect(str(path), path, passphrase, False, **kwargs)


def _connect(target: str, path: Path, passphrase: str | None, encrypt: bool | None,
             **kwargs: Any) -> sqlite3.Connection:
    """sqlite3.connect(target, **kwargs) for the file path, keyed if it is encrypted (or
    about to be: see open_db's encrypt)."""
    if cipher.is_encrypted(path):
        return _open_encrypted(target, path, passphrase, **kwargs)
    if passphrase is not None and not _empty(path):
        raise CheckinError(f"{path} is not encrypted: `checkin encrypt` encrypts it "
                           "(nothing was changed)")
    secret = passphrase or passphrases.known(path)
    if _empty(path) and encrypt is not False and (
            encrypt or secret is not None or passphrases.encrypt_new()):
        secret = secret or passphrases.for_new(path)
        conn = cipher.connect(target, path, secret, new=True, **kwargs)
        passphrases.remember(path, secret)
        log.info("%s: a new encrypted database", path)
        return conn
    plain: sqlite3.Connection = sqlite3.connect(target, **kwargs)
    return plain


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


def _open_encrypted(target: str, file_path: Path, passphrase: str | None,
                    **kwargs: Any) -> sqlite3.Connection:
    """A keyed connection with the first passphrase that opens the file; WrongPassphrase
    naming the sources tried, or CheckinError when there was none to try."""
    tries = ([("the one given", passphrase)] if passphrase is not None
             else passphrases.candidates(file_path))
    tried: list[str] = []
    for source, secret in tries:
        try:
            conn = cipher.connect(target, file_path, secret, **kwargs)
        except cipher.WrongPassphrase:
            if source not in tried:
                tried.append(source)
            continue
        passphrases.remember(file_path, secret)
        return conn
    if not tried:
        raise CheckinError(
            f"{file_path}: not a usable event database without a passphrase (it is "
            f"encrypted, or damaged); give the passphrase: {passphrases.SOURCES_HELP}")
    log.warning("%s: no passphrase opened it (tried %s)", file_path, ", ".join(tried))
    raise cipher.WrongPassphrase(
        f"{file_path}: not a usable event database with the passphrase from "
        f"{' or '.join(tried)} (a wrong passphrase, or the file is damaged or another "
        "program's); nothing was changed")


def _retry_locked(step: Callable[[], object], patience: float = 10.0) -> None:
    """Run step, again while SQLite says "locked" without waiting for the busy timeout:
    switching a new file to WAL mode, or starting a migration, while another process
    does the same can fail at once (SQLite does not call the busy handler there)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.005)


# -- replacing a database -----------------------------------------------------------------

HELD_TIMEOUT = 1.0  # seconds to wait for a desk's brief transaction before calling it held


def hold_alone(conn: sqlite3.Connection, path: Path, doing: str) -> None:
    """Take path for this connection alone (exclusive locking, out of WAL mode), or
    CheckinError in one line when another connection has it open; doing names the
    change refused in the log."""
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        mode = "held"
    if mode != "delete":
        log.warning("refused to %s %s: another connection has it open", doing, path)
        raise CheckinError(
            f"{path} is open in another program (a desk, the hub, `checkin scan`, the "
            "station app?): close it there first; nothing was changed")


def replace_database(path: Path, build: Callable[[Path], None], backup: Path) -> None:
    """Replace the event database at path with the one build(temp_path) makes; the old one
    is copied to backup first. Refused (CheckinError, nothing changed) while any other
    connection has path open: a desk holding it would go on writing admissions into a
    file that nobody else can see any more.

    How: the old file is switched out of WAL mode under an exclusive lock, which SQLite
    grants only when no other connection has it open; the lock is then kept (locking_mode
    EXCLUSIVE) while the backup is written and the new content is copied in with SQLite's
    backup API. The file is never unlinked, so a process that starts meanwhile waits for
    the lock and then sees the new event, not a deleted one."""
    conn = connect(path, timeout=HELD_TIMEOUT, isolation_level=None)
    secret = passphrases.known(path)  # an encrypted event: the new one is encrypted too
    try:
        hold_alone(conn, path, "replace")
        conn.execute("VACUUM INTO ?", [str(backup)])
        files.fsync_file(backup)
        folder = path.parent
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=folder)
        os.close(fd)
        temp = Path(name)
        temp.unlink()  # build() creates the database itself
        if secret is not None:
            passphrases.remember(temp, secret)  # open_db makes it encrypted (_connect)
        try:
            build(temp)
            source = connect(temp, isolation_level=None)
            try:
                source.backup(conn)
            finally:
                source.close()
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{temp}{suffix}").unlink(missing_ok=True)
            passphrases.forget(temp)
        log.info("replaced the event database %s (the old one is %s)", path, backup)
    finally:
        try:
            conn.execute("PRAGMA locking_mode=NORMAL")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # drops the lock
        except sqlite3.Error:
            pass
        conn.close()


# -- errors in words ----------------------------------------------------------------------


DAMAGED = "the event database is damaged"


def describe_error(exc: sqlite3.Error) -> str:
    """A SQLite failure in the words a desk can act on (the exception text otherwise)."""
    text = str(exc)
    lowered = text.lower()
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return "the disk is full"
    if "locked" in lowered or "busy" in lowered:
        return "the event database is busy (another program is writing to it)"
    if "readonly" in lowered or "read-only" in lowered:
        return "the event database cannot be written (read-only file, folder or disk)"
    if "malformed" in lowered or "corrupt" in lowered:
        return DAMAGED
    if "disk i/o error" in lowered:
        return "the disk reported an error"
    return text


def _repair_companions(path: Path) -> None:
    """Make a -shm/-wal file that was left read-only writable again, as the database is
    (see unwritable_companion); CheckinError saying what to do when it is not ours."""
    if unwritable_companion(path) is None:
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    for suffix in ("-shm", "-wal"):
        companion = Path(f"{path}{suffix}")
        if companion.exists() and not os.access(companion, os.W_OK):
            try:
                os.chmod(companion, mode)
            except OSError:
                pass
            else:
                log.warning("%s was read-only (left from when the database was read-only): "
                            "made writable again like the database (mode %o)", companion, mode)
    problem = unwritable_companion(path)
    if problem:
        log.warning("refused to open %s: %s", path, problem)
        raise CheckinError(problem)


def unwritable_companion(path: Path) -> str | None:
    """Why SQLite will fail to write path although the file itself is writable: its -shm
    or -wal file left read-only (by a copy, a `chmod` of the folder's files, another user
    who opened it), which keeps failing after the database's own mode is restored. None
    when there is no such file."""
    if not os.access(path, os.W_OK):
        return None  # the database itself is read-only: that says it already
    for suffix, fix in (("-shm", "while no program uses the database, delete it (SQLite "
                                 "makes a new one) or make it writable"),
                        ("-wal", "make it writable (never delete it: it holds the latest "
                                 "changes)")):
        companion = Path(f"{path}{suffix}")
        if companion.exists() and not os.access(companion, os.W_OK):
            return (f"{companion} is read-only (left from when the database was read-only, "
                    f"or made by another user), so writes fail: {fix}")
    return None
