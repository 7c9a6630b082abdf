"""A real hub for the sync tests: `python -m checkin --db DB hub serve --port P` on 127.0.0.1.

    hub = HubProcess(db_path, workdir)
    hub.start()          # a free port the first time; the same port on a restart
    hub.kill()           # SIGKILL: a crash
    hub.start()          # same database, same port (the desks' remembered URL stays valid)
    hub.stop()           # SIGTERM, then SIGKILL if it does not end in time

    HubProcess(db_path, workdir, tls=["--tls-self-signed"])   # https: the url says so

start() returns once GET /api/v1/status answers 401 without a token (bounded wait, the
hub's output tail in the error otherwise). The hub listens on 127.0.0.1 only. Its stdout
and stderr go to files in workdir, not pipes, so a chatty hub never blocks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds; a loaded 2-core machine imports FastAPI slowly
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class HubProcess:
    def __init__(self, db_path: Path | str, workdir: Path, port: int | None = None,
                 tls: Sequence[str] = (), args: Sequence[str] = ()) -> None:
        self.db_path = db_path  # a file, or a PostgreSQL URL (tests/pg_server.py)
        self.args = list(args)  # more `hub serve` options (--upload URL, ...)
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.tls = list(tls)  # `hub serve` TLS options; they can change between starts
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    def _output(self) -> str:
        lines: list[str] = []
        for name in ("hub.out", "hub.err"):
            with contextlib.suppress(OSError):
                lines += (self.workdir / name).read_text(errors="replace").splitlines()
        return " | ".join(lines[-5:]) or "no output"

    def start(self) -> HubProcess:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        with open(self.workdir / "hub.out", "ab") as out, \
                open(self.workdir / "hub.err", "ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "checkin", "--db", str(self.db_path), "hub", "serve",
                 "--host", HOST, "--port", str(self.port), *self.tls, *self.args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=dict(os.environ))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited with {self.process.returncode} at start: "
                                   f"{self._output()}")
            with contextlib.suppress(httpx.HTTPError):
                # Only "is it up": the tests check the certificate with the desk's own code.
                answer = httpx.get(f"{self.url}/api/v1/status", timeout=1.0, trust_env=False,
                                   verify=False)
                if answer.status_code == 401:
                    return self
                raise RuntimeError(f"hub answered {answer.status_code} without a token")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"hub did not answer within {START_TIMEOUT:.0f} s: "
                                   f"{self._output()}")
            time.sleep(0.05)  # polling: the hub has no readiness signal but its answer

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug would end it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()


def synced_desk(run_cli, hub_store, url: str, folder: Path, name: str):
    """A desk registered at the hub, its database made by a first `checkin sync`."""
    from checkin.db import open_db
    from checkin.store import Store
    from checkin.sync import stations

    token = stations.add_station(hub_store, name)
    path = folder / f"{name}.sqlite"
    result = run_cli("sync", "--hub", url, "--token", token, db=path)
    assert result.exit_code == 0, result.output
    return Store(open_db(path), station=name, operator="op-" + name)
