"""A desk keeps scanning at full speed whatever the hub does: down (nothing listens), slow
(it accepts and then says nothing for 30 s) or flapping (up and down every few tenths of
a second, cutting connections mid-answer). sync_once runs on a thread of its own with its
own connection, as the app runs it; the main thread scans through checkin.admission.Engine
on another connection. Every scan must get its verdict at once: the slowest is recorded,
and the only bound on it is a sanity one (2 s) far below the network's waits (20 s read
timeout, 30 s silence), so a scan that waited on the network would fail it.

Servers listen on 127.0.0.1 only; every loop here is bounded in count and in time.
"""

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checkin.admission import OK, Engine
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import outbox_count, sync_once
from tests.hub_server import HOST, HubProcess, free_port
from tests.test_admission_support import DAY1, make_event

PEOPLE = [Attendee(id=f"p{i:03d}", given_name="Ann", family_name=f"Lee {i}",
                   code=f"SCAN-{i:04d}") for i in range(500)]
SCANS = 100  # at least, per scenario, each a different attendee
SANITY = 2.0  # seconds: far above a scan's real time, far below any network wait
SILENCE = 30.0  # seconds the slow hub keeps a connection without answering
SYNC_ATTEMPTS = 2000  # at most, per scenario: the sync loop stops by itself
JOIN = 30.0  # seconds to wait for the sync thread once told to stop


@dataclass
class Desk:
    path: Path
    token: str
    hub: HubProcess
    scenario: Iterator[list[str]]  # each scenario its own slice of the attendees


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("scanning")
    event = make_event(folder / "hub.sqlite", PEOPLE)
    token = stations.add_station(event.store, "desk-scan")
    event.store.close()
    hub = HubProcess(event.path, folder).start()
    try:
        path = folder / "desk.sqlite"
        store = Store(open_db(path, create=True), station="desk-scan")
        sync_once(store, path, hub=hub.url, token=token)  # the desk's first sync
        store.close()
        codes = [p.code or "" for p in PEOPLE]
        slices = iter([codes[:SCANS], codes[SCANS:2 * SCANS], codes[2 * SCANS:]])
        yield Desk(path, token, hub, slices)
    finally:
        hub.stop()


# -- hubs that misbehave ------------------------------------------------------------------


class SilentHub:
    """Accepts, reads the request, and answers nothing for SILENCE seconds (or until
    stop()), then hangs up."""

    def __init__(self) -> None:
        self.sock = socket.create_server((HOST, 0))
        self.sock.settimeout(0.1)
        self.url = f"http://{HOST}:{self.sock.getsockname()[1]}"
        self.stopping = threading.Event()
        self.waiting = threading.Event()  # a request arrived and is being kept waiting
        self.threads = [threading.Thread(target=self._accept, name="silent-hub")]
        self.threads[0].start()

    def _accept(self) -> None:
        deadline = time.monotonic() + SILENCE + 10
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._hold, args=(conn,), name="silent-conn")
            self.threads.append(thread)
            thread.start()

    def _hold(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request line and headers
            self.waiting.set()
            self.stopping.wait(SILENCE)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(10)
        self.sock.close()


class FlappingHub:
    """A proxy in front of the real hub that is up for `period` seconds, then down for as
    long, and so on: when down, new connections are closed at once and those under way
    are cut, mid-answer or not. steady() keeps it up from then on."""

    def __init__(self, target: int, period: float = 0.3) -> None:
        self.target = target
        self.period = period
        self.sock = socket.create_server((HOST, 0))
        self.sock.settimeout(0.1)
        self.url = f"http://{HOST}:{self.sock.getsockname()[1]}"
        self.began = time.monotonic()
        self.stopping = threading.Event()
        self.steady_up = threading.Event()
        self.cut = 0  # connections refused or cut while down
        self.threads = [threading.Thread(target=self._accept, name="flapping-hub")]
        self.threads[0].start()

    def up(self) -> bool:
        phase = int((time.monotonic() - self.began) / self.period)
        return self.steady_up.is_set() or phase % 2 == 0

    def steady(self) -> None:
        self.steady_up.set()

    def _accept(self) -> None:
        deadline = time.monotonic() + 120
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            if not self.up():
                self.cut += 1
                conn.close()
                continue
            try:
                upstream = socket.create_connection((HOST, self.target), timeout=5)
            except OSError:
                conn.close()
                continue
            for source, sink in ((conn, upstream), (upstream, conn)):
                thread = threading.Thread(target=self._pipe, args=(source, sink),
                                          name="flapping-pipe")
                self.threads.append(thread)
                thread.start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.05)
        deadline = time.monotonic() + 60
        try:
            while not self.stopping.is_set() and time.monotonic() < deadline:
                if not self.up():
                    self.cut += 1
                    break
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(10)
        self.sock.close()


# -- the desk: syncing on one thread, scanning on the other --------------------------------


