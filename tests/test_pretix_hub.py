"""The hub talks to pretix for all desks: a real hub process connected to the session's real
pretix (through PretixProxy, so that pretix can go away and come back), real desks that
only ever talk to the hub.

Positions used here: paid_positions()[20:24]; tests/ui/test_pretix_station.py takes
[24:27] (each test module of the session's pretix takes its own)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checkin.admission import Engine, VerdictKind
from checkin.db import open_db
from checkin.logsetup import ENV_LOG
from checkin.pretix.connection import connected
from checkin.store import Store
from checkin.sync.client import sync_once
from tests.hub_server import HubProcess, synced_desk
from tests.pretix_server import PretixProxy, PretixServer
from tests.test_pretix_pull import (
    connected_store,
    device_redeem,
    paid_positions,
    positions_on_list,
)
from tests.test_pretix_push import attendee_id, checkins_in_pretix

WAIT = 30.0  # seconds, at most, for the hub's background work to get somewhere


def wait_for(what: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = what()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s")
        time.sleep(0.1)  # polling: the hub's pretix thread has no signal but its effects


@dataclass
class Venue:
    hub: HubProcess
    store: Store  # the hub's database, read by the test
    proxy: PretixProxy
    folder: Path

    def desk(self, run_cli, name: str) -> Store:  # type: ignore[no-untyped-def]
        return synced_desk(run_cli, self.store, self.hub.url, self.folder, name)


@contextmanager
def pretix_hub(server: PretixServer, folder: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Venue]:
    """A hub database connected to pretix (through a proxy) holding only the event: the
    hub's own first pull brings the attendees. The hub logs to folder/hub/hub.log."""
    monkeypatch.setenv(ENV_LOG, str(folder / "hub" / "hub.log"))
    proxy = PretixProxy(server.port)
    path = folder / "hub" / "event.sqlite"
    path.parent.mkdir()
    store = connected_store(server, path, url=proxy.url)
    with store.transaction():
        store.set_event("Personalised Medicine Congress", ["2026-12-01", "2026-12-02"])
    hub = HubProcess(path, folder / "hub", args=[
        "--pretix-every", "2", "--pretix-backoff", "0.2"])
    try:
        hub.start()
        yield Venue(hub, store, proxy, folder)
    finally:
        hub.stop()
        proxy.close()
        store.close()


@pytest.fixture
def venue(pretix_server: PretixServer, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Venue]:
    with pretix_hub(pretix_server, tmp_path, monkeypatch) as found:
        yield found


def in_pretix(server: PretixServer, position: dict[str, Any]) -> int:
    return len(checkins_in_pretix(server, position))


@pytest.mark.pretix
def test_the_hub_pulls_from_pretix_and_pushes_the_desks_admissions(
        pretix_server: PretixServer, venue: Venue, run_cli) -> None:  # type: ignore[no-untyped-def]
    listed = len(positions_on_list(pretix_server))
    # The hub's first pull, at start: every position, in the hub's log.
    wait_for(lambda: venue.store.attendee_count() >= listed)
    desk = venue.desk(run_cli, "desk-1")
    assert not connected(desk)  # the desk never talks to pretix itself
    first, other = paid_positions(pretix_server)[20:22]
    assert desk.attendee(attendee_id(first)).code == first["secret"]  # type: ignore[union-attr]

    # A scan at the desk, a sync with the hub: the hub pushes it to pretix.
    assert Engine(desk).scan(first["secret"]).verdict == VerdictKind.OK
    synced = sync_once(desk, desk.path)
    assert synced.pushed == 1
    wait_for(lambda: in_pretix(pretix_server, first) == 1)

    # A check-in at another pretix device: the hub pulls it, the desk gets it by sync.
    device_redeem(pretix_server, other["secret"])

    def desk_has_it() -> bool:
        sync_once(desk, desk.path)
        return bool(desk.events(attendee_id(other), types=("checkin",)))
    wait_for(desk_has_it)
    assert Engine(desk).scan(other["secret"]).verdict == VerdictKind.ALREADY_CHECKED_IN
    [pulled] = desk.events(attendee_id(other), types=("checkin",))
    assert pulled.station == "pretix"

    # The desk sees how the hub's pretix stands, from the hub's status answer.
    state = sync_once(desk, desk.path).pretix
    assert state is not None and state.connected and state.last_pull
    assert state.accepted >= 1 and state.error == ""

    # Our own admission came back in the hub's pulls: still one check-in, one event.
    assert in_pretix(pretix_server, first) == 1
    assert len(venue.store.events(attendee_id(first), types=("checkin",))) == 1
    assert len(desk.events(attendee_id(first), types=("checkin",))) == 1
    desk.close()


@pytest.mark.pretix
def test_pretix_away_and_back_loses_nothing_and_final_reports_it(
        pretix_server: PretixServer, venue: Venue, run_cli) -> None:  # type: ignore[no-untyped-def]
    listed = len(positions_on_list(pretix_server))
    wait_for(lambda: venue.store.attendee_count() >= listed)
    desk = venue.desk(run_cli, "desk-2")
    away, late = paid_positions(pretix_server)[22:24]

    venue.proxy.down()  # pretix is away: the desk scans and syncs with the hub as ever
    assert Engine(desk).scan(away["secret"]).verdict == VerdictKind.OK
    assert sync_once(desk, desk.path).pushed == 1

    def hub_says_unreachable() -> bool:
        state = sync_once(desk, desk.path).pretix
        return state is not None and state.waiting == 1 and "refused" in state.error
    wait_for(hub_says_unreachable)
    result = run_cli("sync", "--final", db=desk.path)
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert line.startswith("pretix: ") and "1 waiting" in line, line
    assert "connection refused" in line
    assert in_pretix(pretix_server, away) == 0

    venue.proxy.up()  # back: the hub's retry pushes what waited, once
    wait_for(lambda: in_pretix(pretix_server, away) == 1)

    # The final sync's push: an admission just made is in pretix when the command returns.
    assert Engine(desk).scan(late["secret"]).verdict == VerdictKind.OK
    result = run_cli("sync", "--final", db=desk.path)
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert line.startswith("pretix: ") and "0 refused, 0 waiting" in line, line
    assert in_pretix(pretix_server, late) == 1
    assert in_pretix(pretix_server, away) == 1
    rows = venue.store.db.execute(
        "SELECT status, count(*) FROM pretix_pushes GROUP BY status").fetchall()
    assert dict(rows)["ok"] >= 2 and "failed" not in dict(rows)
    # The hub's log says what happened, for whoever supports it afterwards.
    log = (venue.hub.workdir / "hub.log").read_text(errors="replace")
    assert "connection refused" in log and "pretix answers again" in log
    desk.close()


def test_a_hub_without_pretix_answers_as_before(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.test_admission_support import make_event

    event = make_event(tmp_path / "hub" / "event.sqlite")
    hub = HubProcess(event.path, tmp_path / "hub").start()
    try:
        desk = synced_desk(run_cli, event.store, hub.url, tmp_path, "desk-3")
        assert sync_once(desk, desk.path).pretix is None
        result = run_cli("sync", "--final", db=desk.path)
        assert result.exit_code == 0, result.output
        assert "pretix" not in result.output
        final = sync_once(desk, desk.path, final=True)
        assert final.pretix_final is None and final.pretix is None
        desk.close()
    finally:
        hub.stop()
        event.store.close()
    # Not opened by the hub: the unconnected relay never wrote anything.
    store = Store(open_db(event.path))
    try:
        assert store.db.execute("SELECT count(*) FROM pretix_connection").fetchone()[0] == 0
    finally:
        store.close()
