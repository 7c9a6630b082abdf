"""A desk's own signing key, for the badges of its walk-ins (docs/sync.md, "Station keys").

A desk never holds the organiser's private key (checkin.keys), so it cannot sign a token
for someone it registers at the desk. It gets a key of its own instead: made when the desk
is paired (checkin.sync.pairing.pair, or its first sync), sent to the hub, which lists the
public half in public_keys under the desk's name and hands it to every desk through pull.
Revoking the desk at the hub revokes the key, and every token signed with it stops
verifying at every desk after its next sync.

Contract:

- ``station_key_path(db_path)``: ``DB.station-key`` beside the desk's database (PKCS#8
  PEM, mode 0600). Never in the database, never sent anywhere: the hub gets only the
  public key.
- ``ensure_station_key(db_path) -> StationKey``: the key, made on first call (created
  exclusively, so two processes never make two keys); CheckinError if the file is there
  but is not an Ed25519 key.
- ``replace_station_key(db_path) -> StationKey``: a fresh key in place of the file's (the
  hub found its key id taken, or the key was revoked). A key is replaced only when no
  desk could verify its tokens anyway, so nothing valid is lost.
- ``station_signer(store, db_path) -> tokens.Signer | None``: the signer, only when the
  key file is there and this database lists its public key, not revoked (it came back
  from the hub: then every desk that synced verifies what it signs). None otherwise,
  never an exception: a badge is printed with another code then.
- ``key_state(store, key_id) -> "listed" | "revoked" | None``.
"""

import base64
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checkin import tokens
from checkin.errors import CheckinError
from checkin.keys import read_private_key
from checkin.store import Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationKey:
    key_id: str
    public_key: str  # base64 of the raw 32 bytes, as public_keys holds it
    private_key: "Ed25519PrivateKey"


def station_key_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".station-key")


def _station_key(private_key: "Ed25519PrivateKey") -> StationKey:
    from cryptography.hazmat.primitives import serialization

    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
    return StationKey(tokens.key_id_for(raw), base64.b64encode(raw).decode("ascii"),
                      private_key)


def _pem(private_key: "Ed25519PrivateKey") -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def _write(path: Path, private_key: "Ed25519PrivateKey") -> None:
    """A new file readable by the owner only, on disk before this returns (O_EXCL)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, _pem(private_key))
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> StationKey | None:
    try:
        key = read_private_key(path)
    except CheckinError:
        raise CheckinError(f"{path} is not a station key (an unencrypted Ed25519 PEM key): "
                           "move it away, and this desk makes a new one") from None
    return _station_key(key) if key is not None else None


def ensure_station_key(db_path: Path) -> StationKey:
    """This desk's key, made on first use (see the module docstring)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = station_key_path(db_path)
    found = _read(path)
    if found is not None:
        return found
    key = Ed25519PrivateKey.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, key)
    except FileExistsError:  # another process made it first: use theirs
        found = _read(path)
        if found is None:
            raise CheckinError(f"cannot create the station key {path}") from None
        return found
    except OSError as exc:
        raise CheckinError(f"cannot create the station key {path}: {exc.strerror}") from None
    made = _station_key(key)
    log.info("station key %s made (%s)", made.key_id, path)
    return made


def replace_station_key(db_path: Path) -> StationKey:
    """A fresh key replaces the file (see the module docstring)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = station_key_path(db_path)
    tmp = path.with_name(path.name + ".new")
    key = Ed25519PrivateKey.generate()
    try:
        tmp.unlink(missing_ok=True)
        _write(tmp, key)
        os.replace(tmp, path)
    except OSError as exc:
        raise CheckinError(f"cannot write the station key {path}: {exc.strerror}") from None
    made = _station_key(key)
    log.info("station key %s made in place of the old one (%s)", made.key_id, path)
    return made


def key_state(store: Store, key_id: str) -> str | None:
    row = store.db.execute("SELECT revoked_at FROM public_keys WHERE key_id = ?",
                           [key_id]).fetchone()
    if row is None:
        return None
    return "revoked" if row[0] is not None else "listed"


def station_signer(store: Store, db_path: Path) -> tokens.Signer | None:
    """The station key's signer when every synced desk can verify it (module docstring)."""
    path = station_key_path(db_path)
    if not path.exists():
        return None
    try:
        key = _read(path)
    except CheckinError as exc:
        log.warning("station key not used: %s", exc)
        return None
    if key is None:
        return None
    row = store.db.execute("SELECT public_key, revoked_at FROM public_keys WHERE key_id = ?",
                           [key.key_id]).fetchone()
    if row is None or row[0] != key.public_key or row[1] is not None:
        return None  # not back from the hub yet, another key with its id, or revoked
    return tokens.Signer(key.key_id, key.private_key)
