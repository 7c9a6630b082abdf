"""A morning at the entrance, for the live view's screenshots (scripts/live_screenshots.py):
the demo event at a real hub process, three desks that admitted people between 08:00
and 10:30 and synced, one person admitted at two desks (a conflict), a printer out of
paper, and a desk the hub has not heard from for minutes.

    scene = Scene.build(folder)   # the hub runs until scene.stop()
    scene.link                    # a viewer's sign-in link
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from checkin.admission import Engine
from checkin.cli import cli
from checkin.clock import event_zone
from checkin.db import open_db
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import sync_once
from checkin.sync.live.viewers import add_viewer
from tests.hub_server import HubProcess

DESKS = {"desk-1": ("ready", 70), "desk-2": ("out_of_paper", 55), "desk-3": ("ready", 25)}


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Scene:
    hub: HubProcess
    store: Store
    day: str
    link: str

    @classmethod
    def build(cls, folder: Path) -> Scene:
        folder.mkdir(parents=True, exist_ok=True)
        event = folder / "event.sqlite"
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", str(event), "demo"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        store = Store(open_db(event), station="office")
        day = store.event_info().days[0]
        hub = HubProcess(event, folder).start()
        people = [a for a in store.all_attendees()
                  if a.status == "confirmed" and a.registered_for(day)]
        random.Random(15).shuffle(people)
        # the conflict's name in Latin letters: the screenshots' Chromium has no CJK font
        latin = [p for p in people[:70] if p.display_name.isascii()]
        zone = event_zone(store)
        start = datetime.fromisoformat(f"{day}T08:00:00").replace(tzinfo=zone)
        desks = {}
        for name in DESKS:  # every desk has its copy before anyone admits anybody
            token = stations.add_station(store, name)
            path = folder / f"{name}.sqlite"
            result = runner.invoke(cli, ["--db", str(path), "sync", "--hub", hub.url,
                                         "--token", token], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            desks[name] = (path, Store(open_db(path), station=name))
        taken = 0
        for name, (printer, count) in DESKS.items():
            path, desk = desks[name]
            clock = _Clock(start)
            engine = Engine(desk, station=name, operator="op", clock=clock)
            rush = random.Random(name)
            for person in people[taken:taken + count]:
                # the rush: most arrive between 08:30 and 09:15
                minutes = min(150.0, max(0.0, rush.gauss(50, 28)))
                clock.now = start + timedelta(minutes=minutes)
                engine.check_in(person.id)
            taken += count
            if name == "desk-2":  # the conflict: someone desk-1 admitted, again
                clock.now = start + timedelta(minutes=65)
                engine.check_in(latin[0].id)
            sync_once(desk, path, printer=printer)
            desk.db.conn.close()
        # desk-3 went quiet seven minutes ago (its laptop closed)
        quiet = (datetime.now().astimezone() - timedelta(minutes=7)).isoformat(
            timespec="milliseconds")
        with store.transaction():
            store.db.execute("UPDATE sync_stations SET last_contact = ? WHERE name = ?",
                             [quiet, "desk-3"])
        token = add_viewer(store, "wall")
        return cls(hub, store, day, f"{hub.url}/sign-in?token={token}")

    def stop(self) -> None:
        self.hub.stop()
        self.store.db.conn.close()
