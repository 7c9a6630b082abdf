"""Event time: the event's own days in the event's own time zone, and a station clock that
has gone wrong.

An admission counts for one event day. Which day that is must not depend on the laptop:
desks set to different time zones (a borrowed laptop still on its owner's home time), or
a desk whose clock was set back a day, would each admit the same delegate once per
"day". So the day is the date, in the event's time zone, of the moment of the scan.

Contract (the engine, the CLI, the station app and `checkin doctor` call these):

- ``local_zone_name() -> str``: this machine's time zone as an IANA name ($TZ, the
  /etc/localtime link, /etc/timezone), else its current UTC offset as ``UTC+HH:MM``.
- ``zone(name) -> tzinfo``: an IANA name or ``UTC+HH:MM``; CheckinError if neither.
- ``ZONE_KEY``: the meta key holding the event's zone (`checkin init --timezone`, default
  the creating machine's zone). ``event_zone(store) -> tzinfo``: that zone; an event made
  before zones were stored uses this machine's.
- ``event_day(store, moment=None) -> str``: the event day (YYYY-MM-DD) of moment (an aware
  datetime, default now).
- ``check_clock(store, now=None) -> ClockSkew | None``: compares this station's clock with
  the last known good time, the newest moment recorded in the event log (by any desk). A
  clock more than SKEW_TOLERANCE behind it is a ClockSkew (logged as a warning, with the
  amount), whose ``message`` the CLI prints as a warning line and the station app can
  show. Ahead is not flagged: the newest entry may come from this very clock.
"""

import logging
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkin.errors import CheckinError
from checkin.store import Store

log = logging.getLogger(__name__)

ZONE_KEY = "event_timezone"
SKEW_TOLERANCE = timedelta(minutes=5)
_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")
_RECENT = 50  # newest log entries looked at for the last known good time


def local_zone_name() -> str:
    """This machine's time zone (see the module doc)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with suppress(OSError):
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    with suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        if name and _iana(name) is not None:
            return name
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    return _offset_name(offset)


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _iana(name: str) -> tzinfo | None:
    if name.startswith(("/", ".")) or ".." in name:
        return None  # ZoneInfo would read any file path
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str) -> tzinfo:
    """The time zone named name: IANA ("Europe/Berlin") or a fixed offset ("UTC+01:00")."""
    match = _OFFSET.match(name.strip())
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)),
                                         minutes=int(match.group(3))))
    found = _iana(name.strip())
    if found is None:
        raise CheckinError(f"{name!r} is not a time zone (write it as Europe/Berlin, "
                           "America/New_York, ... or UTC+01:00)")
    return found


def event_zone(store: Store) -> tzinfo:
    name = store.meta(ZONE_KEY)
    if not name:
        return zone(local_zone_name())
    try:
        return zone(name)
    except CheckinError:
        log.warning("the event's time zone %r is unknown here: using this machine's", name)
        return zone(local_zone_name())


def event_day(store: Store, moment: datetime | None = None) -> str:
    """The event day of moment (default now) in the event's time zone."""
    moment = moment or datetime.now().astimezone()
    return moment.astimezone(event_zone(store)).date().isoformat()


@dataclass(frozen=True)
class ClockSkew:
    behind: timedelta  # how far this clock is behind the last known good time
    latest: datetime  # the newest moment in the event log
    station: str  # the desk that recorded it

    @property
    def message(self) -> str:
        return (f"this station's clock is {_span(self.behind)} behind the newest entry in the "
                f"event database ({self.latest.isoformat(timespec='minutes')}, from "
                f"{self.station}): set the clock, or admissions count for the wrong day")


def _span(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}" if days else "",
             f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(part for part in parts if part) or "less than a minute"


def check_clock(store: Store, now: datetime | None = None) -> ClockSkew | None:
    """A ClockSkew when this clock is more than SKEW_TOLERANCE behind the log (module doc)."""
    now = now or datetime.now().astimezone()
    latest: tuple[datetime, str] | None = None
    for time_text, station in store.db.execute(
            "SELECT time, station FROM events ORDER BY seq DESC LIMIT ?", [_RECENT]):
        try:
            moment = datetime.fromisoformat(time_text)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            continue
        if latest is None or moment > latest[0]:
            latest = (moment, station)
    if latest is None or now >= latest[0] - SKEW_TOLERANCE:
        return None
    skew = ClockSkew(latest[0] - now, latest[0], latest[1])
    log.warning("clock skew: this station's clock (%s) is %s behind the newest event "
                "(%s from %s)", now.isoformat(timespec="seconds"), skew.behind,
                latest[0].isoformat(timespec="seconds"), latest[1])
    return skew
