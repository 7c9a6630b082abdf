"""A new desk's first sync from the hub's snapshot (checkin.sync.snapshot): the same rows
as the hub, nothing of the hub's own (stations, tokens), cursors that let the next sync
push only the desk's own events and pull only what came later; an image that does not fit
is replayed instead, and one that is not a database is refused with the desk unchanged."""

import json
import sqlite3  # the standard module: serialize (SQLCipher's has none), on images only
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from checkin import clock
from checkin.admission import ALREADY_CHECKED_IN, OK, Engine
from checkin.db import open_db
from checkin.search import search_key
from checkin.store import Store
from checkin.sync import minimise, snapshot, stations
from checkin.sync.client import PULL_KEY, outbox_count, sync_once
from tests.hub_server import HubProcess, synced_desk
from tests.pg_server import HUB_STORES, hub_place
from tests.test_admission_support import DAY1, PEOPLE, Setup, make_event

HIDDEN_DESK = "desk-that-only-the-hub-knows"


@pytest.fixture(scope="module", params=HUB_STORES)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[Setup, HubProcess]]:
    """A hub on either store: a PostgreSQL hub builds its image from rows
    (snapshot._build_from_rows), an SQLite hub inside SQLite."""
    folder = tmp_path_factory.mktemp("hub")
    people = [replace(person, email=f"{person.id}.private@example.org") for person in PEOPLE]
    event = make_event(hub_place(request, folder), people)
    with event.store.transaction():
        event.store.set_meta(clock.ZONE_KEY, "Europe/Berlin")
        for person in event.store.all_attendees():  # as an import writes them
            event.store.db.execute("UPDATE attendees SET search_key = ? WHERE id = ?",
                                   [search_key(person), person.id])
    stations.add_station(event.store, HIDDEN_DESK)
    first = event.store.all_attendees()[0]
    assert Engine(event.store).check_in(first.id, day=DAY1).verdict == OK
    process = HubProcess(event.db, folder).start()
    try:
        yield event, process
    finally:
        process.stop()
        event.store.close()


ROWS = {"events": "SELECT seq, uuid, type, attendee_id, station, operator, time, day "
                  "FROM events ORDER BY seq",
        # e-mail, extra and search_key: minimised (checked below)
        "attendees": "SELECT id, code, ref, title, given_name, family_name, name_order, "
                     "badge_name, organisation, country, role, days, status, notes "
                     "FROM attendees ORDER BY id",
        "public_keys": "SELECT key_id, algorithm, public_key, revoked_at FROM public_keys "
                       "WHERE station IS NULL ORDER BY key_id",
        "revoked_refs": "SELECT * FROM revoked_refs ORDER BY ref"}


def test_a_first_sync_holds_the_hubs_rows_and_nothing_of_the_hubs_own(
        hub: tuple[Setup, HubProcess], run_cli, tmp_path: Path) -> None:
    event, process = hub
    desk = synced_desk(run_cli, event.store, process.url, tmp_path, "desk-a")
    for table, query in ROWS.items():
        assert desk.db.execute(query).fetchall() == event.store.db.execute(query).fetchall(), \
            table
    # payloads as a pull sends them: minimised by the event's policy (no e-mail addresses)
    policy = minimise.load(event.store)
    assert [json.loads(r[0]) for r in desk.db.execute("SELECT payload FROM events ORDER BY seq")] \
        == [minimise.payload(policy, kind, json.loads(text or "{}")) for kind, text in
            event.store.db.execute("SELECT type, payload FROM events ORDER BY seq")]
    assert desk.db.execute("SELECT count(*) FROM attendees WHERE email != ''").fetchone()[0] == 0
    assert event.store.db.execute(
        "SELECT count(*) FROM attendees WHERE email != ''").fetchone()[0] > 0
    for person in desk.all_attendees():
        assert desk.db.execute("SELECT search_key FROM attendees WHERE id = ?",
                               [person.id]).fetchone()[0] == search_key(person)
    assert desk.event_info() == event.store.event_info()
    assert desk.meta(clock.ZONE_KEY) == "Europe/Berlin"
    assert desk.db.execute("SELECT count(*) FROM sync_stations").fetchone()[0] == 0
    desk.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("desk-a.sqlite*"))
    assert HIDDEN_DESK.encode() not in on_disk
    assert b"private@example.org" not in on_disk
    assert outbox_count(desk) == 0
    desk.close()


