"""The SQLite driver of the whole program: SQLCipher's build of Python's sqlite3 module.

Contract: ``from checkin.dbapi import sqlite3`` wherever the standard ``import sqlite3``
would stand (tests/test_encryption_layering.py refuses the standard one in checkin/).
The module is sqlcipher3's ``dbapi2`` (the package sqlcipher3-binary: SQLCipher with its
own SQLite and OpenSSL inside the wheel); it has the standard module's API, and without
``PRAGMA key`` it reads and writes plain SQLite files exactly as the standard one does.
For the type checker it *is* the standard module (same API, and typed).

Why one driver for everything, plain files included:

- Exceptions: ``except sqlite3.IntegrityError`` only catches the driver's own classes;
  with two drivers every ``except`` in the program would need both.
- Locks: two SQLite libraries in one process do not see each other's POSIX locks on the
  same file (sqlite.org/howtocorrupt.html, 2.2.1): a desk's lanes on one library and a
  check on the other could both write. So this process never opens an event database
  with the standard module.

SQLCipher's own log (a wrong key writes "hmac check failed" lines to stderr) is switched
off here: a wrong passphrase is one line from checkin.db, nothing else.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3 as sqlite3
else:
    from sqlcipher3 import dbapi2 as sqlite3

__all__ = ["CIPHER_VERSION", "sqlite3"]


def _quiet() -> str:
    """Switch SQLCipher's log off (a process-wide setting); its version."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        row = conn.execute("PRAGMA cipher_version").fetchone()
        return str(row[0]) if row else ""
    finally:
        conn.close()


CIPHER_VERSION = _quiet()  # e.g. "4.12.0 community"
