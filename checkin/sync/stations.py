"""The hub's desks: registration, tokens, revocation, and what the hub saw of each.

Contract:

- ``add_station(store, name) -> str``: register a desk; returns its token
  (``secrets.token_urlsafe(32)``, 256 bits), which is shown once and stored only as its
  SHA-256 (hex). CheckinError for a name that is taken (revoked ones too) or not valid.
- ``revoke_station(store, name)``: its token answers 401 from then on.
- ``stations(store) -> list[StationInfo]``.
- ``authenticate(store, token) -> str | None``: the name of the active desk whose token
  this is (hashes compared with hmac.compare_digest), else None.
- ``record_contact(store, name, *, received=0, skew=None)``: last contact now; events
  received added; clock skew replaced when given (inside the caller's transaction).
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from checkin.errors import CheckinError
from checkin.store import Store, now

SKEW_WARNING = 60.0  # seconds: `checkin hub stations` flags a desk clock this far off
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


def revoke_station(store: Store, name: str) -> None:
    with store.transaction():
        row = store.db.execute(
            "SELECT revoked_at FROM sync_stations WHERE name = ?", [name]).fetchone()
        if row is None:
            raise CheckinError(f"no station named {name[:64]!r} "
                               "(`checkin hub stations` lists them)")
        if row[0] is not None:
            raise CheckinError(f"station {name!r} was already revoked on {row[0]}")
        store.db.execute("UPDATE sync_stations SET revoked_at = ? WHERE name = ?", [now(), name])


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
