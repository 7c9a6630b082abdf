"""Apply an attendee file to the event database as a sync.

Decisions, written down here because the issue leaves them open:

- The id is the registration system's own. A per-person number ("Attendee #",
  "Registration ID", "Nr.") wins. pretix exports carry "Order code" and, in the
  order-position list, "Position ID": both together become "CODE-POSITION", the form
  pretix itself shows, because one order can hold several attendees; "Order code" alone
  is the id (the usual one-attendee-per-order export), unless an order code repeats (the
  check-in list export has no position column): then every row is ORDER-N, numbered
  within its order in file order.
- A row with no id (no id column, or an empty cell) gets "auto-" plus 12 hex digits of a
  BLAKE2b hash over its email, given and family name folded by checkin.text.fold_words:
  re-importing the same file matches the same people; fixing a name's spelling makes a
  new id.
- A cell longer than MAX_CELL_CHARS (1000 characters) is refused: no name, organisation
  or email is that long, and a runaway quote in a CSV produces exactly such a cell.
- A row with more cells than the header is refused when the surplus cells hold text (an
  unquoted delimiter inside a value shifts every column after it: importing it would
  silently put countries into email fields); empty surplus cells (trailing delimiters
  from Excel) and short rows (trailing empties left out) are fine.
- A row with neither given nor family name but a badge (display) name is a person known
  by that name: badge_name keeps it and given_name is the whole badge name as written,
  family_name stays empty (splitting "Kim" or "DJ Anna" into parts would invent a
  family name; badges and search read the badge name anyway). A badge name with no
  letter ("-", "42") names nobody. Such a row does not carry given/family names on a
  re-import: the stored ones stay. A file whose only name column is a badge-name
  column imports the same way.
- A row with no name at all is refused (a broken row), unless it is a position of an
  order whose attendee is named in another row: pretix exports add-ons (a workshop, a
  dinner) as nameless positions; those are skipped with a note.
- Summary rows that spreadsheets add under a table ("Summe", "Total: 24", "Anzahl" and
  numbers; labels in assets/columns.toml [footer]) are skipped with a note when they
  end the file: a run of rows at the end whose filled cells are such a label and
  numbers (rows of numbers only join the run below or between labelled ones). The same
  row above a person row is not skipped: it is judged as a person row (and refused
  when it has no name), since a broken row in the middle is not a footer.
- A file with a header but no rows is refused: with --full it would cancel everybody.
  A header row repeated further down (pasted exports) is skipped with a note.
- Role: the best-ranked ticket column ("Product"); when it names no role, the next one
  that does ("Variation": "Speaker"), never a job "Funktion". Without a status column,
  a category that says "Storniert" cancels.
- A title column holding a salutation ("Ms.", Eventbrite's "Prefix") keeps it in
  extra["salutation"]: salutations are never printed as titles.
- A country that is not recognised is stored as "" with the raw text in extra["country"];
  a days cell that cannot be read keeps [] (every day) with the raw text in extra["days"].
  Without a days column, one tick column per day ("Tag 1", "Mi 2.12." holding x/ja/✓
  or blanks) gives the registered days; a row with no tick is registered for every day.
- Codes (pretix secrets, barcodes) that several rows share are noted, not refused: a
  mis-mapped column is fixed with --map, but a scan of such a code cannot tell who.
- Re-import: fields the file does not carry (notes, badge name, a hand-set name order,
  role when there is no ticket column, ...) keep their stored values. A person in the
  file is registered: without a status column (and no "Storniert" in the category), a
  cancelled person who reappears is reinstated. With --full, people missing from the
  file are cancelled.
- Writes go through Store.write_attendees/append_many (executemany) so that 100,000
  rows fit the 5 s budget; every change still gets its attendee_created /
  attendee_updated / attendee_cancelled event with the same payload shape as
  Store.add_attendee / Store.update_attendee.
- Desks keep admitting during an import. The file is read and compared with the database
  outside any write lock (in one read snapshot); the changes are then written in chunks,
  each its own short transaction (about CHUNK_SECONDS), with a pause between them in
  which a waiting desk gets the lock (Store.transaction tries every millisecond or two).
  A row that a desk changed after the snapshot (an edit, a walk-in with the same id) is
  compared again with the desk's version inside its chunk, so no desk edit is undone.
  Consequence: a large import that stops half-way (Ctrl+C, a full disk) leaves the
  chunks already written, each change complete with its event; the message says how
  many, and importing the same file again finishes it (a re-import is a sync). A file
  that is refused is refused before anything is written, so it changes nothing. The
  first import of an event (no attendees yet, so nobody to admit) is written in one
  transaction instead: atomic, and faster, as the secondary indexes are rebuilt once
  afterwards (_bulk). A walk-in registered at a desk meanwhile waits for it.
- A database another program holds locked past the busy timeout, or a full disk, is
  reported in one line (CheckinError).
"""

import copy
import gc
import hashlib
import json
import logging
import os
import re
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from checkin import resources, search
from checkin.db import describe_error
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError, ImportRefused, Interrupted, NoEvent
from checkin.importing import values
from checkin.importing.columns import (
    FIELDS,
    HEADER_SEARCH_ROWS,
    ColumnMap,
    MapError,
    find_header,
    header_key,
    map_columns,
)
from checkin.importing.readers import MAX_CELL_CHARS, Table, read_table, refuse
from checkin.models import Attendee, Event
from checkin.store import (
    ATTENDEE_CANCELLED,
    ATTENDEE_CREATED,
    ATTENDEE_UPDATED,
    Store,
    new_refs,
    now,
)
from checkin.text import clean_text, fold_plain, fold_words

