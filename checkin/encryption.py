"""`checkin encrypt` / `checkin decrypt`: an existing event database, and its signing key
file, switched between plain and encrypted (docs/encryption.md).

Contract:

- ``encrypt(path, passphrase) -> Outcome`` / ``decrypt(path) -> Outcome`` (decrypt needs
  the passphrase as open_db finds it). Atomic: the new file is written beside the
  database (``.NAME.encrypting-*`` / ``.NAME.decrypting-*``) with SQLCipher's
  ``sqlcipher_export``, flushed, opened again and compared with the original (schema
  version, every table's row count, quick_check), and only then renamed over it. Any
  failure before the rename, an interruption included, leaves the original as it was
  (the file left beside is removed, or by the next run); CheckinError in one line.
- Refused while another connection has the database open (a desk, the hub, `checkin
  scan`): the original is held under SQLite's exclusive lock from the check to the
  rename, as checkin.db.replace_database does, so no admission is written into a file
  that is about to be replaced. A process that opened the path meanwhile notices the
  switch (checkin.db.open_db) and opens the new file.
- The signing key file follows (checkin.keys.reencrypt_key_file). The order keeps the
  one in-between state that is readable, an encrypted database with a plain key: encrypt
  switches the database first, then the key; decrypt the key first, then the database.
  An encrypt interrupted between the two is finished by running it again.
- The OS keyring's entry for the database: kept on encrypt when asked (--keyring),
  removed on decrypt.
"""

import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checkin import cipher, db, files, keys, passphrases, paths, search_cache
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    path: Path
    tables: int
    rows: int  # rows copied, all tables
    key_file: bool  # the signing key file was rewritten too
    already: bool = False  # nothing to do: it was so already


def _leftovers(path: Path) -> None:
    """Remove what an interrupted run left beside path (never the database itself)."""
    for stale in path.parent.glob(f".{path.name}.*crypting-*"):
        stale.unlink(missing_ok=True)
        log.warning("removed %s, left by an interrupted `checkin encrypt`/`decrypt`", stale)


def _counts(conn: sqlite3.Connection, schema: str = "main") -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: int(conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0])
            for name in names}


def _export(conn: sqlite3.Connection, target: Path, new_passphrase: str | None) -> None:
    """Write the database of conn into target, keyed for new_passphrase (None: plain)."""
    conn.execute("ATTACH DATABASE ? AS target KEY ?",
                 [str(target), cipher.key_clause(new_passphrase)])
    try:
        conn.execute("SELECT sqlcipher_export('target')")
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        conn.execute(f"PRAGMA target.user_version = {version}")  # not copied by the export
    finally:
        conn.execute("DETACH DATABASE target")


def _verify(target: Path, new_passphrase: str | None, version: int,
            counts: dict[str, int]) -> None:
    check = cipher.connect(str(target), target, new_passphrase, isolation_level=None)
    try:
        problems = [row[0] for row in check.execute("PRAGMA quick_check").fetchall()
                    if row[0] != "ok"]
        found_version = int(check.execute("PRAGMA user_version").fetchone()[0])
        found = _counts(check)
    finally:
        check.close()
    if problems or found_version != version or found != counts:
        log.error("the %s copy of the database differs: %s, version %d/%d, counts %s/%s",
                  "encrypted" if new_passphrase else "plain", problems[:3], found_version,
                  version, found, counts)
        raise CheckinError("the new copy did not read back the same; the database is "
                           "unchanged (the details are in the log)")


def _switch(path: Path, old_passphrase: str | None, new_passphrase: str | None) -> Outcome:
    """Write, verify and switch (module doc); old_passphrase None: path is plain."""
    what = "encrypting" if new_passphrase is not None else "decrypting"
    _leftovers(path)
    conn = db.connect(path, passphrase=old_passphrase, timeout=db.HELD_TIMEOUT,
                      isolation_level=None)
    temp: Path | None = None
    try:
        db.hold_alone(conn, path, "switch")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if not version:
            raise CheckinError(f"{path} is not an event database (nothing was changed)")
        counts = _counts(conn)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{what}-", dir=path.parent)
        os.close(fd)
        temp = Path(name)
        temp.unlink()  # SQLite makes it
        _export(conn, temp, new_passphrase)
        _verify(temp, new_passphrase, version, counts)
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode))  # who may read it stays the same
        files.fsync_file(temp)
        key_file = False
        if new_passphrase is None:  # decrypt: the key first (module doc)
            key_file = keys.reencrypt_key_file(path, old_passphrase, None)
        os.replace(temp, path)
        temp = None
        files.fsync_dir(path.parent)
    except sqlite3.Error as exc:
        log.warning("%s %s failed: %s", what, path, exc)
        raise CheckinError(f"{what} {path} failed: {db.describe_error(exc)}; the database "
                           "is unchanged") from None
    finally:
        if temp is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{temp}{suffix}").unlink(missing_ok=True)
        conn.close()  # after the rename: the old file stays locked until then
    passphrases.forget(path)
    if new_passphrase is not None:
        search_cache.cache_path(path).unlink(missing_ok=True)  # names in the clear
        passphrases.remember(path, new_passphrase)
        try:
            key_file = keys.reencrypt_key_file(path, None, new_passphrase)
        except CheckinError as exc:
            raise CheckinError(f"{path} is encrypted now, but its signing key file is not "
                               f"yet ({exc}): run `checkin encrypt` again") from None
    log.info("%s: %s done (%d tables, %d rows; key file %s)", path, what, len(counts),
             sum(counts.values()), "rewritten" if key_file else "none")
    return Outcome(path, len(counts), sum(counts.values()), key_file)


def encrypt(path: Path, passphrase: str | None) -> Outcome:
    """Encrypt the plain event database at path (and its key file) with passphrase. One
    that is encrypted already (passphrase not needed: it opens as usual) only gets its
    key file encrypted, if an interrupted run left it plain."""
    path = Path(path)
    if not path.exists():
        raise CheckinError(f"no event database at {path}")
    if cipher.is_encrypted(path):
        opened = db.open_db(path)
        opened.conn.close()
        secret = passphrases.known(path)
        key_file = (paths.key_path(path).exists() and not keys.is_encrypted_key(
            paths.key_path(path)) and keys.reencrypt_key_file(path, None, secret))
        return Outcome(path, 0, 0, key_file, already=True)
    if passphrase is None:
        raise CheckinError(f"{path} is to be encrypted, but no passphrase was given: "
                           f"{passphrases.SOURCES_HELP}")
    passphrases.check_new(passphrase)
    return _switch(path, None, passphrase)


def decrypt(path: Path) -> Outcome:
    """Decrypt the event database at path (and its key file); the passphrase as open_db
    finds it (checkin.passphrases)."""
    path = Path(path)
    if not path.exists():
        raise CheckinError(f"no event database at {path}")
    if not cipher.is_encrypted(path):
        return Outcome(path, 0, 0, False, already=True)
    opened = db.open_db(path)  # finds and checks the passphrase; migrates an old schema
    opened.conn.close()
    secret = passphrases.known(path)
    assert secret is not None  # open_db remembers the one that opened it
    outcome = _switch(path, secret, None)
    passphrases.keyring_delete(path)
    return outcome
