"""A merge made at the hub travels to the desks like any other event: a real hub process,
two desks that each registered the same walk-in while apart."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from checkin.admission import ALREADY_CHECKED_IN, OK, Engine
from checkin.conflicts import conflicts
from checkin.errors import CheckinError
from checkin.merging import merge
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import ATTENDEE_MERGED, BADGE_PRINTED, Store
from checkin.sync import stations
from checkin.sync.client import sync_once
from tests.hub_server import HubProcess, synced_desk
from tests.test_admission_support import DAY1, Setup, make_event


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Setup, HubProcess]]:
    event = make_event(tmp_path / "hub" / "event.sqlite")
    process = HubProcess(event.path, tmp_path / "hub").start()
    try:
        yield event, process
    finally:
        process.stop()
        event.store.db.conn.close()


def desk(run_cli, event: Setup, process: HubProcess, folder: Path, name: str) -> Store:
    return synced_desk(run_cli, event.store, process.url, folder, name)



def walk_in(store: Store, person: Attendee) -> None:
    with store.transaction():
        store.add_attendee(person, search_key=search_key(person), source="walk-in")
    assert Engine(store).check_in(person.id, day=DAY1, method="walk-in").verdict == OK


def test_a_merge_at_the_hub_reaches_the_desks(hub, run_cli, tmp_path: Path) -> None:
    event, process = hub
    desk_a = desk(run_cli, event, process, tmp_path, "desk-a")
    desk_b = desk(run_cli, event, process, tmp_path, "desk-b")
    walk_in(desk_a, Attendee(id="W1201-AAAAAA", given_name="Mira", family_name="Sand",
                             organisation="Acme Ltd."))
    walk_in(desk_b, Attendee(id="W1201-BBBBBB", given_name="SAND", family_name="Mira",
                             organisation="ACME Ltd", email="mira@acme.example"))
    with desk_b.transaction():
        desk_b.append(BADGE_PRINTED, "W1201-BBBBBB", day=DAY1, payload={"layout": "a6"})
    for store in (desk_a, desk_b, desk_a):
        sync_once(store, store.path)

    listed = run_cli("duplicates", "--json", db=event.path)
    assert listed.exit_code == 0, listed.output
    assert [[a["id"], a["station"]] for g in json.loads(listed.output)
            for a in g["attendees"]] == [["W1201-AAAAAA", "desk-a"],
                                         ["W1201-BBBBBB", "desk-b"]]
    with pytest.raises(CheckinError, match="desk of the hub"):
        merge(desk_b, "W1201-AAAAAA", "W1201-BBBBBB")
    done = run_cli("merge", "W1201-AAAAAA", "W1201-BBBBBB", db=event.path)  # while it serves
    assert done.exit_code == 0, done.output
    assert "1 check-in and 1 badge printed of W1201-BBBBBB now count as" in done.output

    for store in (desk_a, desk_b):
        result = sync_once(store, store.path)
        assert result.pulled == 3  # attendee_updated, attendee_cancelled, attendee_merged
        assert store.merges() == {"W1201-BBBBBB": "W1201-AAAAAA"}
        assert store.checked_in_ids(DAY1) == {"W1201-AAAAAA"}
        assert store.badge_printed("W1201-AAAAAA")
        kept = store.attendee("W1201-AAAAAA")
        # filled in from B at the hub; e-mail addresses stay there (checkin.sync.minimise)
        assert kept is not None and kept.email == ""
        hub_copy = event.store.attendee("W1201-AAAAAA")
        assert hub_copy is not None and hub_copy.email == "mira@acme.example"
        gone = store.attendee("W1201-BBBBBB")
        assert gone is not None and gone.status == "cancelled"
    # The same log everywhere, and the same reading of it.
    logs = [{r[0] for r in s.db.execute("SELECT uuid FROM events")}
            for s in (event.store, desk_a, desk_b)]
    assert logs[0] == logs[1] == logs[2]
    found = [[c.to_json() for c in conflicts(s)] for s in (event.store, desk_a, desk_b)]
    assert found[0] == found[1] == found[2]
    assert [(c["attendee_id"], [a["station"] for a in c["admissions"]])
            for c in found[0]] == [("W1201-AAAAAA", ["desk-a", "desk-b"])]
    # Desk B scans the code of its own walk-in: the kept registration, inside already.
    verdict = Engine(desk_b).scan("W1201-BBBBBB", day=DAY1)
    assert verdict.verdict == ALREADY_CHECKED_IN
    assert verdict.attendee is not None and verdict.attendee.id == "W1201-AAAAAA"
    assert json.loads(run_cli("duplicates", "--json", db=desk_a.path).output) == []


def test_the_hub_refuses_a_malformed_merge(hub, tmp_path: Path) -> None:
    event, process = hub
    token = stations.add_station(event.store, "desk-x")
    before = event.store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    wire = {"uuid": "0f0e0d0c-0b0a-4908-8706-050403020100", "type": ATTENDEE_MERGED,
            "attendee_id": "a1", "station": "desk-x", "operator": "", "day": None,
            "time": "2026-12-01T09:00:00.000+01:00", "payload": {"from": "a1", "into": "a1"}}
    answer = httpx.post(f"{process.url}/api/v1/push", timeout=10, trust_env=False,
                        headers={"Authorization": f"Bearer {token}"},
                        json={"station_time": wire["time"], "events": [wire]})
    assert answer.status_code == 422
    assert answer.json() == {"error": "events.0: an attendee_merged event merges an attendee "
                                      "into itself"}
    wire["payload"] = {"from": "a2", "into": "a1"}
    answer = httpx.post(f"{process.url}/api/v1/push", timeout=10, trust_env=False,
                        headers={"Authorization": f"Bearer {token}"},
                        json={"station_time": wire["time"], "events": [wire]})
    assert answer.status_code == 200, answer.text
    assert event.store.db.execute("SELECT count(*) FROM events").fetchone()[0] == before + 1
    assert event.store.merges() == {"a2": "a1"}
