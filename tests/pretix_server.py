"""A real pretix server for the pretix tests and the pretix benchmark.

    python -m tests.pretix_server start [ORDERS]   start one, print its KEY=VALUE lines
    python -m tests.pretix_server stop             stop those started by hand, and every
                                                   server whose owner process is gone
    python -m tests.pretix_server status

pretix itself (PRETIX_VERSION from PyPI) lives in its own virtual environment,
.pretix-venv/ in the checkout ($CHECKIN_PRETIX_VENV moves it), made by
scripts/setup_pretix.sh, which scripts/setup.sh runs. When it is missing, start() raises
Unavailable with the reason and the `pretix_server` fixture skips the tests with it.

Each start() makes a new server in a temporary directory: SQLite, no Redis or Celery
(pretix then runs its tasks eagerly), Django's development server bound to 127.0.0.1 on
a free port, tables built from the models (tests/pretix/checkin_pretix_settings.py) and
cached per pretix version, then seeded by tests/pretix/seed.py (organizer, event,
products, check-in lists, orders, a team API token and a second device). The `pretix_server`
fixture starts one per test session (about 20 s) and stops it at the end, also when tests
fail. The server dies with the process that started it (PR_SET_PDEATHSIG), so a killed
test run leaves none behind; `stop` (scripts/test.sh runs it on exit) removes what a
crash of that kind could still leave: servers whose owner process is gone.

PretixProxy stands in front of a server as the network would: it forwards, refuses
connections (a pretix that is down), or answers 503 (a pretix that is overloaded), so
that the tests of retries and offline admissions need no second pretix.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "pretix"
PRETIX_VERSION = "2026.8.0"
VENV = Path(os.environ.get("CHECKIN_PRETIX_VENV", ROOT / ".pretix-venv"))
UID = getattr(os, "getuid", lambda: -1)()
STATE = Path(tempfile.gettempdir()) / f"checkin-pretix-{UID}"  # one record per server
START_TIMEOUT = 180.0  # seconds until the API answers (schema, seed and start together)
ORGANIZER = "checkin-test"
EVENT = "pmc2026"


# The servers this process started: a Popen dropped while its process runs warns
# (ResourceWarning, an error under pytest's filterwarnings), and stop() reaps it.
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}


class Unavailable(Exception):
    """pretix cannot run here; str() says why (the skip reason)."""


@dataclass
class PretixServer:
    url: str  # http://127.0.0.1:PORT
    organizer: str
    event: str
    list_id: int  # "Main entrance": the admission products
    other_list_id: int  # "Workshop room": every product
    token: str  # a team API token with every permission
    device_token: str  # another check-in device ("Authorization: Device ...")
    pid: int
    port: int
    directory: str
    owner: int  # the process that started it
    orders: int
    seconds: float  # start-up time: schema, seed, server

    @property
    def event_path(self) -> str:
        return f"events/{self.event}/"

    def http(self, *, device: bool = False) -> httpx.Client:
        """pretix's API under organizers/ORGANIZER/, as the team (or the other device)."""
        import httpx

        auth = f"Device {self.device_token}" if device else f"Token {self.token}"
        return httpx.Client(base_url=f"{self.url}/api/v1/organizers/{self.organizer}/",
                            headers={"Authorization": auth}, timeout=60)

    def env_lines(self) -> str:
        return "\n".join(f"PRETIX_{key.upper()}={value}" for key, value in asdict(self).items())

    def stop(self) -> None:
        _stop(self)


def python() -> Path:
    return VENV / "bin" / "python"


def check_installed() -> None:
    """Raise Unavailable unless the pretix virtual environment holds PRETIX_VERSION."""
    marker = VENV / ".checkin-pretix-version"
    if not python().exists():
        raise Unavailable(f"pretix is not installed in {VENV} (run scripts/setup_pretix.sh)")
    if not marker.exists() or marker.read_text().strip() != PRETIX_VERSION:
        raise Unavailable(f"{VENV} does not hold pretix {PRETIX_VERSION} "
                          "(run scripts/setup_pretix.sh)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """The server gets SIGTERM when the process that started it ends, however it ends."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setsid()


def _environment(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "DJANGO", "PRETIX"))}
    env.update({
        "PRETIX_CONFIG_FILE": str(directory / "pretix.cfg"),
        "DJANGO_SETTINGS_MODULE": "checkin_pretix_settings",
        "PYTHONPATH": str(HERE),
        "PYTHONUNBUFFERED": "1",
        "CHECKIN_PRETIX_DIR": str(directory),
    })
    return env


