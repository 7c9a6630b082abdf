"""SQLCipher keys: whether a file is encrypted, and connections that carry its key.

Contract (checkin.db and checkin.encryption call these; docs/encryption.md):

- ``is_encrypted(path) -> bool``: the file exists, is not empty and does not start with
  SQLite's plain header. (A damaged or foreign file looks the same: opening it with a
  passphrase then fails as a wrong passphrase would, and says both.)
- ``connect(target, path, passphrase=None, *, new=False, **kwargs)``: a connection (target
  and kwargs as for ``sqlite3.connect``) to the file at path, keyed before anything is read:
  passphrase None is a plain file; for a new or empty file (new=True) a fresh random salt
  is made. The key is checked here: ``WrongPassphrase`` (a CheckinError, one line,
  nothing written) when it does not open the file.
- ``raw_key(passphrase, salt) -> str``: the key as SQLCipher's raw-key literal.
- ``key_clause(passphrase)``: the same for a new database (ATTACH ... KEY ?).

Why raw keys: SQLCipher turns a passphrase into the page key with PBKDF2-HMAC-SHA512,
256,000 rounds (its default, on purpose slow: 0.2 s here), on every connection. The
station opens several (one per lane, one per hub thread, one per `checkin` command), so
the key is derived here once per process and file (the salt is the file's first 16
bytes) and handed over raw. The derivation is SQLCipher 4's own, so the same file opens
with the passphrase in the `sqlcipher` shell and any SQLCipher 4 program.
"""

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

from checkin.dbapi import sqlite3
from checkin.errors import CheckinError

log = logging.getLogger(__name__)

PLAIN_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
KDF_ROUNDS = 256_000  # SQLCipher 4's defaults: PBKDF2-HMAC-SHA512, 32-byte key
KEY_BYTES = 32
COMPATIBILITY = 4  # pinned: a later SQLCipher with other defaults still opens these files
MIN_LENGTH = 8  # a new passphrase shorter than this is refused (checkin.passphrases)

_derived: dict[tuple[str, bytes], bytes] = {}
_lock = threading.Lock()


class WrongPassphrase(CheckinError):
    """The passphrase does not open the database (or it is no database): nothing written."""


def header(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(len(PLAIN_HEADER))
    except FileNotFoundError:
        return b""


def is_encrypted(path: Path | str) -> bool:
    start = header(Path(path))
    return len(start) >= SALT_BYTES and start != PLAIN_HEADER


def derive(passphrase: str, salt: bytes) -> bytes:
    """SQLCipher 4's page key for passphrase and salt (cached for this process)."""
    with _lock:
        found = _derived.get((passphrase, salt))
    if found is None:
        found = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS,
                                    KEY_BYTES)
        with _lock:
            _derived[(passphrase, salt)] = found
    return found


def raw_key(passphrase: str, salt: bytes) -> str:
    return f"x'{derive(passphrase, salt).hex()}{salt.hex()}'"


def key_clause(passphrase: str | None) -> str:
    """What ATTACH ... KEY takes for a new database: its raw key, or "" for a plain one."""
    return raw_key(passphrase, os.urandom(SALT_BYTES)) if passphrase is not None else ""


def not_opened(exc: Exception) -> bool:
    """Whether exc is SQLite's "file is not a database" (what a wrong key gives)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code == 26 or "file is not a database" in str(exc)  # SQLITE_NOTADB


def apply_key(conn: sqlite3.Connection, path: Path, passphrase: str, *,
              new: bool = False) -> None:
    """Key conn (nothing read yet) for the file at path; WrongPassphrase if it does not
    open it. new: the file is empty or missing, and gets a fresh salt."""
    start = b"" if new else header(path)
    if not new and len(start) < SALT_BYTES:
        new = True  # an empty file is a new database
    salt = os.urandom(SALT_BYTES) if new else start[:SALT_BYTES]
    # The literal is hex digits only: nothing in it can end the statement.
    conn.execute(f"PRAGMA key = \"{raw_key(passphrase, salt)}\"")
    conn.execute(f"PRAGMA cipher_compatibility = {COMPATIBILITY}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if not not_opened(exc):
            raise
        conn.close()
        log.warning("%s: the passphrase given does not open it", path)
        raise WrongPassphrase(
            f"{path}: the passphrase does not open it (a wrong passphrase, or the file is "
            "not an event database); nothing was changed") from None


def connect(target: str, path: Path, passphrase: str | None = None, *, new: bool = False,
            **kwargs: Any) -> sqlite3.Connection:
    """sqlite3.connect(target, **kwargs) for the file at path (target: the path, or a
    ``file:`` URI for it with uri=True), keyed when passphrase is given (module doc)."""
    conn: sqlite3.Connection = sqlite3.connect(target, **kwargs)
    if passphrase is not None:
        try:
            apply_key(conn, Path(path), passphrase, new=new)
        except BaseException:
            conn.close()
            raise
    return conn
