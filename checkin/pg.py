"""The event database on a PostgreSQL server (docs/deployment.md): the hub's data for a
large congress, served by several hub processes at once.

Contract:

- ``is_url(text)``: whether ``--db`` names a PostgreSQL database
  (``postgresql://USER@HOST/DB`` or ``postgres://...``, libpq's URL form) instead of a file.
- ``files_path(url) -> Path``: where the files an SQLite database keeps beside itself live
  for this database (the private signing key, pairing PNGs, a self-signed certificate):
  ``DATA_DIR/postgresql/HOST_PORT_DB/event``, a name no file has; ``paths.key_path`` and
  friends put their files beside it.
- ``open_database(url, *, pool_size=1, migrate=True) -> sqlite_utils.Database``: the
  database, migrated (unless ``migrate`` is False: `checkin doctor` writes nothing) to the
  newest schema (db/pg/, one transaction under an advisory lock, so hub processes
  starting at once migrate it once; a newer schema or another program's tables are
  refused in one line). ``pool_size`` > 1: a psycopg_pool.ConnectionPool that the Stores
  of a hub's threads share (``PgDatabase.share()``). CheckinError when the server does not
  answer or refuses.

``PgDatabase`` gives the calls the core makes on ``sqlite_utils.Database`` (``execute``,
``query``, ``conn.execute``/``executemany``/``in_transaction``/``total_changes``/
``close``), so that ``checkin.store.Store`` and the modules over it run on PostgreSQL
unchanged; it is typed as that class where it is handed out (``open_database``). What it
translates:

- placeholders: ``?`` and ``:name`` become psycopg's ``%s`` and ``%(name)s``;
- transactions: ``BEGIN IMMEDIATE``/``BEGIN EXCLUSIVE`` (Store.transaction) is ``BEGIN``
  and the advisory lock ``WRITE_LOCK``, waited for up to ``lock_timeout`` (10 s, SQLite's
  busy timeout): one writer at a time, as in SQLite, so ``events.seq`` order is commit
  order (the pull cursor, docs/sync.md). A plain ``BEGIN`` (a read snapshot: pull, report)
  is ``BEGIN ISOLATION LEVEL REPEATABLE READ``. A connection is taken from the pool for a
  transaction, or for one statement outside one, and given back after;
- ``PRAGMA``: reads answer 0 (``database_list``: ``files_path``), settings are ignored
  (they tune SQLite's cache and sync);
- errors: psycopg's are raised as the sqlite3 module's classes the core catches
  (``IntegrityError``; ``OperationalError`` "database is locked" for a lock not granted in
  time, a serialization failure, a deadlock, a pool with no free connection, a server that
  does not answer), the original chained;
- ``cursor.lastrowid`` of an insert into a table with an identity column.

SQLite's functions the queries use (json_extract, json_each, COLLATE NOCASE) are defined
in the schema (db/pg/0001_initial.sql).
"""

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from checkin import __version__, paths, resources
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError

if TYPE_CHECKING:
    import psycopg
    import psycopg_pool
    import sqlite_utils

log = logging.getLogger(__name__)

SCHEMES = ("postgresql://", "postgres://")
WRITE_LOCK = 0x636B696E  # pg_advisory_xact_lock key of every write transaction ("ckin")
MIGRATE_LOCK = WRITE_LOCK + 1
LOCK_TIMEOUT = "10s"  # as SQLite's busy timeout (checkin.db.open_db)
CONNECT_TIMEOUT = 5  # seconds
POOL_TIMEOUT = 10.0  # seconds a hub request waits for a free connection
_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_IDENTITY_TABLES = {"events": "seq", "print_jobs": "id", "uploads": "id"}
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


def is_url(text: object) -> bool:
    return isinstance(text, str) and text.lower().startswith(SCHEMES)


def shown(url: str) -> str:
    """The URL without a password, for messages and the log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def files_path(url: str) -> Path:
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = unquote(parts.hostname or query.get("host", "local"))
    port = str(parts.port or query.get("port", "5432"))
    database = unquote(parts.path.lstrip("/")) or "postgres"
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{host}_{port}_{database}").strip("-")
    return paths.data_dir() / "postgresql" / name / "event"


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted((resources.migrations() / "pg").glob("*.sql")):
        match = _MIGRATION.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return found


# -- SQL in SQLite's spelling to psycopg's -----------------------------------------------


_TOKENS = re.compile(r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(::)|(\?)|(:[A-Za-z_]\w*)|(%)""")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """?, :name and % outside quotes as psycopg writes them (%s, %(name)s, %%)."""
    def replace(match: re.Match[str]) -> str:
        quoted, ident, cast_op, mark, named, _percent = match.groups()
        if quoted or ident or cast_op:
            return match.group(0)
        if mark:
            return "%s"
        if named:
            return f"%({named[1:]})s"
        return "%%"
    return _TOKENS.sub(replace, sql)


def _value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value  # flags are INTEGER columns


