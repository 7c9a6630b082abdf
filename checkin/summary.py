"""What `checkin report`'s one-page summary shows (checkin.report_files writes the files,
checkin.summary_pdf draws the page), at the hub or at a desk.

Contract:

- ``summarise(store, day) -> Summary``: the day's figures (checkin.reports.day_report),
  conflicts, no-shows (confirmed, registered for the day, not admitted, not merged away)
  and walk-ins, and the sync state, from one read transaction.
- ``check_day(info, day)``: the day asked for, or the default; CheckinError (one line)
  for a day that is not an event day.
- ``sync_state(store) -> SyncState``: what this database is (hub, desk, or alone) and,
  for a desk, whether it is fully synced (outbox empty: checkin.sync.client.outbox_count).
  A desk that is not still gets its report; the PDF and ``SyncState.warning`` say so.
- ``default_day(days, today)``: today if it is an event day, else the last event day
  before it, else the first.

Everything is derived from the log with the rules the desks use (Store.admissions_in_force,
merged registrations counted once), so the report agrees with every synced desk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from checkin.conflicts import Conflict, conflicts
from checkin.errors import CheckinError
from checkin.merging import WALK_IN
from checkin.models import Attendee, EventInfo
from checkin.reports import DayReport, day_report
from checkin.store import ATTENDEE_CREATED, Store, now, today
from checkin.text import fold_search


@dataclass(frozen=True)
class DeskState:
    name: str
    last_contact: str | None
    final_at: str | None


@dataclass(frozen=True)
class SyncState:
    kind: str  # "hub", "desk" or "alone" (a database that syncs with nobody)
    hub: str = ""  # a desk's hub address
    outbox: int = 0  # a desk's events the hub has not acknowledged
    last_sync: str | None = None  # a desk's last complete sync (hub time)
    desks: list[DeskState] = field(default_factory=list)  # at the hub: active desks

    @property
    def fully_synced(self) -> bool:
        return self.kind != "desk" or self.outbox == 0

    @property
    def detail(self) -> str:
        """Why this desk is not fully synced, and what to do; "" when it is."""
        if self.fully_synced:
            return ""
        events = "1 event" if self.outbox == 1 else f"{self.outbox} events"
        last = f" (last sync {self.last_sync[:16].replace('T', ' ')})" if self.last_sync \
            else " (never synced)"
        return (f"{events} of this desk have not reached the hub{last}; this report lacks "
                "what other desks did since, and the hub lacks this desk's events: run "
                "`checkin sync --final`, then report again")

    @property
    def warning(self) -> str:
        """One line when this desk is not fully synced; "" otherwise."""
        return f"not fully synced: {self.detail}" if self.detail else ""


@dataclass(frozen=True)
class Summary:
    event: EventInfo
    day: str
    made_at: str
    database: str  # the database's file name
    sync: SyncState
    report: DayReport
    conflicts: list[Conflict]
    no_shows: list[Attendee]  # registered for the day, confirmed, not admitted
    walk_ins: int  # registered at a desk that day

    def no_shows_by(self, attribute: str) -> list[tuple[str, int]]:
        """(role or country code, no-shows), most first."""
        counts = Counter(getattr(a, attribute) or "" for a in self.no_shows)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def default_day(days: list[str], on: str) -> str:
    if not days or on in days:
        return on
    before = [d for d in days if d < on]
    return before[-1] if before else days[0]


def sync_state(store: Store) -> SyncState:
    hub = store.meta("sync_hub")
    if hub or store.meta("sync_hub_id"):
        from checkin.sync.client import LAST_KEY, outbox_count

        return SyncState("desk", hub=hub or "", outbox=outbox_count(store),
                         last_sync=store.meta(LAST_KEY))
    desks = [DeskState(str(r[0]), r[1], r[2]) for r in store.db.execute(
        "SELECT name, last_contact, final_at FROM sync_stations WHERE revoked_at IS NULL "
        "ORDER BY name")]
    if desks or store.meta("hub_id"):
        return SyncState("hub", desks=desks)
    return SyncState("alone")


def _walk_ins(store: Store, day: str) -> int:
    row = store.db.execute(
        "SELECT count(*) FROM events WHERE type = ? AND substr(time, 1, 10) = ? "
        "AND json_extract(payload, '$.source') = ?", [ATTENDEE_CREATED, day, WALK_IN])
    return int(row.fetchone()[0])


def summarise(store: Store, day: str) -> Summary:
    """What the summary page shows for day (see the module docstring)."""
    info = store.event_info()
    conn = store.db.conn
    conn.execute("BEGIN")  # one snapshot: figures, conflicts and no-shows agree
    try:
        figures = day_report(store, day)
        found = conflicts(store, day)
        inside = store.checked_in_ids(day)
        merged = store.merges()
        absent = [a for a in store.all_attendees()
                  if a.status == "confirmed" and a.registered_for(day)
                  and a.id not in inside and a.id not in merged]
        walk_ins = _walk_ins(store, day)
        state = sync_state(store)
        database = store.path.name
    finally:
        conn.execute("COMMIT")
    absent.sort(key=lambda a: (fold_search(a.family_name or a.display_name),
                               fold_search(a.given_name), a.id))
    return Summary(info, day, now(), database, state, figures, found, absent, walk_ins)


def check_day(info: EventInfo, day: str | None) -> str:
    if day is None:
        return default_day(info.days, today())
    if info.days and day not in info.days:
        raise CheckinError(f"{day} is not a day of the event ({', '.join(info.days)})")
    return day
