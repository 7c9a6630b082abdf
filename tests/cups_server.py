"""A private CUPS spooler with a cups-pdf virtual printer, for the printing tests.

    python -m tests.cups_server start|stop|status

`start` is idempotent: it (re)uses one private `cupsd` per machine user, listening
only on a unix socket under BASE (no TCP port, no change to the system's CUPS), with
its own cups-pdf instance: cups-pdf reads /etc/cups/cups-pdf-<instance>.conf for a
device URI cups-pdf:/<instance> (the only file written outside BASE), so every PDF
that comes out lands in BASE/out with `job_<cups job id>` in its name. Clients reach
it with `CUPS_SERVER=BASE/cups.sock`. The state (socket, out directory, pid) is written to
BASE/state.json; `info()` reads it for the pytest fixture.

Requirements: Debian packages cups, cups-client and printer-driver-cups-pdf, and
root (the cups-pdf backend is mode 0700 root, so cupsd must run as root to use it).
When something is missing, `start` prints the reason, exits 0 (the test run goes
on) and the CUPS tests skip with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

UID = getattr(os, "getuid", lambda: -1)()  # -1: not POSIX, CUPS tests skip
BASE = Path(os.environ.get("CHECKIN_CUPS_DIR", f"/tmp/checkin-cups-{UID}"))
PRINTER = "checkin-pdf"
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
# cups-pdf reads its settings from a compiled-in /etc/cups; a device URI cups-pdf:/NAME
# selects /etc/cups/cups-pdf-NAME.conf, so ours sits beside the system's without touching it.
# One instance per BASE, so a second server (CHECKIN_CUPS_DIR) never redirects our PDFs.
INSTANCE = f"checkin{zlib.crc32(str(BASE).encode()):08x}"
INSTANCE_CONF = Path("/etc/cups") / f"cups-pdf-{INSTANCE}.conf"
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
START_TIMEOUT = 30.0  # seconds for cupsd to answer on its socket (a slow shared machine)


@dataclass
class ServerInfo:
    socket: str  # value for CUPS_SERVER
    out: str  # where cups-pdf writes job_<id>-<title>.pdf
    printer: str  # a ready cups-pdf printer (tests add their own with add_printer)
    pid: int

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.socket}


class Unavailable(Exception):
    """CUPS cannot run here; str() says why (shown as the skip reason)."""


# -- helpers ----------------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    if check and result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise Unavailable(f"{' '.join(args[:2])} failed: {message[-1] if message else '?'}")
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0); its /proc state says Z
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if fields and fields[0] == "Z":
            return False
    return True


def _answers(socket: str) -> bool:
    if not Path(socket).exists():
        return False
    env = {**os.environ, "CUPS_SERVER": socket}
    try:
        result = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, env=env,
                                timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "not running" not in result.stdout


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Concurrent test runs (several helpers on one machine) start one server, not two."""
    import fcntl  # POSIX only, like CUPS; importing this module elsewhere must not fail

    BASE.mkdir(parents=True, exist_ok=True, mode=0o755)
    with open(BASE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _state_path() -> Path:
    return BASE / "state.json"


def _read_state() -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads(_state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _check_requirements() -> None:
    missing = [tool for tool in ("cupsd", "lpadmin", "lp", "lpstat", "cupsenable")
               if shutil.which(tool) is None
               and not Path("/usr/sbin", tool).exists()]
    if missing:
        raise Unavailable(f"CUPS tools missing ({', '.join(missing)}): install the Debian "
                          "packages cups and cups-client (scripts/setup.sh does)")
    if not BACKEND.exists() or not PPD.exists():
        raise Unavailable("the cups-pdf printer is missing: install printer-driver-cups-pdf")
    if UID != 0:
        raise Unavailable("the private CUPS server needs root (the cups-pdf backend runs "
                          "only under a root cupsd)")


def _sbin(tool: str) -> str:
    return shutil.which(tool) or str(Path("/usr/sbin", tool))


# -- configuration ----------------------------------------------------------------------


def _private_binaries() -> tuple[Path, Path]:
    """Copies of cupsd and the cups-pdf backend, and a ServerBin that uses the latter.

    AppArmor confines programs by path: on Debian and Ubuntu the profiles for
    /usr/sbin/cupsd and /usr/lib/cups/backend/cups-pdf would keep cups-pdf from reading
    our instance config and writing to BASE/out. Copies elsewhere run unconfined; the
    other filters and backends are symlinks to the system's.
    """
    bin_dir, server_bin = BASE / "bin", BASE / "serverbin"
    system_bin = BACKEND.parent.parent  # /usr/lib/cups
    bin_dir.mkdir(exist_ok=True)
    cupsd = bin_dir / "cupsd"
    shutil.copy2(_sbin("cupsd"), cupsd)
    if server_bin.exists():
        shutil.rmtree(server_bin)
    server_bin.mkdir()
    for entry in sorted(system_bin.iterdir()):
        if entry.name != "backend":
            (server_bin / entry.name).symlink_to(entry)
            continue
        (server_bin / "backend").mkdir()
        for backend in sorted(entry.iterdir()):
            if backend.name == BACKEND.name:
                shutil.copy2(backend, server_bin / "backend" / backend.name)  # keeps 0700
            else:
                (server_bin / "backend" / backend.name).symlink_to(backend)
    for path in (bin_dir, server_bin, server_bin / "backend"):
        path.chmod(0o755)
    return cupsd, server_bin


def _write_config(server_bin: Path) -> tuple[Path, Path]:
    etc = BASE / "etc"
    for sub in ("etc", "etc/ppd", "etc/ssl", "spool", "spool/tmp", "cache", "state", "log",
                "out", "cups-pdf-spool"):
        (BASE / sub).mkdir(parents=True, exist_ok=True)
    # cupsd runs filters as user lp: the spool must be reachable, the config not writable.
    for path in (BASE, etc, etc / "ppd"):
        path.chmod(0o755)
    (BASE / "out").chmod(0o777)
    socket = BASE / "cups.sock"
    (etc / "cupsd.conf").write_text(f"""\
LogLevel warn
MaxLogSize 0
Listen {socket}
Browsing No
BrowseLocalProtocols none
DefaultAuthType Basic
WebInterface No
JobRetryLimit 0
PreserveJobHistory Yes
MaxJobs 1000
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
    (etc / "cups-files.conf").write_text(f"""\
ServerRoot {etc}
ServerBin {server_bin}
RequestRoot {BASE / "spool"}
TempDir {BASE / "spool/tmp"}
CacheDir {BASE / "cache"}
StateDir {BASE / "state"}
ErrorLog {BASE / "log/error_log"}
AccessLog {BASE / "log/access_log"}
PageLog {BASE / "log/page_log"}
ServerKeychain {etc / "ssl"}
User lp
Group lp
SystemGroup root lpadmin
Sandboxing Relaxed
""")
    return etc, socket


def _write_instance_conf() -> None:
    """cups-pdf's settings for our printers: our Out, the CUPS job id in each file name."""
    out = BASE / "out"
    INSTANCE_CONF.write_text(f"""\
Out {out}
AnonDirName {out}
Spool {BASE / "cups-pdf-spool"}
Log {BASE / "log"}
Label 1
Grp lp
UserUMask 0022
AnonUMask 0022
""")


# -- commands ---------------------------------------------------------------------------


def info() -> ServerInfo | None:
    """The running server, or None."""
    state = _read_state()
    if (state is None or not _alive(state.pid) or not _is_ours(state.pid)
            or not _answers(state.socket)):
        return None
    return state


_DAEMONS: dict[int, subprocess.Popen[bytes]] = {}


def start() -> ServerInfo:
    """Start (or reuse) the private cupsd with the cups-pdf printer; raise Unavailable."""
    _check_requirements()
    with _locked():
        running = info()
        if running is not None:
            _write_instance_conf()  # cheap, and repairs a deleted /etc file
            add_printer(running, PRINTER)  # lpadmin -p updates it in place
            return running
        _stop_unlocked()
        cupsd, server_bin = _private_binaries()
        etc, socket = _write_config(server_bin)
        _write_instance_conf()
        with contextlib.suppress(FileNotFoundError):
            socket.unlink()
        log = open(BASE / "log" / "cupsd.out", "w")  # noqa: SIM115 - handed to the daemon
        process = subprocess.Popen(
            [str(cupsd), "-f", "-c", str(etc / "cupsd.conf"),
             "-s", str(etc / "cups-files.conf")],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            env={k: v for k, v in os.environ.items() if k != "CUPS_SERVER"},
        )
        log.close()
        # Kept: a Popen dropped while its daemon runs warns (ResourceWarning, an error
        # under pytest) when a test process starts cupsd itself (it died mid-run).
        _DAEMONS[process.pid] = process
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(str(socket)):
            if process.poll() is not None:
                raise Unavailable("cupsd exited at start: " + _tail(BASE / "log"))
            if time.monotonic() > deadline:
                process.kill()
                raise Unavailable("cupsd did not answer in time: " + _tail(BASE / "log"))
            time.sleep(0.1)  # polling the socket: cupsd has no readiness signal here
        state = ServerInfo(socket=str(socket), out=str(BASE / "out"), printer=PRINTER,
                           pid=process.pid)
        add_printer(state, PRINTER)
        _state_path().write_text(json.dumps(asdict(state)))
        return state


def add_printer(state: ServerInfo, name: str) -> None:
    """A cups-pdf printer called name, enabled and accepting jobs."""
    _run(["lpadmin", "-p", name, "-v", f"cups-pdf:/{INSTANCE}", "-P", str(PPD), "-E",
          "-o", "printer-error-policy=abort-job"], env=state.env())


def remove_printer(state: ServerInfo, name: str) -> None:
    _run(["lpadmin", "-x", name], env=state.env(), check=False)


def _tail(folder: Path) -> str:
    lines: list[str] = []
    for name in ("cupsd.out", "error_log"):
        with contextlib.suppress(OSError):
            lines += (folder / name).read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no log"


def _is_ours(pid: int) -> bool:
    """The pid in state.json is our cupsd, not a process that got the number after a reboot."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(BASE / "etc" / "cupsd.conf").encode() in command


def _stop_unlocked() -> bool:
    state = _read_state()
    if state is None:
        return False
    stopped = False
    if _alive(state.pid) and _is_ours(state.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGTERM)
            stopped = True
        deadline = time.monotonic() + 10
        while _alive(state.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        _state_path().unlink()
    INSTANCE_CONF.unlink(missing_ok=True)
    return stopped


def stop() -> bool:
    with _locked():
        return _stop_unlocked()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start":
        try:
            state = start()
        except Unavailable as exc:
            print(f"cups_server: not started: {exc}")
            return 0  # the run goes on; the CUPS tests skip with the reason
        print(f"cups_server: running (pid {state.pid}); CUPS_SERVER={state.socket}; "
              f"printer {state.printer}; PDFs in {state.out}")
        return 0
    if command == "stop":
        print("cups_server: stopped" if stop() else "cups_server: was not running")
        return 0
    if command == "status":
        state = info()
        if state is None:
            print("cups_server: not running")
            return 1
        print(f"cups_server: running (pid {state.pid}); CUPS_SERVER={state.socket}")
        return 0
    print("usage: python -m tests.cups_server start|stop|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
