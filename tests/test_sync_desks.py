"""Desks syncing with a real hub process: first sync, admissions and cancellations that
travel, an unreachable hub, --final. One hub for the module and each of the hub's stores
(an SQLite file, a PostgreSQL database); each test uses its own desks and its own
attendees of the hub's list, so the tests do not depend on each other.
"""

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from checkin import confirmations
from checkin.admission import ALREADY_CHECKED_IN, CANCELLED, OK, Engine
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.search import search_key
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import outbox_count, sync_once, token_path
from tests.conftest import run_checkin
from tests.hub_server import HubProcess, free_port, synced_desk
from tests.pg_server import HUB_STORES, hub_place
from tests.test_admission_support import DAY1, DAY2, Setup, make_event


@dataclass
class Hub:
    process: HubProcess
    event: Setup

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def store(self) -> Store:
        return self.event.store


@pytest.fixture(scope="module", params=HUB_STORES)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    event = make_event(hub_place(request, folder))
    process = HubProcess(event.db, folder).start()
    try:
        yield Hub(process, event)
    finally:
        process.stop()
        event.store.db.conn.close()


def new_desk(hub: Hub, run_cli, folder: Path, name: str) -> Store:
    """A desk registered at the hub, its database made by a first `checkin sync`."""
    return synced_desk(run_cli, hub.store, hub.url, folder, name)



def test_the_first_sync_creates_the_station_database(hub: Hub, run_cli, tmp_path) -> None:
    token = stations.add_station(hub.store, "desk-new")
    path = tmp_path / "desk.sqlite"
    result = run_cli("sync", "--hub", hub.url + "/", "--token", token, db=path)
    assert result.exit_code == 0, result.output
    assert f"created {path} from the hub: event 'Test Congress'" in result.output
    desk = Store(open_db(path))
    assert desk.event_info() == hub.store.event_info()
    fields = ("id", "ref", "code", "given_name", "family_name", "days", "status")
    at_hub = {a.id: [getattr(a, f) for f in fields] for a in hub.store.all_attendees()}
    assert {a.id: [getattr(a, f) for f in fields] for a in desk.all_attendees()} == at_hub
    for attendee in desk.all_attendees():  # as the importer computes them
        stored = desk.db.execute("SELECT search_key FROM attendees WHERE id = ?",
                                 [attendee.id]).fetchone()[0]
        assert stored == search_key(attendee)
    keys = "SELECT key_id, public_key, revoked_at FROM public_keys ORDER BY key_id"
    assert desk.db.execute(keys).fetchall() == hub.store.db.execute(keys).fetchall()
    assert not path.with_name(path.name + ".key").exists()  # no private key on a desk
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []
    assert desk.meta("sync_hub") == hub.url
    token_file = token_path(path)
    assert token_file.read_text().strip() == token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert outbox_count(desk) == 0
    # Remembered: `checkin sync` alone syncs again, and finds nothing new.
    again = run_cli("sync", db=path)
    assert again.exit_code == 0, again.output
    assert "as desk-new: 0 pushed, 0 pulled, 0 waiting" in again.output
    listed = {s.name: s for s in stations.stations(hub.store)}["desk-new"]
    assert listed.last_contact is not None
    table = run_cli("hub", "stations", db=hub.event.db).output
    line = next(line for line in table.splitlines() if line.startswith("desk-new "))
    assert listed.last_contact in line and "never" not in line


def test_a_failed_first_sync_leaves_no_database(hub: Hub, run_cli, tmp_path) -> None:
    path = tmp_path / "desk.sqlite"
    with pytest.raises(CheckinError, match="refused this station's token"):
        run_cli("sync", "--hub", hub.url, "--token", "not-a-token", db=path)
    assert list(tmp_path.iterdir()) == []


