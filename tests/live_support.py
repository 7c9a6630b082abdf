"""Shared setup of the live view's tests (no tests of its own): an event of today and
tomorrow with roles, countries and e-mail addresses, a hub process serving it, desks
that sync with it, and reading the page's key figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from click.testing import CliRunner

from checkin import keys
from checkin.admission import Engine
from checkin.cli import cli
from checkin.db import open_db
from checkin.models import Attendee
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import sync_once
from checkin.sync.live.viewers import add_viewer
from tests.hub_server import HubProcess

TODAY = date.today().isoformat()
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
METRICS = ("checked-in", "expected", "conflicts", "desks-online")
_METRIC = re.compile(r'data-metric="([a-z-]+)">([^<]*)<')


def people(count: int = 24) -> list[Attendee]:
    roles = ("delegate", "speaker", "press", "staff")
    countries = ("DE", "FR", "JP", "")
    return [Attendee(id=f"p{i:02d}", given_name=f"Given{i:02d}", family_name=f"Family{i:02d}",
                     email=f"person{i:02d}@example.org", role=roles[i % 4],
                     country=countries[i % 4], days=[TODAY] if i % 6 else [TOMORROW])
            for i in range(count)]


def make_live_event(path: Path) -> Store:
    store = Store(open_db(path, create=True), station="office", operator="org")
    store.set_event("Live Congress", [TODAY, TOMORROW])
    keys.ensure_event_key(store, path)
    with store.transaction():
        for person in people():
            store.add_attendee(person)
    return store


@dataclass
class LiveHub:
    process: HubProcess
    store: Store
    folder: Path

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def path(self) -> Path:
        return self.process.db_path

    def viewer(self, name: str) -> str:
        """A new viewer's sign-in link."""
        return f"{self.url}/sign-in?token={add_viewer(self.store, name)}"

    @contextmanager
    def signed_in(self, name: str) -> Iterator[httpx.Client]:
        """A client holding a new viewer's session cookie."""
        with httpx.Client(base_url=self.url, trust_env=False, timeout=20,
                          verify=False) as client:
            answer = client.get(self.viewer(name))
            assert answer.status_code == 200, answer.text
            yield client

    def desk(self, name: str) -> tuple[Path, Store]:
        """A desk registered at the hub, its database made by a first `checkin sync`."""
        token = stations.add_station(self.store, name)
        path = self.folder / f"{name}.sqlite"
        result = CliRunner().invoke(cli, ["--db", str(path), "sync", "--hub", self.url,
                                          "--token", token], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return path, Store(open_db(path), station=name, operator="op-" + name)

    def stop(self) -> None:
        self.process.stop()
        self.store.db.conn.close()


def start_hub(folder: Path, tls: tuple[str, ...] = ()) -> LiveHub:
    folder.mkdir(parents=True, exist_ok=True)
    store = make_live_event(folder / "event.sqlite")
    return LiveHub(HubProcess(folder / "event.sqlite", folder, tls=tls).start(), store, folder)


def admit(path: Path, desk: Store, ids: list[str], *, printer: str | None = None) -> None:
    """The desk admits ids now, then syncs (as its background sync would)."""
    engine = Engine(desk, station=desk.station, operator=desk.operator)
    for attendee_id in ids:
        verdict = engine.check_in(attendee_id)
        assert verdict.verdict == "ok", verdict
    sync_once(desk, path, printer=printer)


def metrics(html: str) -> dict[str, str]:
    return {name: value for name, value in _METRIC.findall(html)}