log = logging.getLogger(__name__)

# Attendee fields an import can change, in the order Store.update_attendee compares them.
SYNC_FIELDS = ("code", "title", "given_name", "family_name", "name_order", "badge_name",
               "organisation", "country", "role", "email", "days", "status", "notes", "extra")


@dataclass
class Incoming:
    """One file row as an attendee, with the fields the file really carries."""

    attendee: Attendee
    line: int
    carried: frozenset[str]
    order: str = ""  # the order code the row belongs to, if the file has one


@dataclass
class ParsedFile:
    source: str
    rows: list[Incoming]
    columns: ColumnMap
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    source: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    cancelled: int = 0
    reinstated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        reinstated = f" ({self.reinstated} reinstated)" if self.reinstated else ""
        text = (f"{self.source}: {self.rows} rows: {self.added} added, {self.changed} changed"
                f"{reinstated}, {self.cancelled} cancelled, {self.unchanged} unchanged")
        return text + (" (dry run: nothing written)" if self.dry_run else "")

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "added": self.added,
                "changed": self.changed, "cancelled": self.cancelled,
                "reinstated": self.reinstated, "unchanged": self.unchanged,
                "dry_run": self.dry_run, "notes": self.notes}


@dataclass
class Plan:
    """The changes an import makes: writes[i], events[i] and rows[i] belong together (the
    file row behind the change; None for a --full cancellation)."""

    summary: ImportSummary
    writes: list[tuple[Attendee, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rows: list["Incoming | None"] = field(default_factory=list)
    stored: int = 0  # attendees in the database when the plan was made


# -- public entry points ----------------------------------------------------------------


def import_file(
    store: Store,
    path: Path | str,
    *,
    mapping: Mapping[str, str] | None = None,
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Read path and sync it into store (nothing written on dry_run; the writing is in
    short chunks, see the module doc).

    mapping: column header -> field (as `--map`); full: cancel the people missing from
    the file; progress: called with "reading", "comparing", "writing" as the import
    moves on (a plain callback: the UI forwards it from its worker).
    Raises ImportRefused (a one-line message naming file, line and reason) and leaves
    the database unchanged when the file cannot be imported; Interrupted on Ctrl+C
    (saying what, if anything, was written).
    """
    path = Path(path)
    try:
        event_days = store.event_info().days
    except NoEvent:
        event_days = []
    # An import allocates a few objects per cell and frees almost none until the end:
    # the cyclic garbage collector would walk them all again and again for nothing
    # (measured: a quarter of the CPU time of a 100,000-row import).
    collecting = gc.isenabled()
    gc.disable()
    log.info("import %s (full=%s, dry_run=%s)", path, full, dry_run)
    try:
        summary = _import(store, path, mapping, full, dry_run, event_days,
                          progress or (lambda phase: None))
    except CheckinError as exc:
        log.warning("import %s refused: %s", path, exc)
        raise
    except sqlite3.OperationalError as exc:
        log.warning("import %s failed, nothing written: %s", path, exc)
        # Nothing was written (a failure after the first chunk is a CheckinError already):
        # say why in one line instead of an internal error.
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise CheckinError(f"{path}: not imported: the event database is busy (another "
                               "program is writing to it); try again") from None
        if "full" in text:
            raise CheckinError(f"{path}: not imported: the disk is full") from None
        raise
    else:
        log.info("import %s: %s", path, summary.line())
        return summary
    finally:
        if collecting:
            gc.enable()


def _import(store: Store, path: Path, mapping: Mapping[str, str] | None, full: bool,
            dry_run: bool, event_days: list[str],
            progress: Callable[[str], None]) -> ImportSummary:
    try:
        progress("reading")
        parsed = parse_file(path, mapping=mapping, event_days=event_days)
        progress("comparing")
        with _snapshot(store) as seen:
            # The name as text SQLite can store: a file name in bytes that are not UTF-8
            # is kept with escapes.
            source = path.name.encode("utf-8", "backslashreplace").decode("utf-8")
            plan = plan_sync(store, parsed, full=full, source=source)
    except KeyboardInterrupt:
        raise Interrupted(f"{path}: import interrupted; nothing was changed") from None
    plan.summary.dry_run = dry_run
    if not dry_run and plan.writes:
        progress("writing")
        _write(store, plan, seen, path, at_once=plan.stored == 0)
    return plan.summary


@contextmanager
def _snapshot(store: Store) -> Iterator[int]:
    """One read transaction for the comparison (the attendees as of one moment, not a mix
    of before and after a desk's edit); yields the newest event seq it sees. Holds no write
    lock: desks admit meanwhile."""
    conn = store.db.conn
    if conn.in_transaction:  # a caller's transaction: its view is the snapshot
        yield int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
        return
    conn.execute("BEGIN")
    try:
        yield int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
    finally:
        conn.execute("COMMIT")


BULK_ROWS = 5_000  # from this many written rows on, secondary indexes are rebuilt once


@contextmanager
def _bulk(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """For a big write into a table that is small next to it, drop the secondary
    (non-unique) indexes of attendees and events and create them again afterwards: one
    sorted build instead of 100,000 inserts at random places (measured: -0.4 s per 100k
    rows). Inside the import's transaction, so a failure or a kill restores them; unique
    indexes and primary keys stay, so every constraint is still checked row by row. The
    index definitions are read from sqlite_master, so later migrations are followed.
    Only for a write in one transaction (_write): desks must never see the indexes gone."""
    if rows < BULK_ROWS:
        yield
        return
    present = conn.execute("SELECT count(*) FROM attendees").fetchone()[0]
    if present > rows:  # a small change to a big table: rebuilding would cost more
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('attendees', 'events') AND sql NOT LIKE 'CREATE UNIQUE%'").fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


# A chunk's transaction holds the write lock about CHUNK_SECONDS: a desk that scans
# meanwhile waits at most that long (and a Ctrl+C). Shorter chunks cost more than they
# spare: every commit writes each index page it touched to the WAL again, and the
# checkpoints that follow write and sync them (measured, 100,000 rows on a busy machine:
# 0.05 s chunks made the import three times slower than 0.25 s chunks).
CHUNK_SECONDS = 0.25
PAUSE_SECONDS = 0.005  # between chunks: a desk waiting for the lock takes it here
FIRST_CHUNK = 2_000  # rows; then sized to take CHUNK_SECONDS
MAX_CHUNK = 50_000
_CHANGING = (ATTENDEE_CREATED, ATTENDEE_UPDATED, ATTENDEE_CANCELLED)


def _write(store: Store, plan: Plan, seen: int, path: Path, *, at_once: bool) -> None:
    """Write plan's changes in short transactions (module doc, "Desks keep admitting"),
    or, at_once, in one (the first import of an event: the list is empty, so no desk
    can be admitting anybody from it; atomic, and a third faster with _bulk)."""
    conn = store.db.conn
    total, done = len(plan.writes), 0
    size = total if at_once else FIRST_CHUNK
    touched: set[str] = set()  # ids a desk changed since the snapshot
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    # The import touches every page of three indexes: a 64 MB page cache for its duration
    # saves a quarter of the write time (measured: 1.5 s -> 1.1 s per 100k rows).
    conn.execute("PRAGMA cache_size = -65536")
    # Chunks but the last commit without waiting for the disk (WAL: a power cut can lose
    # the newest chunks, never mix them up); the last one commits with the connection's
    # own setting (FULL), and its sync carries every chunk before it. One sync per chunk
    # cost 100-200 ms each on a busy disk: most of a 100,000-row import.
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        while done < total:
            end = min(total, done + size)
            if end == total:
                conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
            started = time.perf_counter()
            with store.transaction():
                for (attendee_id,) in conn.execute(
                        f"SELECT attendee_id FROM events WHERE seq > ? AND attendee_id IS NOT "
                        f"NULL AND type IN ({', '.join('?' * len(_CHANGING))})",
                        [seen, *_CHANGING]):
                    touched.add(attendee_id)
                writes, events = plan.writes[done:end], plan.events[done:end]
                if touched:
                    writes, events = _compare_again(store, plan, done, end, touched)
                with _bulk(conn, len(writes)) if at_once else nullcontext():
                    store.write_attendees(writes)
                    store.append_many(events)
                seen = int(conn.execute("SELECT max(seq) FROM events").fetchone()[0] or 0)
            done = end
            elapsed = max(time.perf_counter() - started, 1e-4)
            # Grow at most twofold a step: one slow chunk on a busy machine must not make
            # the next one hold the lock (and delay Ctrl+C) for seconds.
            size = max(100, min(2 * size, MAX_CHUNK, int(size * CHUNK_SECONDS / elapsed)))
            if done < total:
                time.sleep(PAUSE_SECONDS)
    except KeyboardInterrupt:
        log.warning("import of %s interrupted after %d of %d changes", path, done, total)
        raise Interrupted(_partial(path, done, total, "interrupted")) from None
    except (sqlite3.Error, CheckinError) as exc:
        if done == 0:
            raise  # nothing written: the caller says why in one line
        log.warning("import of %s stopped after %d of %d changes: %s", path, done, total, exc)
        reason = describe_error(exc) if isinstance(exc, sqlite3.Error) else str(exc)
        raise CheckinError(_partial(path, done, total, f"stopped ({reason})")) from None
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
        conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
    if touched & {event.attendee_id for event in plan.events}:
        plan.summary.notes.append("some attendees were changed at a desk during the import: "
                                  "the file was compared again with the desk's version")
    log.info("imported %s: %d changes%s", path, total, "" if at_once else " in chunks")


def _partial(path: Path, done: int, total: int, what: str) -> str:
    return (f"{path}: import {what} after {done:,} of {total:,} changes were written "
            "(each complete, with its event); import the file again to finish")


def _compare_again(store: Store, plan: Plan, start: int, end: int, touched: set[str]
                   ) -> tuple[list[tuple[Attendee, str]], list[Event]]:
    """The writes and events of plan[start:end], the rows of touched ids compared again
    with the attendee as stored now (inside the chunk's transaction)."""
    writes: list[tuple[Attendee, str]] = []
    events: list[Event] = []
    for index in range(start, end):
        write, event = plan.writes[index], plan.events[index]
        if event.attendee_id not in touched:
            writes.append(write)
            events.append(event)
            continue
        again = _change_for(store, plan.rows[index], write[0], event)
        if again is not None:
            writes.append(again[0])
            events.append(again[1])
    return writes, events


def _change_for(store: Store, row: "Incoming | None", planned: Attendee, event: Event
                ) -> tuple[tuple[Attendee, str], Event] | None:
    """The change row makes to the attendee as stored now (None: no change any more); row
    None is a --full cancellation of someone missing from the file."""
    current = store.attendee(planned.id)
    source = event.payload.get("source", "")
    if row is None:
        if current is None or current.status == "cancelled":
            return None
        merged = replace(current, status="cancelled")
        payload = {"changes": {"status": {"from": current.status, "to": "cancelled"}},
                   "source": source, "reason": "missing from a full import"}
        return (merged, search.search_key(merged)), replace(
            event, type=ATTENDEE_CANCELLED, payload=payload)
    if current is None:
        new = row.attendee
        new.ref = new.ref or new_refs(1)[0]
        return (new, search.search_key(new)), replace(
            event, type=ATTENDEE_CREATED, payload=_created_payload(new, source))
    changes = _diff(current, row.attendee, row.carried)
    if not changes:
        return None
    merged = _apply(current, changes)
    to_status = changes.get("status", {}).get("to")
    kind = ATTENDEE_CANCELLED if to_status == "cancelled" else ATTENDEE_UPDATED
    return (merged, search.search_key(merged)), replace(
        event, type=kind, payload={"changes": changes, "source": source})


def parse_file(
    path: Path, *, mapping: Mapping[str, str] | None = None, event_days: list[str] | None = None
) -> ParsedFile:
    table = read_table(path)
    return parse_table(table, mapping=mapping, event_days=event_days or [])


def parse_table(
    table: Table, *, mapping: Mapping[str, str] | None = None, event_days: list[str]
) -> ParsedFile:
    source = table.source
    if table.kind == "json":
        header_index: int | None = 0
    else:
        header_index = find_header(table.rows)
        if header_index is None and mapping:
            header_index = _row_with_columns(table.rows, list(mapping))
    if header_index is None:
        raise refuse(source, "not an attendee table: no header row with known column names "
                     "(such as 'First name', 'Last name', 'Vorname', 'Nachname', 'Name'); "
                     "name the columns with --map COLUMN=FIELD")
    header = [clean_text(cell) for cell in table.rows[header_index]]
    try:
        columns = map_columns(header, dict(mapping or {}))
    except MapError as exc:
        raise refuse(source, str(exc)) from None
    if not set(columns.fields) & {"given_name", "family_name", "name", "badge_name"}:
        raise refuse(source, "no name columns (such as 'First name'/'Last name', 'Vorname'/"
                     "'Nachname' or 'Name'); name one with --map COLUMN=given_name",
                     table.lines[header_index], table.where)
    # The header repeated further down (two exports pasted together, a list printed with
    # a header per page) is no person: skipped.
    body = _below_header(table.rows, header_index)
    footer = _footer_rows(table.rows, body)
    if footer:
        del body[len(body) - len(footer):]
    if not body:
        raise refuse(source, "no attendee rows below the header", table.lines[header_index],
                     table.where)
    day_columns = _day_columns(table, columns, body, event_days)
    job_titles = _job_title_column(table, columns, body)
    builder = _RowBuilder(table, columns, event_days, day_columns)
    if job_titles:
        builder.note(f"column {job_titles!r} holds job titles, not academic titles: kept "
                     "as extra, not printed before names")
    repeated = len(table.rows) - header_index - 1 - len(body) - len(footer)
    if footer:
        first, last = table.lines[footer[0]], table.lines[footer[-1]]
        where = f"{table.where} {first}" + (f"-{last}" if last != first else "")
        label = next(cell.strip() for cell in table.rows[footer[0]] if cell.strip())
        builder.note(f"{len(footer)} summary row(s) at the end skipped ({where}: {label!r})")
    if repeated:
        builder.note(f"{repeated} repeated header row(s) skipped")
    built = [builder.build(table.rows[i], table.lines[i]) for i in body]
    rows = [row for row in built if row is not None]
    if builder.nameless:
        # A nameless position is an add-on of an order whose attendee is named elsewhere
        # in the file (pretix lists add-ons such as a workshop as positions of their own).
        # Any other nameless row is a sum line or a broken row: refused.
        named_orders = {row.order for row in rows}
        for line, order in builder.nameless:
            if order not in named_orders:
                raise refuse(source, "no name in this row", line, table.where)
        builder.note(f"{len(builder.nameless)} nameless position(s) of named orders "
                     "skipped (add-ons)")
    if "order" in columns.fields and not {"id", "position"} & columns.fields.keys():
        _number_positions(rows, builder)
    ids = list(map(attrgetter("attendee.id"), rows))  # C speed: the usual file is fine
    if len(set(ids)) < len(ids):
        seen: dict[str, int] = {}
        for row in rows:
            first = seen.setdefault(row.attendee.id, row.line)
            if first != row.line:
                raise refuse(source, f"duplicate id {row.attendee.id!r} (first on "
                             f"{table.where} {first})", row.line, table.where)
    codes = list(map(attrgetter("attendee.code"), rows))
    distinct = set(codes)
    blanks = codes.count(None)
    shared: list[str] = []
    if len(distinct) - (1 if blanks else 0) + blanks < len(codes):
        shared = sorted(code for code, count in Counter(codes).items() if count > 1 and code)
    if shared:
        # Not refused (a mis-mapped column is fixed with --map), but a scan of such a
        # code cannot tell who it is: say so.
        shown = ", ".join(repr(code) for code in shared[:5])
        builder.note(f"{len(shared)} code(s) shared by several attendees (a scan cannot "
                     f"tell them apart): {shown}")
    return ParsedFile(source, rows, columns, table.notes + builder.notes())


def _number_positions(rows: list[Incoming], builder: "_RowBuilder") -> None:
    """An order code alone is the id, until an order lists several attendees (pretix's
    check-in list export has no position column): then every row's id becomes
    ORDER-N, N counting the order's rows in file order, as pretix numbers positions."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.order and row.attendee.id == row.order:
            counts[row.order] = counts.get(row.order, 0) + 1
    if not any(n > 1 for n in counts.values()):
        return
    numbered: dict[str, int] = {}
    for row in rows:
        if row.order in counts and row.attendee.id == row.order:
            numbered[row.order] = numbered.get(row.order, 0) + 1
            row.attendee.id = f"{row.order}-{numbered[row.order]}"
    builder.note("orders with several attendees and no position column: ids are "
                 "ORDER-1, ORDER-2, ... in file order")


def _job_title_column(table: Table, columns: ColumnMap, body: list[int]) -> str | None:
    """A "Title" column that holds job titles ("CEO", "Senior Scientist": Cvent, Whova
    and other English business exports) instead of academic ones ("Dr.", "Prof."): it is
    moved to extra, so that a badge never reads "Senior Scientist Anna Weber". Judged
    on the first 500 filled cells: most must be titles or salutations. Returns the
    column's header when it was moved."""
    index = columns.fields.get("title")
    if index is None or "title" in columns.forced:
        return None
    filled = []
    for i in body:
        row = table.rows[i]
        if index < len(row) and row[index].strip():
            filled.append(row[index])
            if len(filled) >= 500:
                break
    if not filled:
        return None
    known = sum(1 for cell in filled if values.is_courtesy_title(clean_text(cell)))
    if known * 2 >= len(filled):
        return None
    del columns.fields["title"]
    header = columns.headers[index] or f"column {index + 1}"
    columns.extra[index] = header
    return header


def _day_columns(table: Table, columns: ColumnMap, body: list[int],
                 event_days: list[str]) -> dict[int, str]:
    """Columns that mark one event day each ("Tag 1", "Mo 29.11.", "Day 2") with a tick
    ("x", "ja", "✓") or nothing: column index -> day. Only without a days column, and
    only where every cell of the column is a tick or a blank (a "Tag 1" column holding
    anything else is left as it is, in extra). A row with no tick is registered for
    every day, as an empty days cell is."""
    if not event_days or "days" in columns.fields:
        return {}
    found: dict[int, str] = {}
    for index, header in columns.extra.items():
        named = values.parse_days(header, event_days) if header else None
        if not named or len(named) != 1 or named[0] not in event_days:
            continue
        cells = (table.rows[i][index] for i in body if index < len(table.rows[i]))
        if all(values.checkmark(cell) is not None for cell in cells):
            found[index] = named[0]
    return found


def _below_header(rows: list[list[str]], header_index: int) -> list[int]:
    """Indexes of the rows below the header, without copies of the header row. The
    first cells are compared in C first; only a file that holds a copy pays per row."""
    body = list(range(header_index + 1, len(rows)))
    header = _trimmed(rows[header_index])
    if not header:
        return body
    try:
        firsts = set(map(itemgetter(0), rows[header_index + 1:]))
    except IndexError:  # a row without cells: compare every row
        firsts = {header[0]}
    if header[0] not in firsts and rows[header_index][0] not in firsts:
        return body
    return [i for i in body if _trimmed(rows[i]) != header]


_NUMBER = re.compile(r"[-+(]?[$€£¥]?\s*\d[\d.,' \u00a0\u202f]*\)?\s*[%€$£¥]?")


@lru_cache(maxsize=1)
def _footer_label() -> re.Pattern[str]:
    """A summary-row label cell: a label from assets/columns.toml [footer], then up to
    40 more characters without digits, an optional ':'/'=' and an optional number."""
    with open(resources.assets() / "columns.toml", "rb") as handle:
        labels = tomllib.load(handle)["footer"]["labels"]
    words = "|".join(sorted((re.escape(fold_plain(label.strip())) for label in labels),
                            key=len, reverse=True))
    return re.compile(rf"(?:{words})(?![^\W\d_])[^\d:=]{{0,40}}[:=]?\s*"
                      rf"(?:{_NUMBER.pattern})?")


def _is_summary_row(row: list[str]) -> bool | None:
    """True for a labelled summary row, None for a row of numbers only (part of a
    summary block when a labelled row is in it), False for anything else."""
    filled = [cell.strip() for cell in row if cell.strip()]
    labelled = False
    for cell in filled:
        if _NUMBER.fullmatch(cell):
            continue
        if labelled or not _footer_label().fullmatch(fold_plain(cell)):
            return False
        labelled = True
    return True if labelled else None


def _footer_rows(rows: list[list[str]], body: list[int]) -> list[int]:
    """The summary rows at the end of the body (see assets/columns.toml [footer]): the
    trailing run of labelled or numbers-only rows, if a labelled one is among them."""
    start = len(body)
    labelled = False
    while start > 0:
        kind = _is_summary_row(rows[body[start - 1]])
        if kind is False:
            break
        labelled = labelled or bool(kind)
        start -= 1
    if not labelled:
        return []
    # Numbers-only rows above the first labelled row are not known to be summary rows.
    while _is_summary_row(rows[body[start]]) is None:
        start += 1
    return body[start:]


def _trimmed(row: list[str]) -> list[str]:
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _row_with_columns(rows: list[list[str]], names: list[str]) -> int:
    """The first row that holds every --map column name (else the first row: the
    refusal then names the missing column)."""
    wanted = {header_key(name) or name for name in names}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if wanted <= {header_key(cell) or cell.strip() for cell in row}:
            return index
    return 0


# -- rows -------------------------------------------------------------------------------


_JOB_COLUMNS = frozenset({"funktion", "function", "jobfunction", "position"})


class _RowBuilder:
    """Turns table rows into Incoming records. Hot path: 100,000 rows in about a second, so
    field positions are resolved once and repeated values (countries, products,
    organisations) are cleaned and parsed once."""

    def __init__(self, table: Table, columns: ColumnMap, event_days: list[str],
                 day_columns: dict[int, str] | None = None) -> None:
        self.table = table
        self.columns = columns
        self.event_days = event_days
        self.day_columns = list((day_columns or {}).items())
        self.width = len(columns.headers)
        self.unknown_countries: set[str] = set()
        self.unread_days = 0
        self.foreign_days = 0
        self.nameless: list[tuple[int, str]] = []  # (line, order code) of nameless rows
        self.badge_only = 0  # rows named only by a badge name
        self.extra_notes: list[str] = []
        fields = columns.fields
        # Missing fields read the empty cell appended after the row's own cells.
        self.at = {name: fields.get(name, self.width) for name in FIELDS}
        self.has = frozenset(fields)
        self.fallbacks = list(columns.fallbacks.items())
        # A further ticket column may name the role the first one does not; a job
        # "Funktion" may not ("Pressesprecherin", "Teamleiter" are jobs, not badge roles).
        self.role_fallbacks = [i for i in columns.fallbacks.get("role", [])
                               if header_key(columns.headers[i]) not in _JOB_COLUMNS]
        self.extra_columns = [(index, header or f"column {index + 1}")
                              for index, header in columns.extra.items()
                              if index not in (day_columns or {})]
        carried = {f for f in fields if f in SYNC_FIELDS}
        if self.day_columns:
            carried.add("days")
        if fields.keys() & {"given_name", "family_name", "name"}:
            carried |= {"given_name", "family_name"}
        if "role" in fields and "status" not in fields:
            carried.add("status")  # read from the category text ("Storniert")
        carried.discard("name_order")
        carried.discard("title")
        # The carried set varies only by whether a title and a name order came with the row.
        self.carried = {
            (title, order): frozenset(carried | ({"title"} if title else set())
                                      | ({"name_order"} if order else set()))
            for title in (False, True) for order in (False, True)}
        # A row named only by its badge name leaves a stored given/family name alone.
        self.badge_carried = {c: c - {"given_name", "family_name"}
                              for c in self.carried.values()}
        self.country_cache: dict[str, str | None] = {}
        self.role_cache: dict[str, str] = {}
        self.status_cache: dict[str, str] = {}
        self.cleaned: dict[str, str] = {}
        # Values that repeat (countries, products, organisations) are cleaned once; ids,
        # codes, emails and notes are unique per row, where a cache only costs.
        unique = {fields[f] for f in ("id", "order", "position", "code", "email", "notes")
                  if f in fields}
        self.cleaners: list[Callable[[str], str]] = [
            clean_text if index in unique else self.clean for index in range(self.width)]

    def clean(self, cell: str) -> str:
        """clean_text with a cache: countries, products, organisations repeat all file long."""
        value = self.cleaned.get(cell)
        if value is None:
            value = self.cleaned[cell] = clean_text(cell)
        return value

    def refuse(self, line: int, reason: str) -> ImportRefused:
        return refuse(self.table.source, reason, line, self.table.where)

    def note(self, text: str) -> None:
        self.extra_notes.append(text)

    def build(self, row: list[str], line: int) -> Incoming | None:
        """The row as an Incoming; None for a nameless row of an order (see parse_table)."""
        width = self.width
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                raise self.refuse(line, f"{len(row)} fields where the header has {width}"
                                  " (an unquoted delimiter inside a value?)")
            row = row[:width]
        if row and max(map(len, row)) > MAX_CELL_CHARS:
            index, cell = next((i, c) for i, c in enumerate(row) if len(c) > MAX_CELL_CHARS)
            raise self.refuse(line, f"column {self.columns.headers[index]!r} holds "
                              f"{len(cell)} characters (limit {MAX_CELL_CHARS})")
        joined = "".join(row)
        if joined.isascii() and joined.isprintable():
            # clean_text of printable ASCII only squeezes spaces: do it for the whole row.
            cells = [" ".join(cell.split()) for cell in row]
        else:
            cells = [clean(cell) for clean, cell in zip(self.cleaners, row, strict=False)]
        if len(cells) < width + 1:
            cells.extend([""] * (width + 1 - len(cells)))
        at, has = self.at, self.has
        for name, others in self.fallbacks:
            if not cells[at[name]]:
                cells[at[name]] = next((cells[i] for i in others if cells[i]), "")

        extra: dict[str, Any] = {}
        for index, header in self.extra_columns:
            if cells[index]:
                extra[header] = cells[index]

        country_text = cells[at["country"]]
        country = self._country(country_text)
        if country is None:
            self.unknown_countries.add(country_text)
            extra["country"] = country_text
            country = ""

        title, salutation = cells[at["title"]], cells[at["salutation"]]
        if title:
            # Eventbrite's "Prefix" holds "Mr."/"Ms." as often as "Dr.": a salutation is
            # kept in extra, never printed as a title ("Frau Dr." -> "Dr." + "Frau").
            title, title_salutation = values.split_title(title)
            salutation = salutation or title_salutation
        if "name" in has:
            parts = values.split_full_name(cells[at["name"]], country)
            given, family = parts.given_name, parts.family_name
            title = title or parts.title
            salutation = salutation or parts.salutation
            if parts.suffix:
                extra["suffix"] = parts.suffix
        else:
            given, family = cells[at["given_name"]], cells[at["family_name"]]
            if not title and " " in given:
                title, peeled_salutation, given = values.peel_titles(given)
                salutation = salutation or peeled_salutation
        if salutation:
            extra["salutation"] = salutation
        order_code = cells[at["order"]]
        badge_only = False
        if not given and not family:
            badge = cells[at["badge_name"]]
            if any(ch.isalpha() for ch in badge):
                # Known only by a badge (display) name: it is the name they go by.
                given, badge_only = badge, True
                self.badge_only += 1
        if not given and not family:
            if order_code:
                self.nameless.append((line, order_code))
                return None
            raise self.refuse(line, "no name in this row")

        role = status = None
        if "role" in has:
            role = self._cached(self.role_cache, cells[at["role"]], values.parse_role)
            # pretix: product "Conference ticket", variation "Speaker"; a role named by a
            # further ticket column wins over the default.
            for index in self.role_fallbacks:
                if role != "delegate":
                    break
                role = self._cached(self.role_cache, cells[index], values.parse_role)
        if "status" in has:
            status = self._cached(self.status_cache, cells[at["status"]], values.parse_status)
        elif "role" in has:
            # Hand-kept lists without a status column write "Storniert" as the category.
            status = self._cached(self.status_cache, cells[at["role"]], values.parse_status)
        days: list[str] = []
        if self.day_columns:
            marked = sorted({day for index, day in self.day_columns
                             if values.checkmark(cells[index])})
            days = [] if set(marked) == set(self.event_days) else marked
        elif "days" in has:
            days_text = cells[at["days"]]
            parsed_days = values.parse_days(days_text, self.event_days)
            if parsed_days is None:
                self.unread_days += 1
                extra["days"] = days_text
            else:
                days = parsed_days
                if self.event_days and not set(days) <= set(self.event_days):
                    self.foreign_days += 1  # kept: a workshop day the event does not list
        order = values.parse_name_order(cells[at["name_order"]]) if "name_order" in has else None
        email = cells[at["email"]]
        attendee = Attendee(
            id=self._id(cells, email, given, family), given_name=given, family_name=family,
            title=title, country=country, organisation=cells[at["organisation"]], email=email,
            badge_name=cells[at["badge_name"]], notes=self._notes(row),
            code=cells[at["code"]] or None, role=role or "delegate",
            status=status or "confirmed", days=days, extra=extra,
            name_order=order or values.infer_name_order(given, family, country))
        # An inferred order is not carried: a hand-set order survives a re-import.
        carried = self.carried[(bool(title), order is not None)]
        if badge_only:
            carried = self.badge_carried[carried]
        return Incoming(attendee, line, carried, order_code)

    def _notes(self, row: list[str]) -> str:
        index = self.columns.fields.get("notes")
        if index is None or index >= len(row):
            return ""
        return clean_text(row[index], multiline=True)

    def _country(self, text: str) -> str | None:
        if not text:
            return ""
        if text not in self.country_cache:
            self.country_cache[text] = values.parse_country(text)
        return self.country_cache[text]

    @staticmethod
    def _cached(cache: dict[str, str], text: str, parse: Callable[[str], str]) -> str:
        if text not in cache:
            cache[text] = parse(text)
        return cache[text]

    def _id(self, cells: list[str], email: str, given: str, family: str) -> str:
        at = self.at
        own = cells[at["id"]]
        if own:
            return own
        order, position = cells[at["order"]], cells[at["position"]]
        if order and position:
            return f"{order}-{position}"
        return order or generated_id(email, given, family)

    def notes(self) -> list[str]:
        notes = []
        if self.unknown_countries:
            shown = ", ".join(sorted(repr(c) for c in self.unknown_countries)[:5])
            notes.append(f"{len(self.unknown_countries)} country spelling(s) not recognised, "
                         f"kept in extra['country']: {shown}")
        if self.unread_days:
            notes.append(f"{self.unread_days} row(s) with unreadable days: registered for "
                         "every day, text kept in extra['days']")
        if self.foreign_days:
            notes.append(f"{self.foreign_days} row(s) name days outside the event's days "
                         f"({', '.join(self.event_days)})")
        if self.badge_only:
            notes.append(f"{self.badge_only} row(s) with only a badge name: given name "
                         "taken from it")
        return notes + self.extra_notes


def generated_id(email: str, given_name: str, family_name: str) -> str:
    """A stable id for a row without one (see the module docstring)."""
    key = "\x1f".join(fold_words(p) for p in (email, given_name, family_name))
    return "auto-" + hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


# -- sync -------------------------------------------------------------------------------


def plan_sync(store: Store, parsed: ParsedFile, *, full: bool, source: str) -> Plan:
    """What the import changes: attendee rows to write and the events that record them."""
    summary = ImportSummary(source=source, rows=len(parsed.rows), notes=list(parsed.notes))
    plan = Plan(summary)
    existing = _existing(store)
    plan.stored = len(existing)
    refs = new_refs(sum(1 for row in parsed.rows if row.attendee.id not in existing))
    time, station, operator = now(), store.station, store.operator
    uuids = _uuid4s()

    def event(kind: str, attendee_id: str, payload: dict[str, Any],
              row: Incoming | None) -> None:
        plan.events.append(Event(uuid=next(uuids), type=kind, attendee_id=attendee_id,
                                 station=station, operator=operator, time=time, day=None,
                                 payload=payload))
        plan.rows.append(row)

    for row in parsed.rows:
        new = row.attendee
        old = existing.pop(new.id, None)
        if old is None:
            new.ref = refs.pop()
            plan.writes.append((new, search.search_key(new)))
            event(ATTENDEE_CREATED, new.id, _created_payload(new, source), row)
            summary.added += 1
            continue
        changes = _diff(old, new, row.carried)
        if not changes:
            summary.unchanged += 1
            continue
        merged = _apply(old, changes)
        plan.writes.append((merged, search.search_key(merged)))
        to_status = changes.get("status", {}).get("to")
        kind = ATTENDEE_CANCELLED if to_status == "cancelled" else ATTENDEE_UPDATED
        event(kind, merged.id, {"changes": changes, "source": source}, row)
        if to_status == "cancelled":
            summary.cancelled += 1
        else:
            summary.changed += 1
            if to_status == "confirmed":
                summary.reinstated += 1
    if full:
        for old in existing.values():
            if old.status == "cancelled":
                continue
            merged = replace(old, status="cancelled")
            plan.writes.append((merged, search.search_key(merged)))
            event(ATTENDEE_CANCELLED, old.id, {
                "changes": {"status": {"from": old.status, "to": "cancelled"}},
                "source": source, "reason": "missing from a full import"}, None)
            summary.cancelled += 1
    return plan


def _uuid4s(batch: int = 4096) -> Iterator[str]:
    """Random (version 4) UUID strings, as str(uuid.uuid4()) makes them, from one
    os.urandom call per batch: uuid.uuid4() costs 3 us each, 0.3 s of a 100k import."""
    while True:
        block = os.urandom(16 * batch).hex()
        for i in range(0, 32 * batch, 32):
            h = block[i:i + 32]
            variant = "89ab"[int(h[16], 16) & 3]  # RFC 4122 variant bits 10xx
            yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def _diff(old: Attendee, new: Attendee, carried: frozenset[str]) -> dict[str, dict[str, Any]]:
    """The changes a file row makes to a stored attendee, in Store.update_attendee's shape
    ({field: {"from": ..., "to": ...}}, fields in SYNC_FIELDS order). Fields the file does
    not carry keep their stored values; extra is merged key by key."""
    changes: dict[str, dict[str, Any]] = {}
    for name in SYNC_FIELDS:
        if name in carried:
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                changes[name] = {"from": before, "to": after}
        elif name == "status" and old.status != "confirmed":
            changes[name] = {"from": old.status, "to": "confirmed"}  # in the file: registered
    stale = [key for key in ("country", "days") if key in carried and key not in new.extra
             and key in old.extra]
    if new.extra or stale:
        extra = {k: v for k, v in old.extra.items() if k not in stale}
        extra.update(new.extra)
        if extra != old.extra:
            changes["extra"] = {"from": old.extra, "to": extra}
    return changes


def _apply(old: Attendee, changes: dict[str, dict[str, Any]]) -> Attendee:
    merged = copy.copy(old)
    for name, change in changes.items():
        setattr(merged, name, change["to"])
    return merged


def _existing(store: Store) -> dict[str, Attendee]:
    """Every stored attendee by id; read with one plain query (a sync compares them all)."""
    rows = store.db.conn.execute(
        "SELECT id, code, ref, title, given_name, family_name, name_order, badge_name, "
        "organisation, country, role, email, days, status, notes, extra FROM attendees")
    loads = json.loads
    found = {}
    for (aid, code, ref, title, given, family, order, badge, org, country, role, email, days,
         status, notes, extra) in rows:
        found[aid] = Attendee(
            id=aid, code=code, ref=ref, title=title, given_name=given, family_name=family,
            name_order=order, badge_name=badge, organisation=org, country=country, role=role,
            email=email, status=status, notes=notes,
            days=loads(days) if days and days != "[]" else [],
            extra=loads(extra) if extra and extra != "{}" else {})
    return found


def _created_payload(attendee: Attendee, source: str) -> dict[str, Any]:
    """Same shape as Store.add_attendee's attendee_created payload."""
    a = attendee  # built by hand: dataclasses.asdict costs 40 us a row (4 s per 100k)
    return {"id": a.id, "given_name": a.given_name, "family_name": a.family_name,
            "title": a.title, "name_order": a.name_order, "badge_name": a.badge_name,
            "organisation": a.organisation, "country": a.country, "role": a.role,
            "email": a.email, "days": a.days, "status": a.status, "notes": a.notes,
            "code": a.code, "extra": a.extra, "ref": a.ref, "source": source}
