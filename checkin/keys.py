"""The event's Ed25519 signing keys: the private key file, public keys in the database.

Contract (others call these):

- ``ensure_event_key(store, db_path, *, set_aside_stale=False) -> str``: if the key file
  beside the database (checkin.paths.key_path(db_path)) is missing, create it (PKCS#8
  PEM, mode 0600) and register its public key and key id in the database (table
  public_keys, and a `key_added` event in the log); return the key id. Idempotent. A key
  file that is there but not listed in this database (left from another event beside a
  new database path), or that is a link, or that another user owns or can write, is
  refused with one line (set_aside_stale: renamed aside instead; the station's automatic
  demo event). `checkin init` calls it; so does `checkin demo`.
- ``rotate_key(store, db_path, *, revoke_old=False) -> str``: a new key replaces the key
  file; old public keys stay listed, so tokens signed with them still verify (unless
  revoke_old, for a leaked key: then they answer `invalid_signature`, and every
  attendee gets a fresh ref, the old ones revoked, so that the unsigned ``CK0`` form of
  a ref read from an old token answers `cancelled`; docs/tokens.md). Refused for a key
  file this database does not list (it would be overwritten).
- ``recover_pending(store, db_path)``: finish or undo a key change a crash interrupted;
  ensure_event_key, rotate_key and load_signer call it first.
- ``public_keys(store) -> dict[key_id, Ed25519PublicKey]``: what verification uses.
- ``load_signer(store, db_path, strict=True) -> tokens.Signer | None``.

Key changes are safe against a crash or a full disk at every step (_install): the new key
is written beside the old one and flushed, its public key committed, and only then the
file switched; the old key file stays until then. The private key never enters the
database or the log: stations get only public keys. A key file found with group or other
read access (copied with `cp`, unpacked from an archive) is made owner-only when read.

The key file of an encrypted database is encrypted with the same passphrase (the one
that opened the database in this process: checkin.passphrases.known): PKCS#8 PEM under
a password that is the passphrase stretched as SQLCipher stretches it (PBKDF2-HMAC-SHA512,
256,000 rounds, checkin.cipher.derive) with a salt of its own, written on a first line
``checkin-key-salt: HEX`` before the PEM; so a guess costs as much on the key file as on
the database. ``reencrypt_key_file`` switches a key file between plain and encrypted
(`checkin encrypt` / `decrypt`). A plain key file beside an encrypted database is still
read (`checkin encrypt` was interrupted between its two switches; it finishes it).
"""

import base64
import errno
import logging
import os
import stat
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checkin import cipher, files, passphrases, paths, tokens
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Event
from checkin.store import Store, new_refs, now

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

log = logging.getLogger(__name__)

KEY_ADDED = "key_added"  # event types in the log
KEY_REVOKED = "key_revoked"
# An attendee's ref replaced, the old one revoked (checkin.confirmations uses the same type;
# it is defined here because confirmations imports this module).
TOKEN_REVOKED = "token_revoked"


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    public_key: str  # base64 of the raw 32 bytes
    created_at: str
    revoked_at: str | None


def key_id_of(private_key: "Ed25519PrivateKey") -> str:
    return tokens.key_id_for(public_raw(private_key))


def public_raw(private_key: "Ed25519PrivateKey") -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


SALT_LINE = b"checkin-key-salt: "


def _pem(private_key: "Ed25519PrivateKey", passphrase: str | None = None) -> bytes:
    """The key file's bytes: plain PKCS#8 PEM, or encrypted with passphrase (module doc)."""
    from cryptography.hazmat.primitives import serialization

    if passphrase is None:
        return private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
    salt = os.urandom(cipher.SALT_BYTES)
    password = cipher.derive(passphrase, salt).hex().encode("ascii")
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password))
    return SALT_LINE + salt.hex().encode("ascii") + b"\n" + pem


def secret_of(db_path: Path) -> str | None:
    """The passphrase of db_path's key file: the database's, when it is encrypted."""
    return passphrases.known(db_path)