def _params(params: Any) -> Any:
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: _value(v) for k, v in params.items()}
    return [_value(v) for v in params]


@contextmanager
def _as_sqlite_errors() -> Iterator[None]:
    """psycopg's failures as the sqlite3 classes the core catches (module docstring)."""
    import psycopg
    import psycopg_pool
    from psycopg import errors

    try:
        yield
    except (errors.IntegrityError, errors.RaiseException) as exc:  # a trigger's refusal too
        raise sqlite3.IntegrityError(_line(exc)) from exc
    except (errors.LockNotAvailable, errors.SerializationFailure, errors.DeadlockDetected,
            errors.QueryCanceled, psycopg_pool.PoolTimeout) as exc:
        raise sqlite3.OperationalError(f"database is locked ({_line(exc)})") from exc
    except (psycopg.OperationalError, psycopg_pool.PoolClosed) as exc:
        raise sqlite3.OperationalError(f"database is busy: the PostgreSQL server did not "
                                       f"answer ({_line(exc)})") from exc
    except psycopg.DataError as exc:
        raise sqlite3.DataError(_line(exc)) from exc


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Rows:
    """A statement's result, read whole (the connection goes back to the pool at once)."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int,
                 description: Sequence[Any] | None, lastrowid: int | None = None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.description = description
        self._lastrowid = lastrowid
        self._fetch_lastrowid: Any = None
        self._next = 0

    @property
    def lastrowid(self) -> int | None:
        if self._lastrowid is None and self._fetch_lastrowid is not None:
            self._lastrowid = self._fetch_lastrowid()
        return self._lastrowid

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self.rows):
            return None
        self._next += 1
        return self.rows[self._next - 1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rest, self._next = self.rows[self._next:], len(self.rows)
        return rest

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row


class PgDatabase:
    """See the module docstring. One per thread (its transaction state is its own); the
    pool behind it is shared (``share()``)."""

    def __init__(self, url: str, pool: "psycopg_pool.ConnectionPool[psycopg.Connection[Any]]",
                 *, owns_pool: bool = True) -> None:
        self.url = url
        self.pool = pool
        self.owns_pool = owns_pool
        self.files = files_path(url)
        self.held: psycopg.Connection[Any] | None = None  # during a transaction
        self.total_changes = 0

    @property
    def conn(self) -> "PgDatabase":
        return self  # what the core calls on sqlite_utils' .conn is here as well

    @property
    def in_transaction(self) -> bool:
        return self.held is not None

    def share(self) -> "PgDatabase":
        """Another PgDatabase (for another thread) on the same pool."""
        return PgDatabase(self.url, self.pool, owns_pool=False)

    def close(self) -> None:
        if self.held is not None:
            self._end("ROLLBACK")
        if self.owns_pool:
            self.pool.close()

    # -- transactions ---------------------------------------------------------------------

    def _begin(self, write: bool) -> None:
        if self.held is not None:
            raise sqlite3.OperationalError("cannot start a transaction within a transaction")
        with _as_sqlite_errors():
            conn = self.pool.getconn(timeout=POOL_TIMEOUT)
            try:
                if write:
                    conn.execute("BEGIN")
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                else:
                    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            except BaseException:
                conn.execute("ROLLBACK")
                self.pool.putconn(conn)
                raise
        self.held = conn

    def _end(self, statement: str) -> None:
        conn, self.held = self.held, None
        if conn is None:
            raise sqlite3.OperationalError(f"cannot {statement.lower()} - no transaction is "
                                           "active")
        try:
            with _as_sqlite_errors():
                conn.execute(statement)  # type: ignore[arg-type]
        finally:
            self.pool.putconn(conn)

    # -- statements -----------------------------------------------------------------------

    def execute(self, sql: str, parameters: Any = None) -> Rows:
        head = sql.lstrip()[:24].upper()
        if head.startswith("BEGIN"):
            self._begin(write=head.split()[1:2] in (["IMMEDIATE"], ["EXCLUSIVE"]))
            return Rows([], -1, None)
        if head.startswith(("COMMIT", "END", "ROLLBACK")) and "TO" not in head:
            self._end("ROLLBACK" if head.startswith("ROLLBACK") else "COMMIT")
            return Rows([], -1, None)
        if head.startswith("PRAGMA"):
            return self._pragma(sql)
        with self._connection() as conn, _as_sqlite_errors():
            cursor = conn.execute(translate(sql) if parameters else sql,  # type: ignore[arg-type]
                                  _params(parameters) or None)
            rows = cursor.fetchall() if cursor.description is not None else []
            rowcount = cursor.rowcount
            self.total_changes += max(rowcount, 0) if cursor.description is None else 0
            result = Rows(rows, rowcount, cursor.description)
            table = _INSERT_INTO.match(sql)
            if table and rowcount == 1 and table.group(1).lower() in _IDENTITY_TABLES:
                name = table.group(1).lower()
                query = ("SELECT currval(pg_get_serial_sequence(%s, %s))",
                         [name, _IDENTITY_TABLES[name]])
                if self.held is None:  # the connection goes back now: read it now
                    result._lastrowid = conn.execute(*query).fetchone()[0]  # type: ignore
                else:
                    held = self.held
                    result._fetch_lastrowid = lambda: held.execute(  # type: ignore
                        *query).fetchone()[0]
        return result

    def executemany(self, sql: str, rows: Sequence[Any]) -> Rows:
        with self._connection() as conn, _as_sqlite_errors(), conn.cursor() as cursor:
            cursor.executemany(translate(sql),  # type: ignore[arg-type]
                               [_params(r) for r in rows])
            changed = max(cursor.rowcount, 0)
        self.total_changes += changed
        return Rows([], changed, None)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        result = self.execute(sql, params)
        names = [d.name for d in result.description or ()]
        for row in result:
            yield dict(zip(names, row, strict=True))

    @contextmanager
    def _connection(self) -> "Iterator[psycopg.Connection[Any]]":
        if self.held is not None:
            yield self.held
            return
        with _as_sqlite_errors():
            conn = self.pool.getconn(timeout=POOL_TIMEOUT)
        try:
            yield conn
        finally:
            self.pool.putconn(conn)

    def _pragma(self, sql: str) -> Rows:
        if "database_list" in sql:
            return Rows([(0, "main", str(self.files))], 1, None)
        return Rows([] if "=" in sql else [(0,)], -1, None)


# -- opening ------------------------------------------------------------------------------


def _configure(conn: "psycopg.Connection[Any]") -> None:
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")  # type: ignore[arg-type]
    conn.execute("SET application_name = 'checkin'")


def open_database(url: str, *, pool_size: int = 1,
                  migrate: bool = True) -> "sqlite_utils.Database":
    """See the module docstring."""
    import psycopg
    from psycopg_pool import ConnectionPool

    try:
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url, min_size=1, max_size=max(1, pool_size), open=False, configure=_configure,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            name="checkin", timeout=POOL_TIMEOUT,
            # A connection is checked as it is handed out: after a server restart no
            # request fails on a connection the restart broke.
            check=ConnectionPool.check_connection)
        pool.open(wait=True, timeout=CONNECT_TIMEOUT + 5)
    except Exception as exc:  # psycopg_pool: any failure to connect ends here, one line
        reason = _connect_reason(url)
        log.warning("cannot connect to %s: %s (%s)", shown(url), reason, exc)
        raise CheckinError(f"cannot open the event database {shown(url)}: {reason}") from None
    database = PgDatabase(url, pool)
    if not migrate:
        return cast("sqlite_utils.Database", database)
    try:
        _migrate(database)
    except BaseException:
        database.close()
        raise
    return cast("sqlite_utils.Database", database)


def _connect_reason(url: str) -> str:
    """Why a connection fails, in libpq's words (the pool only says it timed out)."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error as exc:
        return _line(exc)
    except Exception as exc:  # a URL libpq cannot read: its words too
        return _line(exc)
    return "the server did not answer in time"


