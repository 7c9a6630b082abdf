"""Desks in sync with a real hub process on 127.0.0.1 (tests/hub_server.py):

- 20 desks, each with its own database and token, push 400 admissions each at the same
  time (one thread per desk, each with its own connection, through sync_once as the desk
  calls it): from the start until every desk has its 400 acknowledged, so that the hub
  holds all 8,000 (budget <= 5 s);
- a desk's first sync of an event of 100,000 attendees into an empty database
  (budget <= 5 s);
- an incremental sync with nothing new on either side (budget <= 50 ms).

Every run starts from copies of the same databases (SQLite's backup API) and a fresh hub
process, so no run pushes into a hub that already holds its events. Every request loop
is bounded: each desk makes one sync_once per run, and sync_once itself pages with a
bound.

    python -m bench.run sync
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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.harness import Result, measure, summarise
from checkin.dbapi import sqlite3

DAY1, DAY2 = "2026-12-01", "2026-12-02"
DESKS = 20
ADMISSIONS = 400  # per desk
BIG = 100_000  # attendees of the first sync
PUSH_RUNS = 3
FIRST_RUNS = 3
IDLE_RUNS = 15
JOIN_TIMEOUT = 120.0  # seconds: a desk thread that takes longer is a fault, not a number


def _load() -> str:
    return f"load avg {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a database (WAL content included), its key file too."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def make_hub(path: Path | str, count: int, seed: int) -> None:
    """An event with a signing key and count attendees, each with its attendee_created
    event in the payload shape the importer writes (Store.write_attendees + append_many,
    as bench_import's import does)."""
    from bench.bench_import import _COUNTRIES, _FAMILY, _GIVEN, _ORGS
    from checkin import keys, places
    from checkin.models import Attendee, Event
    from checkin.search import search_key
    from checkin.store import ATTENDEE_CREATED, now

    rng = random.Random(seed)
    store = places.open_store(path, create=True, station="office")  # a file or PostgreSQL
    store.set_event("Bench Congress", [DAY1, DAY2])
    keys.ensure_event_key(store, places.files_path(path))
    people = [Attendee(id=f"A{i:06d}", given_name=rng.choice(_GIVEN),
                       family_name=rng.choice(_FAMILY), organisation=rng.choice(_ORGS),
                       country=rng.choice(_COUNTRIES), email=f"p{i}@example.org",
                       code=f"{rng.getrandbits(64):016x}",
                       days=[DAY1, DAY2] if i % 5 else [DAY2]) for i in range(count)]
    stamp = now()
    with store.transaction():
        store.write_attendees([(a, search_key(a)) for a in people])
        store.append_many([
            Event(str(uuid.UUID(int=rng.getrandbits(128))), ATTENDEE_CREATED, a.id, "office",
                  "bench", stamp, None,
                  {"id": a.id, "given_name": a.given_name, "family_name": a.family_name,
                   "title": a.title, "name_order": a.name_order, "badge_name": a.badge_name,
                   "organisation": a.organisation, "country": a.country, "role": a.role,
                   "email": a.email, "days": a.days, "status": a.status, "notes": a.notes,
                   "code": a.code, "extra": a.extra, "ref": a.ref, "source": "bench"})
            for a in people])
    store.close()


@dataclass
class _Hub:
    url: str
    stop: Callable[[], None]


def _start_hub(db: Path | str, workdir: Path) -> _Hub:
    from tests.hub_server import HubProcess

    process = HubProcess(db, workdir).start()
    return _Hub(process.url, process.stop)


def _register(hub_db: Path | str, names: list[str]) -> dict[str, str]:
    from checkin import places
    from checkin.sync import stations

    store = places.open_store(hub_db, station="office")
    try:
        return {name: stations.add_station(store, name) for name in names}
    finally:
        store.close()


def _first_sync(hub: str, token: str, path: Path, station: str) -> Any:
    from checkin.db import open_db
    from checkin.store import Store
    from checkin.sync.client import sync_once

    store = Store(open_db(path, create=True), station=station)
    try:
        return sync_once(store, path, hub=hub, token=token)
    finally:
        store.close()


# -- 20 desks push at once ------------------------------------------------------------------


def _admit(path: Path, station: str, codes: list[str]) -> None:
    from checkin.admission import Engine
    from checkin.db import open_db
    from checkin.store import Store

    engine = Engine(Store(open_db(path), station=station), station=station, operator="bench")
    try:
        for code in codes:
            verdict = engine.scan(code, day=DAY1)
            assert verdict.verdict == "ok", verdict
    finally:
        engine.store.close()


def _push_run(folder: Path, hub_template: Path, desks: dict[str, tuple[Path, str]],
              run: int) -> tuple[float, float, float, int]:
    """One run: a fresh hub from the template, fresh copies of the desks, every desk's
    sync_once at the same moment; (seconds until the last desk's push was acknowledged,
    seconds until the last sync_once returned, process CPU seconds of the desks, events
    the desks pulled: each gets what the others had pushed by the time it pulled)."""
    from checkin.db import open_db
    from checkin.store import Store
    from checkin.sync import client

    here = folder / f"push-{run}"
    here.mkdir()
    hub_db = here / "hub.sqlite"
    _copy(hub_template, hub_db)
    hub = _start_hub(hub_db, here)
    # sync_once pushes, then pulls the other desks' events: the moment a desk's push is
    # acknowledged is when client._push returns, so the bench records it there.
    acknowledged: dict[str, float] = {}
    real_push = client._push

    def timed_push(store: Store, talk: Any) -> int:
        pushed = real_push(store, talk)
        acknowledged[threading.current_thread().name] = time.perf_counter()
        return pushed

    client._push = timed_push
    try:
        stores: dict[str, Store] = {}
        for name, (template, _) in desks.items():
            path = here / f"{name}.sqlite"
            _copy(template, path)
            stores[name] = Store(open_db(path), station=name)
        results: dict[str, Any] = {}
        errors: list[BaseException] = []
        gate = threading.Barrier(len(stores) + 1)

        def desk(name: str) -> None:
            store = stores[name]
            gate.wait()
            try:
                results[name] = client.sync_once(store, store.path, hub=hub.url,
                                                 token=desks[name][1])
            except BaseException as exc:  # reported below: a number from a failed run is void
                errors.append(exc)

        threads = [threading.Thread(target=desk, args=(n,), name=n) for n in stores]
        for thread in threads:
            thread.start()
        gate.wait()
        start, cpu = time.perf_counter(), time.process_time()
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        if errors or any(t.is_alive() for t in threads):
            raise RuntimeError(f"a desk failed: {errors[:1] or 'still running'}")
        for name, result in results.items():
            assert result.pushed == ADMISSIONS and result.waiting == 0, (name, result)
        for store in stores.values():
            store.close()
        check = sqlite3.connect(hub_db)
        try:
            held = check.execute("SELECT count(*) FROM events WHERE type = 'checkin'").fetchone()
        finally:
            check.close()
        assert held[0] == DESKS * ADMISSIONS, held
        assert len(acknowledged) == DESKS, acknowledged
        pulled = sum(result.pulled for result in results.values())
        return max(acknowledged.values()) - start, seconds, cpu, pulled
    finally:
        client._push = real_push
        hub.stop()


def _bench_push(folder: Path) -> list[Result]:
    hub_template = folder / "hub-8k.sqlite"
    make_hub(hub_template, DESKS * ADMISSIONS, seed=8)
    names = [f"desk-{i:02d}" for i in range(DESKS)]
    tokens = _register(hub_template, [*names, "desk-template"])
    hub = _start_hub(hub_template, folder / "hub-8k")
    try:
        base = folder / "desk-template.sqlite"
        _first_sync(hub.url, tokens["desk-template"], base, "desk-template")
    finally:
        hub.stop()
    conn = sqlite3.connect(hub_template)
    codes = [str(r[0]) for r in conn.execute(
        "SELECT code FROM attendees WHERE days LIKE ? ORDER BY id", [f"%{DAY1}%"])]
    conn.close()
    rng = random.Random(20)
    desks: dict[str, tuple[Path, str]] = {}
    for i, name in enumerate(names):
        path = folder / f"{name}.sqlite"
        _copy(base, path)
        # Each desk admits its own 400; DAY1 is the day every desk scans.
        mine = codes[i * ADMISSIONS:(i + 1) * ADMISSIONS]
        if len(mine) < ADMISSIONS:  # a fifth of the list is registered for DAY2 only
            mine = rng.sample(codes, ADMISSIONS)
        _admit(path, name, mine)
        desks[name] = (path, tokens[name])
    acks: list[float] = []
    whole: list[float] = []
    cpus: list[float] = []
    pulls: list[int] = []
    for run in range(PUSH_RUNS):
        ack, seconds, cpu, pulled = _push_run(folder, hub_template, desks, run)
        acks.append(ack * 1000)
        whole.append(seconds * 1000)
        cpus.append(cpu)
        pulls.append(pulled)
    note = (f"20 threads in one process, each its own desk database, token and connection; "
            f"hub process on 127.0.0.1; desks' cpu median {statistics.median(cpus):.2f} s; "
            f"{_load()}")
    return [
        summarise(f"sync: {DESKS} desks push {ADMISSIONS} admissions each at once, all "
                  f"{DESKS * ADMISSIONS:,} acknowledged", "<= 5000 ms", acks, note),
        summarise("sync: the same, until every desk's sync_once (push, then pull) returned",
                  "-", whole, f"pulled {min(pulls):,}-{max(pulls):,} of the others' "
                              f"{DESKS * (DESKS - 1) * ADMISSIONS:,}; {note}"),
    ]


# -- a first sync of 100,000 attendees, then an incremental one -----------------------------


def _bench_first(folder: Path) -> list[Result]:
    from checkin.db import open_db
    from checkin.store import Store
    from checkin.sync.client import sync_once

    hub_db = folder / "hub-100k.sqlite"
    make_hub(hub_db, BIG, seed=100)
    tokens = _register(hub_db, [f"desk-{i}" for i in range(FIRST_RUNS + 1)])
    hub = _start_hub(hub_db, folder / "hub-100k")
    try:
        counter = iter(range(FIRST_RUNS + 1))
        cpus: list[float] = []
        paths: list[Path] = []

        def first() -> None:
            n = next(counter)
            path = folder / f"first-{n}.sqlite"
            cpu = time.process_time()
            result = _first_sync(hub.url, tokens[f"desk-{n}"], path, f"desk-{n}")
            cpus.append(time.process_time() - cpu)
            assert result.pulled > BIG, result  # the key_added event too
            paths.append(path)

        firsts = measure(first, runs=FIRST_RUNS, warmup=0)
        first_load = _load()
        store = Store(open_db(paths[-1]), station="desk-idle")
        token = tokens[f"desk-{len(paths) - 1}"]
        # The same desk again and again with nothing new anywhere: what a desk pays for
        # each periodic sync.
        idle = measure(lambda: sync_once(store, paths[-1], hub=hub.url, token=token),
                       runs=IDLE_RUNS, warmup=2)
        store.close()
    finally:
        hub.stop()
    return [
        summarise(f"sync: first sync of {BIG:,} attendees into an empty desk", "<= 5000 ms",
                  firsts, f"sync_once; the first desk's {firsts[0]:.0f} ms include building "
                          "the hub's image, the others get its recent one; desk cpu median "
                          f"{statistics.median(cpus):.2f} s; {first_load}"),
        summarise("sync: incremental, nothing new", "<= 50 ms", idle,
                  f"{BIG:,} attendees held; 4 requests, 3 desk commits; {_load()}"),
    ]


def run() -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        folder = Path(tmp)
        # The hub processes and this one log to a file of their own, never the user's.
        os.environ["CHECKIN_LOG"] = str(folder / "checkin.log")
        results += _bench_push(folder)
        results += _bench_first(folder)
    print(f"(measured {datetime.now():%Y-%m-%d %H:%M})", flush=True)
    return results