def test_after_the_snapshot_a_desk_pushes_its_own_and_pulls_what_came_later(
        hub: tuple[Setup, HubProcess], run_cli, tmp_path: Path) -> None:
    event, process = hub
    desk = synced_desk(run_cli, event.store, process.url, tmp_path, "desk-b")
    people = event.store.all_attendees()
    assert Engine(event.store).check_in(people[1].id, day=DAY1).verdict == OK  # after it
    desk_path = tmp_path / "desk-b.sqlite"
    engine = Engine(desk)
    assert engine.check_in(people[2].id, day=DAY1).verdict == OK
    assert outbox_count(desk) == 1
    result = sync_once(desk, desk_path)
    assert (result.pushed, result.pulled, result.waiting) == (1, 1, 0)
    assert engine.check_in(people[1].id, day=DAY1).verdict == ALREADY_CHECKED_IN
    assert engine.check_in(people[0].id, day=DAY1).verdict == ALREADY_CHECKED_IN  # snapshot
    again = sync_once(desk, desk_path)
    assert (again.pushed, again.pulled) == (0, 0)
    with event.store.transaction():  # the organiser corrects the event's zone
        event.store.set_meta(clock.ZONE_KEY, "Europe/Lisbon")
    sync_once(desk, desk_path)
    assert desk.meta(clock.ZONE_KEY) == "Europe/Lisbon"
    with event.store.transaction():
        event.store.set_meta(clock.ZONE_KEY, "Europe/Berlin")
        for person in event.store.all_attendees():  # as an import writes them
            event.store.db.execute("UPDATE attendees SET search_key = ? WHERE id = ?",
                                   [search_key(person), person.id])
    desk.close()


def _image_with(store: Store, **facts: object) -> bytes:
    """The hub's snapshot with some facts changed (as another version would write it)."""
    image = snapshot.build(store).image
    conn = sqlite3.connect(":memory:")
    conn.deserialize(image)
    for key, value in facts.items():
        conn.execute("UPDATE snapshot SET value = ? WHERE key = ?", [json.dumps(value), key])
    conn.commit()
    changed = conn.serialize()
    conn.close()
    return changed


def _empty_desk(path: Path) -> Store:
    return Store(open_db(path, create=True), station="desk-x")


def test_an_image_of_another_schema_is_not_copied(hub: tuple[Setup, HubProcess],
                                                  tmp_path: Path) -> None:
    event, _ = hub
    desk = _empty_desk(tmp_path / "desk.sqlite")
    called = []
    image = _image_with(event.store, schema=999)
    assert snapshot.load(desk, image, called.append) is None
    assert called == []
    assert desk.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert desk.meta(PULL_KEY) is None
    desk.close()


def test_an_image_that_is_not_a_database_is_refused_and_the_desk_unchanged(
        hub: tuple[Setup, HubProcess], tmp_path: Path) -> None:
    event, _ = hub
    desk = _empty_desk(tmp_path / "desk.sqlite")
    good = snapshot.build(event.store).image
    for bad in (b"not a database at all" * 100, good[: len(good) // 2], b""):
        with pytest.raises(snapshot.SnapshotRefused) as caught:
            snapshot.load(desk, bad, lambda loaded: None)
        assert "\n" not in str(caught.value)
        assert desk.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    # and the desk still takes a good one afterwards
    assert snapshot.load(desk, good, lambda loaded: None) is not None
    assert desk.attendee_count() == event.store.attendee_count()
    desk.close()


def test_a_desk_whose_log_is_not_empty_is_not_overwritten(hub: tuple[Setup, HubProcess],
                                                         tmp_path: Path) -> None:
    event, _ = hub
    desk = _empty_desk(tmp_path / "desk.sqlite")
    desk.set_event("Test Congress", [DAY1])
    with desk.transaction():
        desk.add_attendee(event.store.all_attendees()[0])
    before = desk.db.execute("SELECT * FROM events").fetchall()
    assert snapshot.load(desk, snapshot.build(event.store).image, lambda loaded: None) is None
    assert desk.db.execute("SELECT * FROM events").fetchall() == before
    desk.close()


def test_a_recent_snapshot_is_handed_out_again_until_the_log_moves_on(tmp_path: Path) -> None:
    first = make_event(tmp_path / "a" / "event.sqlite")
    recent = snapshot.Recent(max_behind=1)
    made = recent.get(first.store)
    assert recent.get(first.store) is made  # nothing new: the same image
    people = first.store.all_attendees()
    assert Engine(first.store).check_in(people[0].id, day=DAY1).verdict == OK
    assert recent.get(first.store) is made  # one event behind: the desk pulls it
    assert Engine(first.store).check_in(people[1].id, day=DAY1).verdict == OK
    newer = recent.get(first.store)
    assert newer is not made and newer.hub_seq == made.hub_seq + 2
    # A stricter field policy: a new image, never the old one's e-mail addresses.
    minimise.save(first.store, minimise.Policy(withheld=("organisation",)))
    assert recent.get(first.store) is not newer
    # Another log at the same seq (a hub restored from a backup, or purged): a new image.
    other = make_event(tmp_path / "b" / "event.sqlite")
    for person in other.store.all_attendees()[:2]:
        assert Engine(other.store).check_in(person.id, day=DAY1).verdict == OK
    latest = recent.get(first.store)
    assert recent.get(other.store).last_uuid != latest.last_uuid
    first.store.close()
    other.store.close()


def test_desks_asking_at_once_get_one_build(tmp_path: Path) -> None:
    import threading

    event = make_event(tmp_path / "event.sqlite")
    recent = snapshot.Recent()
    got: list[snapshot.Snapshot] = []
    gate = threading.Barrier(4)

    def desk() -> None:
        store = Store(open_db(event.path), station="hub")
        gate.wait()
        got.append(recent.get(store))
        store.close()

    threads = [threading.Thread(target=desk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 4 and all(made is got[0] for made in got)
    event.store.close()