def schema_version(database: PgDatabase) -> int:
    row = database.execute(
        "SELECT to_regclass('checkin_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = database.execute("SELECT max(version) FROM checkin_schema").fetchone()
    return int(found[0] or 0) if found else 0


def latest_version() -> int:
    return max((number for number, _ in migrations()), default=0)


def _migrate(database: PgDatabase) -> None:
    """Apply the missing migrations in one transaction under MIGRATE_LOCK, re-reading the
    version inside it (hub processes that start at once migrate once)."""
    if schema_version(database) == latest_version():
        return
    with database._connection() as conn, _as_sqlite_errors(), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATE_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS checkin_schema (version INTEGER NOT NULL)")
        current = int(conn.execute(
            "SELECT coalesce(max(version), 0) FROM checkin_schema").fetchone()[0])  # type: ignore[index]
        known = latest_version()
        where = shown(database.url)
        if current > known:
            raise CheckinError(
                f"{where} was made by a newer checkin (database schema {current}; this "
                f"checkin {__version__} reads schema up to {known}): use a checkin that "
                f"knows schema {current} (nothing was changed)")
        if current == 0:
            others = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name <> 'checkin_schema'").fetchone()
            if others and others[0]:
                raise CheckinError(f"{where}: a database of another program, not an "
                                   "event database (nothing was changed in it)")
        for number, path in migrations():
            if number <= current:
                continue
            conn.execute(path.read_text(encoding="utf-8"))  # type: ignore[arg-type]
            conn.execute("INSERT INTO checkin_schema (version) VALUES (%s)", [number])
            log.info("migrated %s to schema %d", where, number)


def share(database: "sqlite_utils.Database") -> "sqlite_utils.Database":
    """A database for another thread on the pool of one that open_database made."""
    return cast("sqlite_utils.Database", cast(PgDatabase, database).share())


def is_postgres_db(database: object) -> bool:
    """Whether a Store's db is one of open_database's."""
    return isinstance(database, PgDatabase)