def is_encrypted_key(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(SALT_LINE)) == SALT_LINE
    except OSError:
        return False


def _owner_only(path: Path) -> None:
    """Take group/other access away from a key file copied or unpacked with looser rights.

    The key must stay readable by its owner only; a copy made with `cp` or unpacked from
    an archive usually is not. Best effort: a file we do not own is left as it is.
    """
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass


def read_private_key(path: Path, passphrase: str | None = None) -> "Ed25519PrivateKey | None":
    """The private key in path (encrypted: with passphrase, see the module doc); None if
    there is no file; CheckinError if it is not one, or passphrase does not open it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckinError(f"cannot read the signing key {path}: {exc.strerror}") from None
    _owner_only(path)
    password = None
    if data.startswith(SALT_LINE):
        first, _, data = data.partition(b"\n")
        if passphrase is None:
            raise CheckinError(f"the signing key {path} is encrypted: open its event database "
                               "with the passphrase first")
        try:
            salt = bytes.fromhex(first[len(SALT_LINE):].decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise CheckinError(f"{path} is not a signing key (its salt line is damaged)"
                               ) from None
        password = cipher.derive(passphrase, salt).hex().encode("ascii")
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError):
        if password is not None:
            raise CheckinError(f"the passphrase does not open the signing key {path} (it "
                               "is another event's, or damaged)") from None
        raise CheckinError(f"{path} is not an unencrypted PEM signing key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckinError(f"{path} is not an Ed25519 key")
    return key


def pending_path(path: Path) -> Path:
    """Where a new key waits until the database lists it (see _install)."""
    return path.with_name(path.name + ".next")


def _check_key_file(path: Path) -> None:
    """Refuse to adopt a key file that is a link, or that another user owns or can write:
    whoever can write it can make this event sign with their key."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CheckinError(f"cannot read the signing key {path}: {exc.strerror}") from None
    problem = ""
    if stat.S_ISLNK(info.st_mode):
        problem = "it is a symbolic link"
    elif not stat.S_ISREG(info.st_mode):
        problem = "it is not a regular file"
    elif os.name == "posix" and info.st_uid != os.geteuid():
        problem = f"it belongs to another user (uid {info.st_uid})"
    elif os.name == "posix" and info.st_mode & 0o022:
        problem = "other users can write it"
    if problem:
        log.warning("refused the signing key file %s: %s", path, problem)
        raise CheckinError(f"refused the signing key {path}: {problem}; nothing was changed "
                           "(move it away, or make it yours and owner-only)")