def _write_config(directory: Path, port: int) -> None:
    (directory / "data").mkdir(parents=True, exist_ok=True)
    (directory / "mail").mkdir(exist_ok=True)
    (directory / "pretix.cfg").write_text(f"""\
[pretix]
instance_name=checkin-test-pretix
url=http://127.0.0.1:{port}
currency=EUR
datadir={directory / "data"}
registration=off
ecb_rates=off

[locale]
default=en
timezone=Europe/Berlin

[database]
backend=sqlite3
name={directory / "data" / "db.sqlite3"}

[mail]
from=pretix@localhost

[django]
debug=off
""")


def _run(args: list[str], env: dict[str, str], log: Path, what: str,
         extra_env: dict[str, str] | None = None) -> None:
    with open(log, "w") as out:
        result = subprocess.run(args, env={**env, **(extra_env or {})}, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                timeout=600, check=False)
    if result.returncode != 0:
        lines = log.read_text(errors="replace").strip().splitlines()
        raise Unavailable(f"pretix {what} failed: {lines[-1] if lines else '?'} (see {log})")


def _schema(directory: Path, env: dict[str, str]) -> None:
    """Tables from the models, copied from a cache made once per pretix version."""
    database = directory / "data" / "db.sqlite3"
    cache = VENV / f"schema-{PRETIX_VERSION}.sqlite3"
    if cache.exists():
        shutil.copyfile(cache, database)
        return
    _run([str(python()), "-m", "pretix", "migrate", "--run-syncdb", "--noinput"], env,
         directory / "migrate.log", "schema")
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(database, partial)
    partial.replace(cache)  # atomic: a concurrent start copies a whole file or none


def _get_json(url: str, token: str, timeout: float = 2.0) -> object:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def start(orders: int = 60, *, bulk: bool = False, tied: bool = True) -> PretixServer:
    """A new, seeded pretix server; raise Unavailable when it cannot run here.

    tied: the server ends when this process ends (tests, benchmarks); `start` from the
    command line leaves it running until `stop`."""
    check_installed()
    began = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="checkin-pretix-"))
    try:
        return _start(directory, orders, bulk, tied, began)
    except BaseException:
        if not os.environ.get("CHECKIN_PRETIX_KEEP"):  # set it to read the logs of a failure
            shutil.rmtree(directory, ignore_errors=True)
        raise


def _start(directory: Path, orders: int, bulk: bool, tied: bool,
           began: float) -> PretixServer:
    port = _free_port()
    _write_config(directory, port)
    env = _environment(directory)
    _schema(directory, env)
    seed_out = directory / "seed.json"
    _run([str(python()), str(HERE / "seed.py")], env, directory / "seed.log", "seeding",
         {"SEED_OUT": str(seed_out), "SEED_ORDERS": str(orders),
          "SEED_BULK": "1" if bulk else "0", "SEED_ORGANIZER": ORGANIZER,
          "SEED_EVENT": EVENT})
    seed = json.loads(seed_out.read_text())
    log = open(directory / "server.log", "w")  # noqa: SIM115 - handed to the server
    process = subprocess.Popen(
        [str(python()), "-m", "pretix", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        preexec_fn=_die_with_parent if tied else os.setsid)
    log.close()
    _PROCESSES[process.pid] = process
    server = PretixServer(
        url=f"http://127.0.0.1:{port}", organizer=seed["organizer"], event=seed["event"],
        list_id=seed["list_id"], other_list_id=seed["other_list_id"], token=seed["token"],
        device_token=seed["device_token"], pid=process.pid, port=port,
        directory=str(directory), owner=os.getpid(), orders=orders, seconds=0.0)
    probe = (f"{server.url}/api/v1/organizers/{server.organizer}/events/{server.event}/"
             f"checkinlists/{server.list_id}/")
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            _PROCESSES.pop(process.pid, None)
            raise Unavailable("the pretix server exited at start: "
                              + _tail(directory / "server.log"))
        try:
            _get_json(probe, server.token)
            break
        except (OSError, urllib.error.URLError, ValueError):
            if time.monotonic() > deadline:
                _kill(process.pid)
                _PROCESSES.pop(process.pid, None)
                process.wait(timeout=10)
                raise Unavailable("the pretix server did not answer in time: "
                                  + _tail(directory / "server.log")) from None
            time.sleep(0.25)  # the development server has no readiness signal
    server.seconds = round(time.monotonic() - began, 1)
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / f"{port}.json").write_text(json.dumps(asdict(server)))
    return server


