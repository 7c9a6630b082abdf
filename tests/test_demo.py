"""The demo event: size, countries, scripts, name order, determinism, and `checkin demo`."""

import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from checkin import paths
from checkin.db import open_db
from checkin.demo import create_demo, demo_attendees
from checkin.errors import CheckinError
from checkin.models import ROLES
from checkin.store import Store

DAY = date(2026, 6, 11)

SCRIPTS = ("GREEK", "CYRILLIC", "ARABIC", "HEBREW", "DEVANAGARI", "TAMIL", "BENGALI", "THAI",
           "GEORGIAN", "ARMENIAN", "ETHIOPIC", "CJK UNIFIED", "HIRAGANA", "HANGUL")


def scripts_of(text: str) -> set[str]:
    found = set()
    for ch in text:
        name = unicodedata.name(ch, "")
        for script in SCRIPTS:
            if name.startswith(script):
                found.add(script)
    return found


@pytest.fixture(scope="module")
def demo() -> tuple[str, list[str], list]:
    return demo_attendees(DAY)


def test_size_countries_and_days(demo: tuple) -> None:
    name, days, people = demo
    assert name == "Personalised Medicine Congress Berlin"
    assert days == [DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()]
    assert len(people) == 400
    assert len({p.id for p in people}) == 400
    assert len({p.code for p in people}) == 400
    assert len({p.ref for p in people}) == 400
    assert len({p.country for p in people}) >= 40
    assert all(len(p.country) == 2 and p.country.isupper() for p in people)


def test_names_in_their_own_scripts(demo: tuple) -> None:
    seen: set[str] = set()
    for p in demo[2]:
        seen |= scripts_of(p.given_name + p.family_name)
    assert seen == set(SCRIPTS)
    latin_with_diacritics = [p for p in demo[2] if any(
        unicodedata.decomposition(ch) for ch in p.family_name if ch.isalpha() and ch < "\u0250")]
    assert len(latin_with_diacritics) >= 40


def test_family_first_where_the_country_writes_it(demo: tuple) -> None:
    for p in demo[2]:
        if p.country in ("CN", "TW", "HK", "JP", "KR", "VN", "HU"):
            assert p.name_order == "family_first", p
        elif p.country in ("DE", "FR", "GR", "RU", "US"):
            assert p.name_order == "given_first", p


def test_roles_titles_status_days_notes(demo: tuple) -> None:
    people = demo[2]
    roles = {p.role for p in people}
    assert roles <= set(ROLES)
    assert {"delegate", "speaker", "press", "staff", "exhibitor", "vip"} <= roles
    assert sum(p.role == "delegate" for p in people) > 200
    assert {"Dr.", "Prof. Dr."} <= {p.title for p in people}
    assert 0 < sum(p.status == "cancelled" for p in people) < 20
    one_day = [p for p in people if p.days]
    assert one_day and all(len(p.days) == 1 and p.days[0] in demo[1] for p in one_day)
    assert sum(bool(p.notes) for p in people) >= 5
    assert any(p.badge_name for p in people)
    assert max(len(p.organisation) for p in people) > 80
    assert max(len(p.given_name + p.family_name) for p in people) > 50
    assert all("@" in p.email and p.email.isascii() for p in people)


def test_deterministic_except_dates() -> None:
    first, second = demo_attendees(DAY)[2], demo_attendees(DAY + timedelta(days=30))[2]
    for a, b in zip(first, second, strict=True):
        assert (a.id, a.code, a.ref, a.given_name, a.family_name, a.role) == \
               (b.id, b.code, b.ref, b.given_name, b.family_name, b.role)


def test_create_demo_fills_an_empty_database(db_path: Path) -> None:
    store = Store(open_db(db_path, create=True))
    assert create_demo(store, today=DAY) == 400
    assert store.attendee_count() == 400
    assert store.meta("demo") == "1"
    assert store.event_info().days == [DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()]
    assert len(store.events(types=("attendee_created",))) == 400
    one = store.attendee("PMC-0001")
    assert one is not None and one.given_name
    with pytest.raises(CheckinError):
        create_demo(store, today=DAY)
    assert store.attendee_count() == 400


def test_demo_command(run_cli, db_path: Path) -> None:
    result = run_cli("demo")
    assert result.exit_code == 0, result.output
    assert "400" in result.output
    assert paths.key_path(db_path).exists()  # signing key beside the database
    store = Store(open_db(db_path))
    assert store.event_info().days[0] == date.today().isoformat()
    assert store.attendee_count() == 400
    keys_before = store.db.execute("SELECT count(*) FROM public_keys").fetchone()[0]
    assert keys_before == 1
    store.db.conn.close()


def test_demo_refuses_an_existing_event(run_cli, db_path: Path) -> None:
    assert run_cli("init", "--event", "Real Congress", "--days", "2026-06-11").exit_code == 0
    with pytest.raises(CheckinError, match=r"already holds an event \(use --force"):
        run_cli("demo")
    store = Store(open_db(db_path))
    assert store.event_info().name == "Real Congress"
    assert store.attendee_count() == 0
    store.db.conn.close()


def test_demo_force_replaces_and_keeps_a_backup(run_cli, db_path: Path) -> None:
    assert run_cli("init", "--event", "Real Congress", "--days", "2026-06-11").exit_code == 0
    result = run_cli("demo", "--force")
    assert result.exit_code == 0, result.output
    backups = list(db_path.parent.glob("event.replaced-*.sqlite"))
    assert len(backups) == 1
    assert Store(open_db(backups[0])).event_info().name == "Real Congress"
    assert Store(open_db(db_path)).attendee_count() == 400


def test_demo_in_a_subprocess_reports_errors_in_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_checkin

    db = tmp_path / "sub.sqlite"
    first = run_checkin("--db", str(db), "demo")
    assert first.returncode == 0, first.stderr
    again = run_checkin("--db", str(db), "demo")
    assert again.returncode != 0
    assert again.stderr.startswith("error: ") and len(again.stderr.strip().splitlines()) == 1