def _write_exclusive(path: Path, private_key: "Ed25519PrivateKey",
                     passphrase: str | None = None) -> None:
    """A new file, owner-only, on disk before this returns; O_EXCL: a concurrent writer
    fails instead of both writing. A file left half-written (full disk) is removed.
    passphrase: the file is encrypted with it (module doc)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    try:
        try:
            data = _pem(private_key, passphrase)
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    files.fsync_dir(path.parent)


def _register(store: Store, public_raw: bytes) -> str:
    """List a public key in the database (inside the caller's transaction); its key id."""
    key_id = tokens.key_id_for(public_raw)
    encoded = base64.b64encode(public_raw).decode("ascii")
    row = store.db.execute(
        "SELECT public_key FROM public_keys WHERE key_id = ?", [key_id]).fetchone()
    if row is not None:
        if row[0] != encoded:
            raise CheckinError(f"key id {key_id} is already taken by another key")
        return key_id
    created = now()
    store.db.execute(
        "INSERT INTO public_keys (key_id, algorithm, public_key, created_at) VALUES (?, ?, ?, ?)",
        [key_id, "ed25519", encoded, created])
    store.append(KEY_ADDED, None, payload={"key_id": key_id, "algorithm": "ed25519",
                                           "public_key": encoded})
    return key_id


def _new_private_key(store: Store) -> "Ed25519PrivateKey":
    """A fresh key whose 20-bit key id is not yet used in this database."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    while True:
        key = Ed25519PrivateKey.generate()
        key_id = tokens.key_id_for(public_raw(key))
        taken = store.db.execute(
            "SELECT 1 FROM public_keys WHERE key_id = ?", [key_id]).fetchone()
        if not taken:
            return key


def _listed(store: Store, key: "Ed25519PrivateKey") -> bool:
    raw = public_raw(key)
    row = store.db.execute("SELECT public_key FROM public_keys WHERE key_id = ?",
                           [tokens.key_id_for(raw)]).fetchone()
    return row is not None and base64.b64decode(row[0]) == raw


def recover_pending(store: Store, db_path: Path) -> None:
    """Finish or undo a key change that a crash or a full disk interrupted (see _install):
    a waiting key that the database lists becomes the key file; one it does not list was
    never used and is removed. Logged: a supporter wants to know."""
    path = paths.key_path(Path(db_path))
    pending = pending_path(path)
    if not pending.exists():
        return
    with store.transaction():  # no rotation of another process is half-way meanwhile
        if not pending.exists():
            return
        try:
            key = read_private_key(pending, secret_of(db_path))
        except CheckinError:
            key = None  # torn by a crash before it was complete: never listed
        try:
            if key is not None and _listed(store, key):
                os.replace(pending, path)
                files.fsync_dir(path.parent)
                log.warning("completed an interrupted key change: %s is now the signing key "
                            "%s", path, tokens.key_id_for(public_raw(key)))
            else:
                pending.unlink()
                files.fsync_dir(path.parent)
                log.warning("removed %s: a new signing key that was never registered "
                            "(a key change was interrupted); the key file is unchanged",
                            pending)
        except OSError as exc:
            raise CheckinError(f"cannot finish the interrupted key change in {path}: "
                               f"{exc.strerror}") from None


def _install(store: Store, db_path: Path, key: "Ed25519PrivateKey", *,
             revoke_old: bool = False) -> str:
    """Make key the event's signing key, safe against a crash or a full disk at any step:

    1. the new key is written beside the old one (``.key.next``) and flushed to disk;
    2. its public key is committed to the database (with the revocations asked for);
    3. only then it is renamed over the key file, and the rename made durable.

    A failure in 1 or 2 removes the new file and leaves the old key and the database as
    they were; a crash between 2 and 3 is finished by recover_pending on the next start.
    The old key file is never touched before the new key is listed."""
    path = paths.key_path(Path(db_path))
    pending = pending_path(path)
    if store.db.conn.in_transaction:
        raise RuntimeError("a key change commits on its own: call it outside a transaction")
    written = False
    try:
        with store.transaction():  # the write lock first: recover_pending waits for it
            try:
                _write_exclusive(pending, key, secret_of(db_path))
            except FileExistsError:
                raise CheckinError(f"another key change is under way ({pending} exists); "
                                   "try again") from None
            except OSError as exc:
                raise CheckinError(f"cannot write the new signing key beside {path}: "
                                   f"{exc.strerror}; the key is unchanged") from None
            written = True
            key_id = _register(store, public_raw(key))
            if revoke_old:
                _revoke_others(store, key_id)
    except sqlite3.Error as exc:
        if written:
            pending.unlink(missing_ok=True)
        log.warning("key change not committed (%s); the key file is unchanged", exc)
        raise CheckinError(f"the new signing key was not saved ({exc}); the key in {path} "
                           "and the database are unchanged") from None
    except BaseException:
        if written:
            pending.unlink(missing_ok=True)
        raise
    # Committed (Store.transaction raises if COMMIT fails, and then the pending file goes).
    try:
        os.replace(pending, path)
    except FileNotFoundError:
        # Another process's recover_pending switched it for us once we committed.
        if not _holds(path, key, secret_of(db_path)):
            raise CheckinError(f"the new key {key_id} is registered but {path} does not hold "
                               "it; run `checkin keys list` to repair") from None
    except OSError as exc:
        raise CheckinError(f"the new key {key_id} is registered but not yet in {path} "
                           f"({exc.strerror}); the next `checkin keys list` finishes it"
                           ) from None
    files.fsync_dir(path.parent)
    log.info("signing key %s installed in %s", key_id, path)
    return key_id


def _holds(path: Path, key: "Ed25519PrivateKey", passphrase: str | None) -> bool:
    try:
        found = read_private_key(path, passphrase)
    except CheckinError:
        return False
    return found is not None and public_raw(found) == public_raw(key)


def _revoke_others(store: Store, key_id: str) -> None:
    revoked = []
    for info in list_keys(store):
        if info.key_id != key_id and info.revoked_at is None:
            store.db.execute("UPDATE public_keys SET revoked_at = ? WHERE key_id = ?",
                             [now(), info.key_id])
            store.append(KEY_REVOKED, None, payload={"key_id": info.key_id})
            log.warning("signing key %s revoked", info.key_id)
            revoked.append(info.key_id)
    if revoked:
        _renew_refs(store, f"key {', '.join(revoked)} revoked")


def _renew_refs(store: Store, reason: str) -> None:
    """Give every attendee a fresh ref and list the old ones as revoked (inside the
    caller's transaction): a revoked key's tokens stop verifying, but the ref each of them
    carries in plain text would still admit as the unsigned form ``CK0`` + ref, inside a
    URL or typed through a keyboard layout (docs/tokens.md). Which refs the key signed is
    not known (a station with the key signs badges on demand), so all of them go."""
    rows = store.db.execute("SELECT id, ref FROM attendees").fetchall()
    if not rows:
        return
    stamp = now()
    fresh = new_refs(len(rows))
    conn = store.db.conn
    conn.executemany(
        "INSERT INTO revoked_refs (ref, attendee_id, reason, revoked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (ref) DO NOTHING", [(ref, aid, reason, stamp) for aid, ref in rows])
    conn.executemany("UPDATE attendees SET ref = ? WHERE id = ?",
                     [(new, aid) for (aid, _), new in zip(rows, fresh, strict=True)])
    store.append_many([
        Event(uuid=str(uuid.uuid4()), type=TOKEN_REVOKED, attendee_id=aid,
              station=store.station, operator=store.operator, time=stamp, day=None,
              payload={"ref": ref, "new_ref": new, "reason": reason})
        for (aid, ref), new in zip(rows, fresh, strict=True)])
    log.warning("%s: %d attendee refs renewed; issue new confirmations", reason, len(rows))


def check_adoptable(db_path: Path, store: Store | None = None) -> None:
    """CheckinError if ensure_event_key would refuse the key file beside db_path: call it
    before creating anything, so a refusal changes nothing. store None: the database is
    about to be created (it lists no key yet)."""
    path = paths.key_path(Path(db_path))
    _check_key_file(path)
    try:
        key = read_private_key(path, secret_of(db_path))
    except CheckinError:
        if not is_encrypted_key(path):
            raise
        log.warning("refused to adopt %s: encrypted, and not with this event's passphrase",
                    path)
        raise CheckinError(
            f"{path} already exists and is not this event's signing key (left from "
            "another event?): move it away; nothing was changed") from None
    if key is not None and (store is None or not _listed(store, key)):
        log.warning("refused to adopt %s: its key is not one of this event's", path)
        raise CheckinError(
            f"{path} already exists and is not this event's signing key (left from "
            "another event?): move it away; nothing was changed")


def ensure_event_key(store: Store, db_path: Path, *, set_aside_stale: bool = False) -> str:
    """Create the key file if missing, register its public key; the key id (see module doc).

    A key file that is already there must be one this database lists: a file left from
    another event beside a new database path is refused (set_aside_stale: renamed to
    ``.key.stale-<time>`` instead, for the station's automatic demo event), and so is a
    file another user owns or can write."""
    path = paths.key_path(Path(db_path))
    recover_pending(store, db_path)
    _check_key_file(path)
    key = read_private_key(path, secret_of(db_path))
    if key is not None:
        if _listed(store, key):
            return tokens.key_id_for(public_raw(key))
        if not set_aside_stale:
            check_adoptable(db_path, store)  # raises: not listed
        aside = path.with_name(f"{path.name}.stale-{datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        log.warning("set aside %s as %s: not this event's signing key", path, aside)
    return _install(store, db_path, _new_private_key(store))


def rotate_key(store: Store, db_path: Path, *, revoke_old: bool = False) -> str:
    """A new signing key replaces the key file; the key id of the new key (see _install)."""
    path = paths.key_path(Path(db_path))
    recover_pending(store, db_path)
    _check_key_file(path)
    current = read_private_key(path, secret_of(db_path))
    if current is not None and not _listed(store, current):
        raise CheckinError(f"{path} is not this event's signing key: rotating would "
                           "overwrite a key of another event; move it away first")
    key_id = _install(store, db_path, _new_private_key(store), revoke_old=revoke_old)
    log.info("signing key rotated to %s%s", key_id, " (older keys revoked)" if revoke_old
             else "")
    return key_id


def list_keys(store: Store) -> list[KeyInfo]:
    rows = store.db.execute(
        "SELECT key_id, public_key, created_at, revoked_at FROM public_keys "
        "ORDER BY created_at, key_id").fetchall()
    return [KeyInfo(r[0], r[1], r[2], r[3]) for r in rows]


def public_keys(store: Store) -> dict[str, "Ed25519PublicKey"]:
    """The keys tokens verify with: every listed key that is not revoked."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    found = {}
    for info in list_keys(store):
        if info.revoked_at is None:
            raw = base64.b64decode(info.public_key)
            found[info.key_id] = Ed25519PublicKey.from_public_bytes(raw)
    return found


def load_signer(store: Store, db_path: Path, *, strict: bool = True) -> tokens.Signer | None:
    """The signer for this database, from the key file beside it.

    strict: a missing, unreadable, unlisted or revoked key is a CheckinError; otherwise None.
    """
    path = paths.key_path(Path(db_path))
    try:
        recover_pending(store, db_path)
        key = read_private_key(path, secret_of(db_path))
        if key is None:
            if not list_keys(store):  # an event made before it had keys
                raise CheckinError(f"this event has no signing key yet: `checkin keys "
                                   f"rotate` creates one in {path}")
            raise CheckinError(
                f"no signing key at {path}: confirmations are issued on the organiser's "
                "machine, the one where `checkin init` created the event")
        raw = public_raw(key)
        key_id = tokens.key_id_for(raw)
        listed = {info.key_id: info for info in list_keys(store)}.get(key_id)
        if listed is None or base64.b64decode(listed.public_key) != raw:
            raise CheckinError(f"the signing key {path} does not belong to this event database")
        if listed.revoked_at is not None:
            raise CheckinError(f"the signing key {key_id} is revoked (run `checkin keys rotate`)")
    except CheckinError:
        if strict:
            raise
        return None
    return tokens.Signer(key_id, key)


def reencrypt_key_file(db_path: Path, old: str | None, new: str | None) -> bool:
    """Rewrite db_path's key file encrypted with new (None: plain), read with old (or as
    it is, if it is plain): the new file is written and flushed beside it, then renamed
    over it. False when there is no key file (a desk). CheckinError, the file unchanged,
    when old does not open it."""
    path = paths.key_path(Path(db_path))
    _check_key_file(path)
    key = read_private_key(path, old if is_encrypted_key(path) else None)
    if key is None:
        return False
    beside = path.with_name(path.name + ".rekey")
    beside.unlink(missing_ok=True)  # left by an interrupted run: the key file still counts
    try:
        _write_exclusive(beside, key, new)
        os.replace(beside, path)
    except OSError as exc:
        beside.unlink(missing_ok=True)
        raise CheckinError(f"cannot rewrite the signing key {path}: {exc.strerror}; it is "
                           "unchanged") from None
    files.fsync_dir(path.parent)
    log.info("signing key file %s is now %s", path, "encrypted" if new else "plain")
    return True
