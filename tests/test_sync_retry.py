"""A hub that closes a connection without answering (a kept-alive connection it timed out
just as the desk reused it): the desk asks once more on a new connection, and the sync
goes through. A hub that does so every time is unreachable, in one line."""

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin.sync.client import SyncError, sync_once
from tests.hub_server import HubProcess, synced_desk
from tests.test_admission_support import make_event

HOST = "127.0.0.1"


class DroppingProxy:
    """In front of the real hub: the first `drops` connections are read and closed without
    an answer; the later ones are passed through."""

    def __init__(self, target: int, drops: int) -> None:
        self.target, self.drops = target, drops
        self.sock = socket.create_server((HOST, 0))
        self.sock.settimeout(0.1)
        self.url = f"http://{HOST}:{self.sock.getsockname()[1]}"
        self.dropped = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            if self.dropped < self.drops:
                self.dropped += 1
                with conn:
                    conn.settimeout(5)
                    with contextlib.suppress(OSError):
                        conn.recv(65536)
                continue
            upstream = socket.create_connection((HOST, self.target), timeout=5)
            for source, sink in ((conn, upstream), (upstream, conn)):
                thread = threading.Thread(target=self._pipe, args=(source, sink), daemon=True)
                self.threads.append(thread)
                thread.start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
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


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[object, HubProcess]]:
    event = make_event(tmp_path / "hub" / "event.sqlite")
    process = HubProcess(event.path, tmp_path / "hub").start()
    try:
        yield event, process
    finally:
        process.stop()
        event.store.close()


def test_a_connection_closed_without_an_answer_is_asked_again(hub, run_cli,
                                                              tmp_path: Path) -> None:
    event, process = hub
    proxy = DroppingProxy(process.port, drops=0)  # the desk knows the hub by the proxy only
    desk = synced_desk(run_cli, event.store, proxy.url, tmp_path, "desk-a")
    try:
        proxy.drops = 1
        result = sync_once(desk, desk.path)
        assert proxy.dropped == 1
        assert result.waiting == 0
    finally:
        proxy.stop()
        desk.close()


def test_a_hub_that_never_answers_is_unreachable_in_one_line(hub, run_cli,
                                                             tmp_path: Path) -> None:
    event, process = hub
    proxy = DroppingProxy(process.port, drops=0)
    desk = synced_desk(run_cli, event.store, proxy.url, tmp_path, "desk-b")
    try:
        proxy.drops = 10
        with pytest.raises(SyncError) as caught:
            sync_once(desk, desk.path)
        assert "unreachable" in str(caught.value) and "\n" not in str(caught.value)
        assert proxy.dropped == 2  # asked once more, not for ever
    finally:
        proxy.stop()
        desk.close()
