"""What the live view shows: the day's figures at the hub, as plain data.

Contract:

- ``Figures(store_of)``: one per hub process, shared by its server threads (store_of()
  gives the calling thread's Store). ``Figures.of(day) -> LiveFigures``: the figures of
  an event day. What comes from the event log (checked in, expected, roles, arrivals,
  conflicts, no-shows, admissions per station) is computed by checkin.summary, the rules
  of the end-of-day report and of every desk, and kept until the log grows (its newest
  seq); what each desk said of itself is read at every call, so a desk that stops
  syncing is seen as lost without anything written.
- ``pick_day(info, asked) -> str``: the day asked for if it is an event day (CheckinError
  otherwise), else today's event day or the nearest one before it (checkin.summary).
- A desk is **lost** when the hub has heard nothing from it for LOST_AFTER seconds (the
  app syncs every 5 s while the hub answers) or never; ``desks_online`` counts the
  active desks that are not.

Personal data: the conflicts carry names (the organiser must find the person); nothing
else here names anyone, and nothing holds an e-mail address.
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from checkin.clock import event_day, event_zone
from checkin.errors import CheckinError
from checkin.models import EventInfo
from checkin.reports import GroupCount, Slot
from checkin.store import Store
from checkin.summary import default_day, summarise
from checkin.sync.stations import SKEW_WARNING

LOST_AFTER = 30.0  # seconds without a push or pull: six missed background syncs


@dataclass(frozen=True)
class Desk:
    name: str  # as registered at the hub; for an unregistered station, its events' name
    registered: bool  # False: admissions under a station name no active desk reported
    admissions: int  # admissions in force on the day that this desk made
    last_contact: datetime | None
    lost: bool
    waiting: int | None  # its events not at the hub yet (None: the desk does not say)
    clock_skew: float | None  # seconds, hub minus desk
    printer: str | None  # printing.backend.PrinterCondition value (None: does not say)

    @property
    def skew_flagged(self) -> bool:
        return self.clock_skew is not None and abs(self.clock_skew) > SKEW_WARNING


@dataclass(frozen=True)
class ConflictSeen:
    name: str
    admissions: list[tuple[str, datetime | None]]  # (station, when)


@dataclass(frozen=True)
class LiveFigures:
    event: str
    day: str
    days: list[str]
    zone: tzinfo  # the event's: every time here is in it
    made_at: datetime  # hub time of these figures
    checked_in: int
    expected: int
    roles: list[GroupCount]
    arrivals: list[Slot]
    desks: list[Desk]
    conflicts: list[ConflictSeen]
    no_shows_by_role: list[tuple[str, int]]
    no_shows_by_country: list[tuple[str, int]]

    @property
    def desks_online(self) -> int:
        return sum(1 for d in self.desks if d.registered and not d.lost)

    @property
    def lost_desks(self) -> list[Desk]:
        return [d for d in self.desks if d.registered and d.lost]

    @property
    def last_sync(self) -> datetime | None:
        seen = [d.last_contact for d in self.desks if d.last_contact is not None]
        return max(seen) if seen else None


@dataclass(frozen=True)
class _FromLog:
    """The part of the figures that changes only when the log does."""

    checked_in: int
    expected: int
    roles: list[GroupCount]
    arrivals: list[Slot]
    conflicts: list[ConflictSeen]
    no_shows_by_role: list[tuple[str, int]]
    no_shows_by_country: list[tuple[str, int]]
    by_station: Counter[str]


def pick_day(store: Store, info: EventInfo, asked: str | None) -> str:
    if asked:
        if info.days and asked not in info.days:
            raise CheckinError(f"{asked[:20]} is not a day of the event")
        return asked
    return default_day(info.days, event_day(store))


def _when(text: str | None, zone: tzinfo) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(zone)
    except ValueError:
        return None


class Figures:
    def __init__(self, store_of: Callable[[], Store]) -> None:
        self.store_of = store_of
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[int, _FromLog]] = {}

    def of(self, day: str) -> LiveFigures:
        store = self.store_of()
        info = store.event_info()
        zone = event_zone(store)
        seq = int(store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
        with self._lock:
            cached = self._cached.get(day)
        if cached is None or cached[0] != seq:
            # Two threads may compute the same figures at once; both results are right.
            cached = (seq, self._from_log(store, day, zone))
            with self._lock:
                self._cached[day] = cached
        part = cached[1]
        made = datetime.now().astimezone(zone)
        return LiveFigures(
            event=info.name, day=day, days=info.days, zone=zone, made_at=made,
            checked_in=part.checked_in, expected=part.expected, roles=part.roles,
            arrivals=part.arrivals, desks=self._desks(store, part.by_station, made, zone),
            conflicts=part.conflicts, no_shows_by_role=part.no_shows_by_role,
            no_shows_by_country=part.no_shows_by_country)

    def _from_log(self, store: Store, day: str, zone: tzinfo) -> _FromLog:
        summary = summarise(store, day)
        by_station: Counter[str] = Counter()
        for standing in store.admissions_in_force(day=day).values():
            by_station.update({a.station for a in standing})
        conflicts = [ConflictSeen(c.name, [(a.station, _when(a.time, zone))
                                           for a in c.admissions]) for c in summary.conflicts]
        report = summary.report
        return _FromLog(report.checked_in, report.expected, report.roles, report.arrivals,
                        conflicts, summary.no_shows_by("role"), summary.no_shows_by("country"),
                        by_station)

    def _desks(self, store: Store, by_station: Counter[str], made: datetime,
               zone: tzinfo) -> list[Desk]:
        rows = store.db.execute(
            "SELECT name, last_contact, clock_skew, printer, waiting, event_station "
            "FROM sync_stations WHERE revoked_at IS NULL ORDER BY name").fetchall()
        desks = []
        claimed: set[str] = set()
        for name, contact, skew, printer, waiting, station in rows:
            station = station or name  # an older desk: its registration name, at best
            claimed.add(station)
            last = _when(contact, zone)
            lost = last is None or (made - last).total_seconds() > LOST_AFTER
            desks.append(Desk(str(name), True, by_station.get(station, 0), last, lost,
                              None if waiting is None else int(waiting), skew, printer))
        # Admissions under a name no desk reported: the office at the hub, a desk synced
        # by hand under another station name, a revoked desk.
        for station, count in sorted(by_station.items()):
            if station not in claimed:
                desks.append(Desk(station, False, count, None, False, None, None, None))
        return desks

