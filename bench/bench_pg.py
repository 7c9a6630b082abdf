"""The hub on PostgreSQL under a congress's load, beside the same load on the SQLite hub:

- 50 desks, each its own SQLite database, token and thread (one process), hold 2,000
  admissions each (100,000 in all) and sync at the same moment: on PostgreSQL through
  two hub processes on one database (desk i is given hub i % 2 first and the other as
  its second address), on SQLite through one hub process;
- "acknowledged": from the start until the last desk's push was acknowledged (the hub then
  holds all 100,000; events/s = 100,000 / that time);
- "visible at every desk": from the start until, after a second round of syncs, every desk
  holds all 100,000 admissions (checked by counting).

The server is a private one of tests/pg_server.py with PostgreSQL's default settings
(fsync on), on a unix socket; the hubs and the desks run on this machine, as do the
other benchmarks. The event has 2,000 attendees and every desk admits each of them once
(a person admitted at 50 desks is a conflict, which changes nothing for the hub: every
admission is one event to store and to hand on).

    python -m bench.run pg
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.harness import Result, summarise
from checkin.dbapi import sqlite3

DAY1, DAY2 = "2026-12-01", "2026-12-02"
DESKS = 50
ADMISSIONS = 2_000  # per desk
PEOPLE = 2_000
RUNS = int(os.environ.get("BENCH_PG_RUNS", "1"))
JOIN_TIMEOUT = 1800.0  # seconds: a desk thread that takes longer is a fault, not a number
SYNC_TRIES = 10  # a desk whose hubs both answer 503 tries again, as the app's sync does
RETRY_PAUSE = 1.0  # seconds (the app waits 5 s; a bench need not)
RETRIED: list[int] = []  # syncs tried again per round (in the results' note)


def _load() -> str:
    return f"load avg {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _make_event(place: Path | str, names: list[str]) -> dict[str, str]:
    """The event (2,000 attendees, a signing key) and the desks' tokens."""
    from checkin import keys, places
    from checkin.models import Attendee
    from checkin.search import search_key
    from checkin.sync import stations

    rng = random.Random(50)
    store = places.open_store(place, create=True, station="office")
    try:
        store.set_event("Bench Congress", [DAY1, DAY2])
        keys.ensure_event_key(store, places.files_path(place))
        with store.transaction():
            for i in range(PEOPLE):
                person = Attendee(id=f"A{i:05d}", given_name=f"Given{rng.randrange(999)}",
                                  family_name=f"Family{i}", email=f"p{i}@example.org")
                store.add_attendee(person, search_key=search_key(person), source="bench")
        return {name: stations.add_station(store, name) for name in names}
    finally:
        store.close()


def _desks(folder: Path, urls: list[str], tokens: dict[str, str]) -> dict[str, Path]:
    """A template desk made by a first sync, copied to each desk with its 2,000 admissions
    (written as the engine's events are: one checkin event each, in one transaction)."""
    from checkin import places
    from checkin.models import Event
    from checkin.store import CHECKIN, now
    from checkin.sync.client import sync_once

    template = folder / "desk-template.sqlite"
    store = places.open_store(template, create=True, station="desk-template")
    try:
        sync_once(store, template, hub=urls[0], token=tokens["desk-template"])
    finally:
        store.close()
    desks: dict[str, Path] = {}
    for i in range(DESKS):
        name = f"desk-{i:02d}"
        path = folder / f"{name}.sqlite"
        _copy(template, path)
        desk = places.open_store(path, station=name)
        try:
            with desk.transaction():
                desk.append_many([Event(str(uuid.uuid4()), CHECKIN, f"A{j:05d}", name, "bench",
                                        now(), DAY1, {"verdict": "ok"})
                                  for j in range(ADMISSIONS)])
        finally:
            desk.close()
        desks[name] = path
    return desks


def _round(stores: dict[str, Any], addresses: Callable[[int], list[str]],
           tokens: dict[str, str]) -> tuple[float, float, list[Any]]:
    """Every desk's sync_once at the same moment; (seconds until the last push was
    acknowledged, seconds until the last sync_once returned, results)."""
    from checkin.sync import client

    acknowledged: dict[str, float] = {}
    real_push = client._push

    def timed_push(store: Any, talk: Any) -> int:
        pushed = real_push(store, talk)
        acknowledged[threading.current_thread().name] = time.perf_counter()
        return pushed

    client._push = timed_push
    results: dict[str, Any] = {}
    errors: list[BaseException] = []
    retries: list[str] = []
    gate = threading.Barrier(len(stores) + 1)

    def desk(i: int, name: str) -> None:
        gate.wait()
        try:
            for attempt in range(SYNC_TRIES):
                try:
                    results[name] = client.sync_once(stores[name], stores[name].path,
                                                     hub=addresses(i), token=tokens[name])
                    return
                except client.SyncError:  # a busy hub (503): again, as the app does
                    if attempt == SYNC_TRIES - 1:
                        raise
                    retries.append(name)
                    time.sleep(RETRY_PAUSE)
        except BaseException as exc:  # a number from a failed run is void: raised below
            errors.append(exc)

    threads = [threading.Thread(target=desk, args=(i, n), name=n)
               for i, n in enumerate(stores)]
    try:
        for thread in threads:
            thread.start()
        gate.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        whole = time.perf_counter() - start
    finally:
        client._push = real_push
    if errors or any(t.is_alive() for t in threads):
        raise RuntimeError(f"a desk failed: {errors[:1] or 'still running'}")
    RETRIED.append(len(retries))
    return max(acknowledged.values()) - start, whole, list(results.values())


