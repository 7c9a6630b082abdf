"""Pairing the station app's own database with a hub by one scanned code.

Contract: ``pair_and_sync(db_path, pairing) -> PairResult``, called while no connection
of this process is open on db_path (the station app shuts its lanes down first):

- The database at db_path holds the hub's event already, or nothing yet: it is paired
  (checkin.sync.pairing.pair) and synced.
- It holds only the demo event (what the app made on its first start): the demo is set
  aside as ``<name>.demo-<time>.sqlite`` beside it (with its key), and the hub's event is
  made in its place by the first sync, so the desk keeps working on the path it always
  uses. If that first sync fails (the hub away, a wrong code), the new files are removed
  and the demo is put back: nothing is lost either way.
- It holds another real event: PairingError, nothing changed (a desk never mixes two
  events; pair a new database instead: `checkin-station --db NEW.sqlite`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.store import Store
from checkin.sync.pairing import Pairing, PairingError, pair

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairResult:
    hub: str
    event: str
    attendees: int
    pulled: int
    demo_kept_at: Path | None  # where the demo event was set aside, if it was


def _companions(db_path: Path) -> list[Path]:
    """The database and every file that belongs to it (WAL, key, token, station key)."""
    return [db_path.with_name(db_path.name + suffix)
            for suffix in ("", "-wal", "-shm", ".key", ".hub-token", ".station-key")]


def _what_it_holds(db_path: Path) -> tuple[str | None, bool]:
    """(event name or None, made from the demo)."""
    if not db_path.exists():
        return None, False
    store = Store(open_db(db_path))
    try:
        return store.meta("event_name"), store.created_from("demo")
    finally:
        store.close()


def _set_aside(db_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.stem}.demo-{stamp}{db_path.suffix}")
    store = Store(open_db(db_path))
    try:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    for source in _companions(db_path):
        if source.exists():
            source.replace(aside.with_name(aside.name + source.name[len(db_path.name):]))
    return aside


def _put_back(db_path: Path, aside: Path) -> None:
    for target in _companions(db_path):
        target.unlink(missing_ok=True)
        moved = aside.with_name(aside.name + target.name[len(db_path.name):])
        if moved.exists():
            moved.replace(target)


def _follow_the_hub(db_path: Path, pairing: Pairing) -> None:
    """An encrypted hub: the new database is encrypted too (docs/encryption.md), with the
    passphrase this station already uses (the demo's), else one from
    checkin.passphrases (the app asks for it)."""
    from checkin import passphrases
    from checkin.sync import hub_status

    seen = hub_status.peek(pairing.url, pairing.token, pairing.fingerprint)
    if seen.encrypted:
        passphrases.remember(db_path, passphrases.known(db_path)
                             or passphrases.for_new(db_path))


def pair_and_sync(db_path: Path, pairing: Pairing) -> PairResult:
    from checkin.sync.client import sync_once

    event, demo = _what_it_holds(db_path)
    aside: Path | None = None
    if event is not None and demo:
        aside = _set_aside(db_path)
        log.info("pairing: the demo event %s was set aside as %s", db_path, aside)
    store: Store | None = None
    try:
        if not db_path.exists():
            _follow_the_hub(db_path, pairing)
        pair(db_path, pairing)
        store = Store(open_db(db_path))
        result = sync_once(store, db_path)
        info = store.event_info()
        count = store.attendee_count()
    except CheckinError as exc:
        if store is not None:
            store.close()
            store = None
        if aside is not None:
            _put_back(db_path, aside)
        if event is not None and not demo and "another event" in str(exc):
            raise PairingError(f"this desk holds the event {event!r}, not the hub's: start "
                               "the station with a new database (checkin-station --db "
                               "NEW.sqlite) and scan the code there") from None
        raise
    finally:
        if store is not None:
            store.close()
    log.info("pairing: %s now works on %r from %s (%d attendees)", db_path, info.name,
             pairing.url, count)
    return PairResult(pairing.url, info.name, count, result.pulled, aside)
