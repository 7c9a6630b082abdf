"""The hub's desks: registration, tokens, revocation, and what the hub saw of each.

Contract:

- ``add_station(store, name) -> str``: register a desk; returns its token
  (``secrets.token_urlsafe(32)``, 256 bits), which is shown once and stored only as its
  SHA-256 (hex). CheckinError for a name that is taken (revoked ones too) or not valid.
- ``revoke_station(store, name) -> list[str]``: its token answers 401 from then on, and
  its station keys are revoked (a ``key_revoked`` event each, in the same transaction):
  the desks pull the revocation, and tokens signed with those keys stop verifying.
  Returns the key ids revoked.
- ``register_station_key(store, name, public_key) -> str``: list a desk's own public key
  (base64 of the raw 32 Ed25519 bytes) in public_keys under the desk's name, with a
  ``key_added`` event; returns its key id. Repeating it changes nothing. KeyIdTaken when
  another key has the same 20-bit key id (the desk makes a new key), KeyRefused for a key
  listed for someone else, revoked, malformed, or one key too many (MAX_STATION_KEYS).
- ``stations(store) -> list[StationInfo]``.
- ``authenticate(store, token) -> str | None``: the name of the active desk whose token
  this is (hashes compared with hmac.compare_digest), else None.
- ``record_contact(store, name, *, received=0, skew=None)``: last contact now; events
  received added; clock skew replaced when given (inside the caller's transaction).
- ``record_report(store, name, *, printer, waiting, station_name)``: what the desk said
  of itself with its push (REPORTED: the optional push fields; None: not said, and a
  printer or count not said is shown as not reported; the station name is kept).
"""

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from checkin.errors import CheckinError
from checkin.store import Store, now
from checkin.sync.protocol import KEY_ADDED, KEY_REVOKED

log = logging.getLogger(__name__)

REPORTED = ("printer", "waiting", "station_name")  # optional push fields (docs/live.md)
SKEW_WARNING = 60.0  # seconds: `checkin hub stations` flags a desk clock this far off
# Keys one desk may list: a desk makes a new key only when its database is made anew or
# its key was refused, so more than this is a fault (or a stolen token) filling the list.
MAX_STATION_KEYS = 16
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


@dataclass(frozen=True)
class StationInfo:
    name: str
    created_at: str
    revoked_at: str | None
    last_contact: str | None
    events_received: int
    clock_skew: float | None  # seconds; hub time minus the desk's

    @property
    def skew_flagged(self) -> bool:
        return self.clock_skew is not None and abs(self.clock_skew) > SKEW_WARNING


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise CheckinError(f"{name[:40]!r} is not a station name: 1-64 letters, digits, "
                           "spaces, dots, dashes or underscores, starting with a letter or digit")
    return name


def add_station(store: Store, name: str) -> str:
    name = _check_name(name)
    token = secrets.token_urlsafe(32)
    with store.transaction():
        if store.db.execute("SELECT 1 FROM sync_stations WHERE name = ?", [name]).fetchone():
            raise CheckinError(f"a station named {name!r} already exists "
                               "(`checkin hub stations` lists them)")
        store.db.execute(
            "INSERT INTO sync_stations (name, token_sha256, created_at) VALUES (?, ?, ?)",
            [name, token_hash(token), now()])
    return token


class KeyIdTaken(CheckinError):
    """Another key has this key's id: the desk makes a new key and tries again."""


class KeyRefused(CheckinError):
    """The hub does not list this key for this desk (one line says why)."""