@dataclass
class SyncLoop:
    """sync_once again and again on a thread with its own connection, until stopped (or
    SYNC_ATTEMPTS), as a desk app's background sync would."""

    path: Path
    url: str
    token: str
    stopping: threading.Event = field(default_factory=threading.Event)
    attempts: int = 0
    succeeded: int = 0
    failures: list[str] = field(default_factory=list)
    unexpected: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name="desk-sync")
        self.thread.start()

    def _run(self) -> None:
        store = Store(open_db(self.path), station="desk-scan")
        try:
            while not self.stopping.is_set() and self.attempts < SYNC_ATTEMPTS:
                self.attempts += 1
                try:
                    sync_once(store, self.path, hub=self.url, token=self.token)
                    self.succeeded += 1
                except CheckinError as exc:  # SyncError: the hub is away; try again
                    self.failures.append(str(exc))
                except BaseException as exc:  # anything else is a fault of the test's
                    self.unexpected.append(exc)
                    return
                self.stopping.wait(0.02)
        finally:
            store.close()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(JOIN)
        assert not self.thread.is_alive(), "sync_once did not return after the hub hung up"
        assert not self.unexpected, self.unexpected


def scan_all(path: Path, codes: list[str], while_: Callable[[], bool], *,
             pace: float = 0.0, enough: Callable[[], bool] = lambda: True) -> list[float]:
    """Scan codes on the main thread with the desk's own connection, pace seconds apart
    (a queue at the desk), until every code is scanned, or SCANS are and enough() says the
    sync has done what the scenario needs; each scan's seconds. while_ is checked after
    each scan: the sync must still be at it."""
    engine = Engine(Store(open_db(path), station="desk-scan"), operator="ann")
    seconds: list[float] = []
    scanned: list[str] = []
    try:
        for code in codes:
            start = time.perf_counter()
            verdict = engine.scan(code, day=DAY1)
            seconds.append(time.perf_counter() - start)
            scanned.append(code)
            assert verdict.verdict == OK, (code, verdict)
            assert while_(), "the sync stopped before the scanning did"
            if len(scanned) >= SCANS and enough():
                break
            time.sleep(pace)
        admitted = engine.store.db.execute(
            f"SELECT count(DISTINCT attendee_id) FROM events WHERE type = 'checkin' "
            f"AND attendee_id IN ({','.join('?' * len(scanned))})",
            [f"p{int(c.removeprefix('SCAN-')):03d}" for c in scanned]).fetchone()[0]
        assert admitted == len(scanned)
    finally:
        engine.store.close()
    return seconds


def report(record_property: Callable[[str, object], None], what: str,
           seconds: list[float]) -> None:
    slowest = max(seconds)
    record_property(f"slowest_scan_ms_{what}", round(slowest * 1000, 2))
    print(f"{what}: {len(seconds)} scans, slowest {slowest * 1000:.1f} ms")
    assert slowest < SANITY, f"a scan took {slowest:.2f} s: it waited on something"


def test_scanning_goes_on_while_the_hub_is_down(desk: Desk, record_property) -> None:
    nowhere = f"http://{HOST}:{free_port()}"  # nothing listens there
    loop = SyncLoop(desk.path, nowhere, desk.token)
    try:
        seconds = scan_all(desk.path, next(desk.scenario), loop.thread.is_alive)
    finally:
        loop.stop()
    assert loop.attempts >= 1 and loop.succeeded == 0
    assert all("unreachable" in line for line in loop.failures), loop.failures[:3]
    report(record_property, "hub down", seconds)


def test_scanning_goes_on_while_the_hub_says_nothing(desk: Desk, record_property) -> None:
    hub = SilentHub()
    loop = SyncLoop(desk.path, hub.url, desk.token)
    try:
        # Scan only once the desk's sync is stuck waiting for the hub's answer.
        assert hub.waiting.wait(10), "the desk never reached the silent hub"
        seconds = scan_all(desk.path, next(desk.scenario),
                           lambda: not hub.stopping.is_set() and loop.attempts == 1)
        assert loop.attempts == 1 and loop.succeeded == 0 and not loop.failures
    finally:
        hub.stop()  # hangs up: the blocked sync_once fails at once instead of in 20 s
        loop.stop()
    report(record_property, "hub silent", seconds)


def test_scanning_goes_on_while_the_hub_flaps_and_nothing_is_lost(
        desk: Desk, record_property) -> None:
    hub = FlappingHub(desk.hub.port)
    loop = SyncLoop(desk.path, hub.url, desk.token)
    try:
        # A queue at the desk, 20 ms apart, for as long as it takes (300 scans at most)
        # the sync to have got through and to have been cut off at least once each.
        seconds = scan_all(desk.path, next(desk.scenario), loop.thread.is_alive, pace=0.02,
                           enough=lambda: loop.succeeded >= 1 and len(loop.failures) >= 1)
    finally:
        loop.stop()
        hub.steady()
    try:
        # Up for good: one more sync delivers every admission the desk made.
        store = Store(open_db(desk.path), station="desk-scan")
        result = sync_once(store, desk.path, hub=hub.url, token=desk.token)
        assert result.waiting == 0 and outbox_count(store) == 0
        ours = {row[0] for row in store.db.execute(
            "SELECT uuid FROM events WHERE type = 'checkin' AND station = 'desk-scan'")}
        store.close()
    finally:
        hub.stop()
    with contextlib.closing(open_db(desk.hub.db_path).conn) as conn:
        at_hub = {row[0] for row in conn.execute(
            "SELECT uuid FROM events WHERE type = 'checkin' AND station = 'desk-scan'")}
    assert ours <= at_hub and len(ours) >= SCANS
    assert loop.succeeded >= 1 and loop.failures, (loop.succeeded, loop.failures)
    print(f"flapping: {loop.attempts} syncs, {loop.succeeded} complete, "
          f"{len(loop.failures)} failed, {hub.cut} connections refused or cut")
    report(record_property, "hub flapping", seconds)
