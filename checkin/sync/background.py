"""The station app's background sync: one step at a time, and when to take the next one.

No Qt: the station runs `step()` on its net lane (a thread with its own Store) and asks
`next_delay()` when to run it again; a scan never waits for any of it (the db lane has
its own connection, and SQLite's WAL lets both work at once).

Contract:
- ``step(store, db_path, before, *, final=False) -> SyncStatus``: one `sync_once` with
  the hub and token this database remembers. Never raises for the hub being away, slow
  or refusing: the status says so in one line, and `offline_since` keeps the time the
  hub was last lost. Without a remembered hub: `paired` is False and nothing is sent.
  `final`: the end of the day (`sync_once(final=True)`: the hub hears it): the status
  says whether the hub acknowledged every event of this desk (`all_synced`), how many
  events the desk holds, and a pretix-connected hub's final push (`pretix_final`).
  `hub_pretix`: such a hub's pretix state, from every step.
  The printer's condition, as the print lane last saw it (checkin.printing.reported),
  goes along to the hub for the organiser's live view.
- ``next_delay(status, failures) -> float``: seconds to the next step: EVERY_S while the
  hub answers; after failures 5, 10, 20, 40, then every 60 s (a hub that is away is not
  hammered, and one that comes back is found within a minute).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checkin.errors import CheckinError
from checkin.store import Store, now

if TYPE_CHECKING:
    from checkin.pretix.cycle import FinalPush, PretixState

log = logging.getLogger(__name__)

EVERY_S = 5.0
BACKOFF_S = (5.0, 10.0, 20.0, 40.0, 60.0)


@dataclass(frozen=True)
class SyncStatus:
    paired: bool = False
    online: bool = False
    hub: str = ""
    waiting: int = 0  # own events the hub has not acknowledged
    last_sync: str = ""  # ISO time of the last complete exchange
    offline_since: str = ""  # ISO time the hub stopped answering ("" while online)
    error: str = ""  # why the last step failed, one line
    clock_skew: float = 0.0  # seconds, the hub's clock minus this desk's
    pulled: int = 0  # events new to this desk in the last step
    all_synced: bool = False  # final step: the hub acknowledged every event of this desk
    events: int = 0  # final step: events this desk holds
    hub_pretix: PretixState | None = None  # a hub connected to pretix: how that stands
    pretix_final: FinalPush | None = None  # final step: the hub's final push to pretix


def step(store: Store, db_path: Path, before: SyncStatus, *, final: bool = False
         ) -> SyncStatus:
    from checkin.printing import reported
    from checkin.sync.client import outbox_count, remembered, sync_once

    hub, token = remembered(store, db_path)
    if not hub or not token:
        return SyncStatus(waiting=outbox_count(store))
    try:
        result = sync_once(store, db_path, hub, token, final=final,
                           printer=reported.latest(db_path))
    except CheckinError as exc:  # SyncError and a busy database alike: try again later
        if before.online or not before.offline_since:
            log.warning("background sync with %s failed: %s", hub, exc)
        return replace(before, paired=True, online=False, hub=hub, error=str(exc),
                       waiting=outbox_count(store), pulled=0, all_synced=False,
                       offline_since=before.offline_since or now())
    status = SyncStatus(paired=True, online=True, hub=hub, waiting=result.waiting,
                        last_sync=now(), clock_skew=result.clock_skew, pulled=result.pulled,
                        hub_pretix=result.pretix)
    if final:
        total = int(store.db.execute("SELECT count(*) FROM events").fetchone()[0])
        status = replace(status, all_synced=result.waiting == 0, events=total,
                         pretix_final=result.pretix_final)
        log.info("close of day: %s (%d events, %d waiting)",
                 "all synced" if status.all_synced else "NOT all synced", total,
                 result.waiting)
    return status


def next_delay(status: SyncStatus, failures: int) -> float:
    if status.online or failures <= 0:
        return EVERY_S
    return BACKOFF_S[min(failures, len(BACKOFF_S)) - 1]


def clock_of(iso: str) -> str:
    """HH:MM of an ISO time, for the status line ("offline since 09:12")."""
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M")
    except ValueError:
        return iso
