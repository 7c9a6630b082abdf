"""A private PostgreSQL server for the tests of the hub on PostgreSQL.

    python -m tests.pg_server          # start one, print its URL, stop it on Enter

One server per test session (the ``pg_server`` fixture): ``initdb`` into a temporary
directory, ``pg_ctl start`` listening on a unix socket in that directory only (no TCP
port: ``listen_addresses=''``), torn down (``pg_ctl stop -m immediate``, the directory
removed) at the end of the session. As root it runs as the unprivileged ``postgres``
user (PostgreSQL refuses to run as root). A test gets a database of its own from
``server.new_database()``: ``CREATE DATABASE ... TEMPLATE`` of one that is migrated once
(a copy of a few files, no migrations per test), or an empty one with ``migrated=False``.

Settings: ``fsync=off`` (the tests kill hub processes, never the server; the benchmark
starts its own server with the defaults). When the binaries are missing (the Debian
``postgresql`` package, scripts/setup.sh), the fixture skips with that reason.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

USER = "checkin"  # the superuser made by initdb; connections over the socket are trusted
TEMPLATE = "checkin_template"
START_TIMEOUT = 60  # seconds for pg_ctl -w (a loaded 2-core machine)


class Unavailable(Exception):
    """PostgreSQL cannot run here; str() says why (shown as the skip reason)."""


def bindir() -> Path:
    override = os.environ.get("CHECKIN_PG_BIN")
    found = [Path(override)] if override else sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for folder in found:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(str(shutil.which("initdb"))).parent
    raise Unavailable("PostgreSQL's initdb and pg_ctl are missing (Debian package "
                      "`postgresql`, scripts/setup.sh)")


class PgServer:
    """One running server in a temporary directory; see the module docstring."""

    def __init__(self, *, settings: Sequence[str] = ("fsync=off",)) -> None:
        self.bin = bindir()
        # In /tmp, not under pytest's tmp_path: the postgres user must reach the folder.
        self.base = Path(tempfile.mkdtemp(prefix="checkin-pg-"))
        self.data = self.base / "data"
        self.settings = list(settings)
        self._names = itertools.count(1)
        self._run_as: dict[str, int] = {}
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no `postgres` user to run "
                                  "PostgreSQL as") from None
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid}
            os.chown(self.base, account.pw_uid, account.pw_gid)
        self.base.chmod(0o700)

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True,
                                text=True, timeout=START_TIMEOUT + 30, cwd=self.base,
                                **self._run_as)  # type: ignore[call-overload]
        if result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()
            raise Unavailable(f"{args[0]} failed: {lines[-1] if lines else result.returncode}")

    def start(self) -> PgServer:
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        options = " ".join(["-c listen_addresses=''", f"-c unix_socket_directories={self.base}",
                            *(f"-c {s}" for s in self.settings)])
        self._run("pg_ctl", "start", "-w", "-t", str(START_TIMEOUT), "-D", str(self.data),
                  "-l", str(self.base / "server.log"), "-o", options)
        self._sql("postgres", f"CREATE DATABASE {TEMPLATE}")
        from checkin.pg import open_database

        open_database(self.url(TEMPLATE)).close()  # migrated once; copies start migrated
        return self

    def stop(self) -> None:
        with contextlib.suppress(Unavailable, subprocess.TimeoutExpired):
            self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@/{database}?host={self.base}"

    def _sql(self, database: str, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, *, migrated: bool = True) -> str:
        """A fresh database of its own: its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self._sql("postgres", f"CREATE DATABASE {name} TEMPLATE "
                              f"{TEMPLATE if migrated else 'template0'}")
        return self.url(name)


def server_or_skip() -> Iterator[PgServer]:
    try:
        server = PgServer().start()
    except Unavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    yield from server_or_skip()


if __name__ == "__main__":
    running = PgServer().start()
    try:
        print(running.url("postgres"))
        input("Enter stops it: ")
    finally:
        running.stop()


# The hub's two stores: a test parametrised with these runs against an SQLite file and
# against a database of the session's PostgreSQL server (pytest ids [sqlite], [postgresql]).
HUB_STORES = ["sqlite", "postgresql"]


def hub_place(request: pytest.FixtureRequest, folder: Path) -> Path | str:
    """The hub's database for request.param (one of HUB_STORES): a file in folder, or a
    fresh, migrated PostgreSQL database (skipped without the server)."""
    if request.param == "sqlite":
        return folder / "event.sqlite"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()