def _run_once(folder: Path, kind: str, server: Any) -> tuple[float, float, float]:
    """One run on a fresh hub database and fresh desks; (acknowledged s, visible s,
    events/s)."""
    from checkin import places
    from tests.hub_server import HubProcess

    folder.mkdir()
    names = [f"desk-{i:02d}" for i in range(DESKS)]
    place: Path | str = (server.new_database(migrated=False) if kind == "postgresql"
                         else folder / "hub.sqlite")
    tokens = _make_event(place, [*names, "desk-template"])
    hubs = [HubProcess(place, folder / f"hub-{n}") for n in
            range(2 if kind == "postgresql" else 1)]
    try:
        for hub in hubs:
            hub.start()
        urls = [hub.url for hub in hubs]
        desks = _desks(folder, urls, tokens)
        stores = {name: places.open_store(path, station=name) for name, path in desks.items()}

        def addresses(i: int) -> list[str]:
            return urls[i % len(urls):] + urls[:i % len(urls)]

        try:
            ack, first, results = _round(stores, addresses, tokens)
            # (a desk that synced again after a busy hub pushed in its first attempt)
            assert all(r.waiting == 0 for r in results), results
            _, second, _ = _round(stores, addresses, tokens)
            visible = first + second
            total = DESKS * ADMISSIONS
            for name, store in stores.items():
                held = store.db.execute(
                    "SELECT count(*) FROM events WHERE type = 'checkin'").fetchone()[0]
                assert held == total, (name, held)
        finally:
            for store in stores.values():
                store.close()
        hub_store = places.open_store(place, station="check")
        try:
            count, distinct = hub_store.db.execute(
                "SELECT count(*), count(DISTINCT uuid) FROM events WHERE type = 'checkin'"
            ).fetchone()
        finally:
            hub_store.close()
        assert count == distinct == DESKS * ADMISSIONS, (count, distinct)
        return ack, visible, DESKS * ADMISSIONS / ack
    finally:
        for hub in hubs:
            hub.stop()


def _first_sync(folder: Path, server: Any) -> Result:
    """A new desk's first sync of 100,000 attendees from a hub process on PostgreSQL (its
    snapshot is built from rows: checkin.sync.snapshot), as bench_sync times it on SQLite."""
    from bench.bench_sync import BIG, FIRST_RUNS, _first_sync, _register, _start_hub, make_hub

    place = server.new_database(migrated=False)
    make_hub(place, BIG, seed=100)
    tokens = _register(place, [f"desk-{i}" for i in range(FIRST_RUNS)])
    hub = _start_hub(place, folder / "hub-first")
    times, cpus = [], []
    try:
        for n in range(FIRST_RUNS):
            cpu, start = time.process_time(), time.perf_counter()
            result = _first_sync(hub.url, tokens[f"desk-{n}"], folder / f"first-{n}.sqlite",
                                 f"desk-{n}")
            times.append((time.perf_counter() - start) * 1000)
            cpus.append(time.process_time() - cpu)
            assert result.pulled > BIG, result
    finally:
        hub.stop()
    return summarise(f"sync: first sync of {BIG:,} attendees from a hub on PostgreSQL",
                     "<= 5000 ms", times, f"the first desk's {times[0]:.0f} ms include "
                                          "building the image, the others get the hub's "
                                          "recent one; desk cpu median "
                                          f"{statistics.median(cpus):.2f} s; {_load()}")


def run() -> list[Result]:
    from tests.pg_server import PgServer

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        folder = Path(tmp)
        os.environ["CHECKIN_LOG"] = str(folder / "checkin.log")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")  # the PostgreSQL event's key
        server = PgServer(settings=()).start()
        try:
            results.append(_first_sync(folder, server))
            for kind, label in (("postgresql", "PostgreSQL, two hub processes"),
                                ("sqlite", "SQLite, one hub process")):
                acks, visibles, rates = [], [], []
                for run_number in range(RUNS):
                    ack, visible, rate = _run_once(folder / f"{kind}-{run_number}", kind,
                                                   server)
                    acks.append(ack * 1000)
                    visibles.append(visible * 1000)
                    rates.append(rate)
                note = (f"{statistics.median(rates):,.0f} events/s acknowledged; 50 desk "
                        f"threads in one process; syncs tried again after a busy hub: "
                        f"{sum(RETRIED)}; {_load()}")
                RETRIED.clear()
                results.append(summarise(
                    f"hub on {label}: {DESKS} desks x {ADMISSIONS:,} admissions pushed at "
                    f"once, all {DESKS * ADMISSIONS:,} acknowledged", "-", acks, note))
                results.append(summarise(
                    f"hub on {label}: the same, until all {DESKS * ADMISSIONS:,} are "
                    "visible at every desk (a second round of syncs)", "-", visibles,
                    f"every desk pulls the others' {(DESKS - 1) * ADMISSIONS:,}"))
        finally:
            server.stop()
    print(f"(measured {datetime.now():%Y-%m-%d %H:%M})", flush=True)
    return results