def test_admitted_at_one_desk_is_already_checked_in_at_another(hub: Hub, run_cli,
                                                              tmp_path) -> None:
    desk_a = new_desk(hub, run_cli, tmp_path, "desk-a")
    desk_b = new_desk(hub, run_cli, tmp_path, "desk-b")
    token = hub.event.token("a1")
    assert Engine(desk_a).scan(token, day=DAY1).verdict == OK
    assert outbox_count(desk_a) == 1
    pushed = sync_once(desk_a, desk_a.path)
    assert (pushed.pushed, pushed.waiting, pushed.station) == (1, 0, "desk-a")
    pulled = sync_once(desk_b, desk_b.path)
    assert pulled.pulled == 1 and pulled.pushed == 0
    verdict = Engine(desk_b).scan(token, day=DAY1)
    assert verdict.verdict == ALREADY_CHECKED_IN
    assert verdict.previous is not None and verdict.previous.station == "desk-a"
    assert verdict.previous.operator == "op-desk-a"
    assert hub.store.admission("a1", DAY1) is not None
    assert outbox_count(desk_b) == 0  # nothing pulled is ever pushed back


def test_a_cancellation_and_a_revoked_token_at_the_hub_reach_the_desk(hub: Hub, run_cli,
                                                                      tmp_path) -> None:
    desk = new_desk(hub, run_cli, tmp_path, "desk-c")
    old_token = hub.event.token("a5")
    with hub.store.transaction():  # the office, on the hub's database, while it serves
        person = hub.store.attendee("a7")
        assert person is not None
        person.status = "cancelled"
        hub.store.update_attendee(person, search_key=search_key(person), reason="refund")
    confirmations.revoke(hub.store, "a5", reason="lost phone")
    new_token = hub.event.token("a5")

    result = run_cli("sync", db=desk.path)
    assert result.exit_code == 0, result.output
    assert "2 pulled" in result.output  # the cancellation and the revocation, nothing else
    engine = Engine(desk)
    assert engine.scan(hub.event.token("a7"), day=DAY1).verdict == CANCELLED
    assert engine.scan(old_token, day=DAY2).verdict == CANCELLED
    assert engine.scan(new_token, day=DAY2).verdict == OK
    cancelled = desk.attendee("a7")
    assert cancelled is not None and cancelled.status == "cancelled"
    assert desk.db.execute("SELECT search_key FROM attendees WHERE id = 'a7'").fetchone()[0] \
        == search_key(cancelled)


def test_an_unreachable_hub_is_one_line_and_loses_nothing(hub: Hub, run_cli,
                                                          tmp_path) -> None:
    desk = new_desk(hub, run_cli, tmp_path, "desk-d")
    path = desk.path
    admitted = Engine(desk).scan(hub.event.token("a4"), day=DAY1)
    assert admitted.verdict == OK and admitted.event is not None
    nowhere = f"http://127.0.0.1:{free_port()}"
    done = run_checkin("--db", str(path), "sync", "--hub", nowhere)
    assert done.returncode == 1
    assert done.stderr == (f"error: hub {nowhere} unreachable: connection refused; "
                           "1 event waits in the outbox\n")
    assert outbox_count(desk) == 1
    done = run_checkin("--db", str(path), "sync", "--hub", hub.url, "--token", "wrong-token")
    assert done.returncode == 1
    assert done.stderr == "error: the hub refused this station's token (revoked or wrong)\n"
    assert outbox_count(desk) == 1

    token = stations.add_station(hub.store, "desk-d2")  # the desk gets a new token
    result = run_cli("sync", "--token", token, db=path)
    assert result.exit_code == 0, result.output
    assert "1 pushed" in result.output and "0 waiting" in result.output
    assert outbox_count(desk) == 0
    held = hub.store.db.execute("SELECT station FROM events WHERE uuid = ?",
                                [admitted.event.uuid]).fetchone()
    assert held == ("desk-d",)


def test_final_sync_confirms_that_the_hub_holds_everything(hub: Hub, run_cli,
                                                           tmp_path) -> None:
    desk = new_desk(hub, run_cli, tmp_path, "desk-e")
    engine = Engine(desk)
    assert engine.scan(hub.event.token("a2"), day=DAY1).verdict == OK
    engine.undo("a2", day=DAY1, reason="wrong person")
    assert outbox_count(desk) == 2
    result = run_cli("sync", "--final", db=desk.path)
    assert result.exit_code == 0, result.output
    total = desk.db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert result.output.splitlines()[-1] == f"all synced: {total} events"
    mine = {r[0] for r in desk.db.execute("SELECT uuid FROM events")}
    at_hub = {r[0] for r in hub.store.db.execute("SELECT uuid FROM events")}
    assert mine <= at_hub
    assert os.path.exists(token_path(desk.path))
