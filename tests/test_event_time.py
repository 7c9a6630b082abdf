"""Event days are the event's days in the event's own time zone (stored with the event),
not each laptop's; a station clock set back is warned about and logged."""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from checkin import clock
from checkin.admission import ALREADY_CHECKED_IN, OK, Engine
from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.errors import CheckinError
from tests.conftest import run_checkin
from tests.test_admission_support import make_event

# One instant: 23:30 UTC on 1 December. Berlin (the event) is already in 2 December; a
# laptop still on New York time says 1 December, one on Tokyo time 2 December.
INSTANT = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


def _engine(ev, station: str, zone: str) -> Engine:
    moment = INSTANT.astimezone(ZoneInfo(zone))
    return Engine(ev.store, station=station, clock=lambda: moment)


def test_desks_in_different_time_zones_count_the_event_day(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    ev.store.set_meta(clock.ZONE_KEY, "Europe/Berlin")
    token = ev.token("a1")
    first = _engine(ev, "desk-ny", "America/New_York").scan(token)
    assert (first.verdict, first.day) == (OK, "2026-12-02")
    second = _engine(ev, "desk-tokyo", "Asia/Tokyo").scan(token)
    assert (second.verdict, second.day) == (ALREADY_CHECKED_IN, "2026-12-02")


def test_init_stores_the_time_zone(tmp_path):
    db = tmp_path / "event.sqlite"
    result = run_checkin("--db", str(db), "init", "--event", "E", "--days", "2026-12-01",
                         "--timezone", "Europe/Berlin")
    assert result.returncode == 0, result.stderr
    conn = keyed_connect(db)
    assert conn.execute("SELECT value FROM meta WHERE key = ?",
                        [clock.ZONE_KEY]).fetchone() == ("Europe/Berlin",)
    conn.close()
    other = tmp_path / "other.sqlite"
    result = run_checkin("--db", str(other), "init", "--event", "E", "--days", "2026-12-01",
                         env={"TZ": "Asia/Kolkata"})
    assert result.returncode == 0, result.stderr
    conn = keyed_connect(other)
    assert conn.execute("SELECT value FROM meta WHERE key = ?",
                        [clock.ZONE_KEY]).fetchone() == ("Asia/Kolkata",)
    conn.close()
    bad = run_checkin("--db", str(tmp_path / "bad.sqlite"), "init", "--event", "E", "--days",
                      "2026-12-01", "--timezone", "Mars/Olympus")
    assert bad.returncode != 0 and len(bad.stderr.splitlines()) == 1
    assert "not a time zone" in bad.stderr
    assert not (tmp_path / "bad.sqlite").exists()


def test_zones_by_name_and_offset():
    assert clock.zone("UTC+05:30").utcoffset(None) == timedelta(hours=5, minutes=30)
    assert clock.zone("Europe/Berlin").utcoffset(datetime(2026, 7, 1)) == timedelta(hours=2)
    for bad in ("Mars/Olympus", "../../etc/passwd", "/etc/localtime", "UTC+5"):
        with pytest.raises(CheckinError, match="not a time zone"):
            clock.zone(bad)


def test_the_cli_counts_the_event_day_not_the_laptops(tmp_path):
    """Event in Kiritimati (UTC+14), laptop on Pago Pago time (UTC-11): their dates
    always differ; the verdict's day is the event's."""
    ev = make_event(tmp_path / "event.sqlite")
    ev.store.set_meta(clock.ZONE_KEY, "Pacific/Kiritimati")
    token = ev.token("a1")
    ev.store.close()
    result = run_checkin("--db", str(ev.path), "scan", "--json", token,
                         env={"TZ": "Pacific/Pago_Pago"})
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    expected = datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    assert verdict["day"] == expected


def test_a_clock_set_back_is_a_warning_and_logged(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    now = datetime.now().astimezone()
    # The other desks' entries say it is a day later than this station's clock.
    ev.store.append("checkin", "a2", day="2026-12-02", station="desk-2",
                    time=(now + timedelta(days=1)).isoformat(timespec="milliseconds"))
    skew = clock.check_clock(ev.store, now)
    assert skew is not None and timedelta(hours=23) < skew.behind <= timedelta(days=1)
    assert "1 day" in skew.message and "desk-2" in skew.message
    assert clock.check_clock(ev.store, now + timedelta(days=1) - timedelta(minutes=2)) is None
    token = ev.token("a1")
    ev.store.close()
    result = run_checkin("--db", str(ev.path), "scan", token)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "clock is 1 day" in warnings[0], result.stderr
    log = Path(os.environ["CHECKIN_LOG"]).read_text()
    assert "clock skew" in log
    doctor = run_checkin("--db", str(ev.path), "doctor")
    assert any(line.startswith("warn  clock:") for line in doctor.stdout.splitlines())
