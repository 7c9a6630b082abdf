"""The event's Ed25519 signing keys: the private key file, public keys in the database.

Contract (others call these):

- ``ensure_event_key(store, db_path) -> str``: if the key file beside the database
  (checkin.paths.key_path(db_path)) is missing, create it (PKCS#8 PEM, mode 0600, created
  exclusively so two processes never write two keys); register its public key and key id
  in the database (table public_keys, and a `key_added` event in the log); return the
  key id. Idempotent. `checkin init` calls it; so does `checkin demo`.
- ``rotate_key(store, db_path, *, revoke_old=False) -> str``: a new key replaces the key
  file; old public keys stay listed, so tokens signed with them still verify (unless
  revoke_old, for a leaked key: then they answer `invalid_signature`).
- ``public_keys(store) -> dict[key_id, Ed25519PublicKey]``: what verification uses.
- ``load_signer(store, db_path, strict=True) -> tokens.Signer | None``.

The private key never enters the database or the log: stations get only public keys. A
key file found with group or other access (copied with `cp`, unpacked from an archive) is
made owner-only when it is read.
"""

import base64
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checkin import paths, tokens
from checkin.errors import CheckinError
from checkin.store import Store, now

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

KEY_ADDED = "key_added"  # event types in the log
KEY_REVOKED = "key_revoked"


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    public_key: str  # base64 of the raw 32 bytes
    created_at: str
    revoked_at: str | None


def _public_raw(private_key: "Ed25519PrivateKey") -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _pem(private_key: "Ed25519PrivateKey") -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


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


def read_private_key(path: Path) -> "Ed25519PrivateKey | None":
    """The private key in path; None if there is no file; CheckinError if it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckinError(f"cannot read the signing key {path}: {exc.strerror}") from None
    _owner_only(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise CheckinError(f"{path} is not an unencrypted PEM signing key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckinError(f"{path} is not an Ed25519 key")
    return key


def _write_new_key_file(path: Path, private_key: "Ed25519PrivateKey", *, replace: bool) -> None:
    """Write the key readable by the owner only; O_EXCL so a concurrent writer loses cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = path.with_name(path.name + ".new") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    if replace and target.exists():
        target.unlink()
    fd = os.open(target, flags, 0o600)
    try:
        os.write(fd, _pem(private_key))
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(target, path)


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
        key_id = tokens.key_id_for(_public_raw(key))
        taken = store.db.execute(
            "SELECT 1 FROM public_keys WHERE key_id = ?", [key_id]).fetchone()
        if not taken:
            return key


def ensure_event_key(store: Store, db_path: Path) -> str:
    """Create the key file if missing, register its public key; the key id (see module doc)."""
    path = paths.key_path(Path(db_path))
    key = read_private_key(path)
    if key is None:
        key = _new_private_key(store)
        try:
            _write_new_key_file(path, key, replace=False)
        except FileExistsError:  # another process made it first: use theirs
            key = read_private_key(path)
            if key is None:
                raise CheckinError(f"cannot create the signing key {path}") from None
        except OSError as exc:
            raise CheckinError(f"cannot create the signing key {path}: {exc.strerror}") from None
    with store.transaction():
        key_id = _register(store, _public_raw(key))
    log.info("signing key %s in use (%s)", key_id, path)
    return key_id


def rotate_key(store: Store, db_path: Path, *, revoke_old: bool = False) -> str:
    """A new signing key replaces the key file; the key id of the new key."""
    path = paths.key_path(Path(db_path))
    key = _new_private_key(store)
    with store.transaction():
        key_id = _register(store, _public_raw(key))
        if revoke_old:
            for info in list_keys(store):
                if info.key_id != key_id and info.revoked_at is None:
                    store.db.execute("UPDATE public_keys SET revoked_at = ? WHERE key_id = ?",
                                     [now(), info.key_id])
                    store.append(KEY_REVOKED, None, payload={"key_id": info.key_id})
        # Write the file last but inside the transaction: if it fails, no key is listed
        # that nobody holds.
        try:
            _write_new_key_file(path, key, replace=True)
        except OSError as exc:
            raise CheckinError(f"cannot write the signing key {path}: {exc.strerror}") from None
    log.info("signing key rotated: new key %s%s (%s)", key_id,
             ", older keys revoked" if revoke_old else "", path)
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
        key = read_private_key(path)
        if key is None:
            if not list_keys(store):  # an event made before it had keys
                raise CheckinError(f"this event has no signing key yet: `checkin keys "
                                   f"rotate` creates one in {path}")
            raise CheckinError(
                f"no signing key at {path}: confirmations are issued on the organiser's "
                "machine, the one where `checkin init` created the event")
        raw = _public_raw(key)
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