def revoke_station(store: Store, name: str) -> list[str]:
    with store.transaction():
        row = store.db.execute(
            "SELECT revoked_at FROM sync_stations WHERE name = ?", [name]).fetchone()
        if row is None:
            raise CheckinError(f"no station named {name[:64]!r} "
                               "(`checkin hub stations` lists them)")
        if row[0] is not None:
            raise CheckinError(f"station {name!r} was already revoked on {row[0]}")
        when = now()
        store.db.execute("UPDATE sync_stations SET revoked_at = ? WHERE name = ?", [when, name])
        revoked = [str(r[0]) for r in store.db.execute(
            "SELECT key_id FROM public_keys WHERE station = ? AND revoked_at IS NULL "
            "ORDER BY key_id", [name]).fetchall()]
        for key_id in revoked:
            store.db.execute("UPDATE public_keys SET revoked_at = ? WHERE key_id = ?",
                             [when, key_id])
            store.append(KEY_REVOKED, None, payload={"key_id": key_id, "station": name,
                                                     "reason": "station revoked"})
    log.info("hub: station %s revoked%s", name,
             f", its keys {', '.join(revoked)} too" if revoked else "")
    return revoked


def register_station_key(store: Store, name: str, public_key: str) -> str:
    """List a desk's public key under its name; its key id (see the module docstring)."""
    from checkin.tokens import key_id_for

    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyRefused("public_key must be the base64 of a raw 32-byte Ed25519 key")
    canonical = base64.b64encode(raw).decode("ascii")
    key_id = key_id_for(raw)
    with store.transaction():
        row = store.db.execute(
            "SELECT public_key, station, revoked_at FROM public_keys WHERE key_id = ?",
            [key_id]).fetchone()
        if row is not None and row[0] != canonical:
            raise KeyIdTaken(f"key id {key_id} is taken by another key: make a new key")
        if row is not None:
            if row[1] != name:
                raise KeyRefused(f"key {key_id} is listed for "
                                 f"{'station ' + repr(row[1]) if row[1] else 'the event'}")
            if row[2] is not None:
                raise KeyRefused(f"key {key_id} was revoked on {row[2]}: make a new key")
            return key_id
        count = store.db.execute("SELECT count(*) FROM public_keys WHERE station = ?",
                                 [name]).fetchone()[0]
        if count >= MAX_STATION_KEYS:
            raise KeyRefused(f"station {name!r} has {count} keys already, the most a desk "
                             "may have: register the desk anew (`checkin hub add-station`)")
        store.db.execute(
            "INSERT INTO public_keys (key_id, algorithm, public_key, created_at, station) "
            "VALUES (?, 'ed25519', ?, ?, ?)", [key_id, canonical, now(), name])
        store.append(KEY_ADDED, None, payload={"key_id": key_id, "algorithm": "ed25519",
                                               "public_key": canonical, "station": name})
    log.info("hub: station key %s of %s listed", key_id, name)
    return key_id


def stations(store: Store) -> list[StationInfo]:
    rows = store.db.execute(
        "SELECT name, created_at, revoked_at, last_contact, events_received, clock_skew "
        "FROM sync_stations ORDER BY name").fetchall()
    return [StationInfo(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]


def authenticate(store: Store, token: str) -> str | None:
    if not token or len(token) > 256:
        return None
    wanted = token_hash(token)
    found = None
    # Every active hash is compared in constant time: how long this takes does not tell
    # how much of a guessed token's hash matched.
    for name, stored in store.db.execute(
            "SELECT name, token_sha256 FROM sync_stations WHERE revoked_at IS NULL"):
        if hmac.compare_digest(stored, wanted):
            found = str(name)
    return found


def record_contact(store: Store, name: str, *, received: int = 0,
                   skew: float | None = None) -> None:
    store.db.execute(
        "UPDATE sync_stations SET last_contact = ?, events_received = events_received + ?, "
        "clock_skew = coalesce(?, clock_skew) WHERE name = ?",
        [now(), received, skew, name])


def record_report(store: Store, name: str, *, printer: str | None, waiting: int | None,
                  station_name: str | None) -> None:
    store.db.execute(
        "UPDATE sync_stations SET printer = ?, waiting = ?, "
        "event_station = coalesce(?, event_station) WHERE name = ?",
        [printer, waiting, station_name, name])