def _tail(path: Path) -> str:
    with contextlib.suppress(OSError):
        lines = path.read_text(errors="replace").strip().splitlines()
        if lines:
            return lines[-1]
    return "no log"


def _alive(pid: int) -> bool:
    if pid <= 0:  # kill(0) and kill(-1) would ask about whole process groups
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie answers kill(0) too
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _is_pretix(pid: int, directory: str) -> bool:
    """The pid is still our server, not a process that got the number later."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"CHECKIN_PRETIX_DIR={directory}".encode() in environ


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)  # its own session: the server and its threads
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _stop(server: PretixServer) -> None:
    if _alive(server.pid) and _is_pretix(server.pid, server.directory):
        _kill(server.pid)
    process = _PROCESSES.pop(server.pid, None)
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    (STATE / f"{server.port}.json").unlink(missing_ok=True)
    shutil.rmtree(server.directory, ignore_errors=True)


def running() -> list[PretixServer]:
    found = []
    for record in sorted(STATE.glob("*.json")) if STATE.exists() else []:
        with contextlib.suppress(OSError, ValueError, TypeError):
            found.append(PretixServer(**json.loads(record.read_text())))
    return found


def stop_orphans() -> int:
    """Stop the recorded servers whose owner process is gone (or that were started by
    hand, without an owner); how many were stopped."""
    stopped = 0
    for server in running():
        if not _alive(server.owner):
            stopped += _alive(server.pid)
            _stop(server)
    return stopped


# -- a switchable proxy ------------------------------------------------------------------


class PretixProxy:
    """A TCP forwarder on 127.0.0.1:port to a pretix server.

    mode "up" forwards; "down" closes the listening socket (connections are refused, as
    when pretix is stopped); "busy" answers every request with HTTP 503. The port stays
    the same across modes, so a stored connection keeps pointing at it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = _free_port()
        self.requests = 0  # connections accepted (one or more requests each)
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._busy = False
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self._busy = False
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def busy(self) -> None:
        self.up()
        self._busy = True

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    close = down

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            self.requests += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            if self._busy:
                with contextlib.suppress(OSError):
                    client.recv(65536)
                    body = b'{"detail": "busy"}'
                    client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                                   b"application/json\r\nConnection: close\r\n"
                                   b"Content-Length: " + str(len(body)).encode()
                                   + b"\r\n\r\n" + body)
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                return
            with upstream:
                pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                pump.start()
                _pipe(client, upstream)
                pump.join(timeout=30)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


# -- pytest ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pretix_server() -> Iterator[PretixServer]:
    """One seeded pretix for the test session, stopped at its end (also on failure)."""
    try:
        server = start()
    except Unavailable as exc:
        pytest.skip(f"pretix not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start":
        try:
            server = start(int(argv[1]) if len(argv) > 1 else 60, tied=False)
        except Unavailable as exc:
            print(f"pretix_server: not started: {exc}")
            return 1
        print(server.env_lines())
        print(f"pretix_server: running (pid {server.pid}) after {server.seconds} s; "
              f"stop with: python -m tests.pretix_server stop")
        # Started by hand: it outlives this command, and `stop` ends it (no owner).
        (STATE / f"{server.port}.json").write_text(json.dumps({**asdict(server), "owner": 0}))
        return 0
    if command == "stop":
        print(f"pretix_server: stopped {stop_orphans()} server(s) without a living owner")
        return 0
    if command == "status":
        servers = running()
        for server in servers:
            state = "running" if _alive(server.pid) else "gone"
            print(f"pretix_server: {server.url} pid {server.pid} owner {server.owner} {state}")
        return 0 if servers else 1
    print("usage: python -m tests.pretix_server start [ORDERS]|stop|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
