"""The desk's work, as it runs inside the worker lanes (no Qt here).

Each function takes its lane's context (its own SQLite connection, engine, search index
or print queue, opened in the lane's thread) and returns a plain dataclass, which the
Station (ui/services.py) hands to the GUI thread through a signal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from checkin.config import StationConfig
from checkin.errors import CheckinError
from checkin.models import Attendee, Event

SEARCH_LIMIT = 30


@dataclass(frozen=True)
class Hit:
    """One search result: the attendee and whether they are checked in today."""

    attendee: Any
    checked_in: bool = False


# -- what comes back ----------------------------------------------------------------------

@dataclass
class Summary:
    db_path: Path
    event_name: str
    days: list[str]
    day: str
    created_demo: bool = False
    is_demo: bool = False
    expected: int = 0
    checked_in: int = 0


@dataclass
class Outcome:
    """One answer for the card: a verdict, or the result of an action."""

    kind: str  # a verdict, or found | undone | created | saved | error
    attendee: Attendee | None = None
    detail: str = ""
    previous: Event | None = None
    checked_in: bool = False
    badge_printed: bool = False
    input: str = ""
    hits: list[Hit] | None = None  # a malformed scan became this search
    printing: bool = False  # a badge job was queued for this answer
    repaired: str = ""


@dataclass
class Stats:
    day: str
    checked_in: int
    expected: int


@dataclass
class PrintState:
    backend: str = ""
    printer: str = ""
    state: str = "unknown"
    ready: bool = False
    reason: str = ""
    queued: int = 0
    printing: int = 0
    failed: int = 0
    done: int = 0
    last_error: str = ""
    jobs: list[Any] = field(default_factory=list)
    seq: int = 0  # which print-lane task produced it (Station numbers them in order)


def message_of(exc: BaseException) -> str:
    """A one-line message for the screen (never a traceback)."""
    if isinstance(exc, CheckinError):
        return str(exc)
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- lane contexts: one connection per lane, opened in the lane's thread -------------------

class DbContext:
    def __init__(self, db_path: Path, station: str, operator: str) -> None:
        self.db_path = db_path
        self.station = station
        self.operator = operator
        self._store: Any = None
        self._engine: Any = None
        self._searcher: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            from checkin.db import open_db
            from checkin.store import Store

            self._store = Store(open_db(self.db_path, create=True), station=self.station,
                                operator=self.operator)
        return self._store

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from checkin.admission import Engine

            self._engine = Engine(self.store, station=self.store.station,
                                  operator=self.operator)
        return self._engine

    @property
    def searcher(self) -> Any:
        """The type-ahead index, built once on this lane and kept warm."""
        if self._searcher is None:
            from checkin.search import Searcher

            self._searcher = Searcher.from_store(self.store)
        return self._searcher

    def set_identity(self, station: str, operator: str) -> None:
        self.station, self.operator = station, operator
        if self._store is not None:
            self._store.station = station or self._store.station
            self._store.operator = operator
        self._engine = None  # rebuilt with the new names on next use

    def close(self) -> None:
        if self._store is not None:
            self._store.db.conn.close()
            self._store = self._engine = None


class PrintContext(DbContext):
    def __init__(self, db_path: Path, station: str, operator: str,
                 config: StationConfig) -> None:
        super().__init__(db_path, station, operator)
        self.config = config
        self._queue: Any = None
        self._backend: Any = None
        self._render: Any = None

    @property
    def queue(self) -> Any:
        if self._queue is None:
            from checkin.printing.queue import PrintQueue

            self._queue = PrintQueue(self.store)
        return self._queue

    @property
    def backend(self) -> Any:
        if self._backend is None:
            self._backend = make_backend(self.config.printer_backend, self.config.printer)
        return self._backend

    @property
    def render(self) -> Any:
        """job -> badge PDF bytes (the core's renderer, built once per connection)."""
        if self._render is None:
            from checkin.printing.render import badge_renderer

            try:
                self._render = badge_renderer(self.store, db_path=self.db_path)
            except TypeError:  # a renderer that finds the key file without the path
                self._render = badge_renderer(self.store)
        return self._render

    def set_config(self, config: StationConfig) -> None:
        self.config = config
        self._backend = None
        self.set_identity(config.station, config.operator)


def make_backend(name: str, printer: str) -> Any:
    if name == "qt":
        from ui.print_backend_qt import QtPrinterBackend

        return QtPrinterBackend(printer)
    from checkin.printing.backend import make_backend as core_make_backend

    return core_make_backend(name or "pdf", printer)


# -- the work itself (runs in the lanes) ---------------------------------------------------

def _today() -> str:
    from checkin.store import today

    return today()


def open_event(ctx: DbContext) -> Summary:
    """Open the database; with no event in it, create the demo event and its key."""
    store = ctx.store
    created = False
    if store.meta("event_name") is None:
        from checkin import demo, keys

        demo.create_demo(store)
        keys.ensure_event_key(store, ctx.db_path)
        created = True
    info = store.event_info()
    day = _today()
    _ = ctx.searcher  # build the index now, not on the first keystroke
    _ = ctx.engine
    stats = compute_stats(ctx, day)
    is_demo = created or is_demo_event(store)
    return Summary(ctx.db_path, info.name, list(info.days), day, created, is_demo,
                   stats.expected, stats.checked_in)


def is_demo_event(store: Any) -> bool:
    """True if the attendees came from `checkin demo` (their creation events say so)."""
    row = store.db.execute(
        "SELECT 1 FROM events WHERE type = 'attendee_created' "
        "AND json_extract(payload, '$.source') = 'demo' LIMIT 1").fetchone()
    return row is not None


def compute_stats(ctx: DbContext, day: str) -> Stats:
    store = ctx.store
    try:
        from checkin.reports import expected_count

        expected = expected_count(store, day)
    except ImportError:
        expected = store.attendee_count()
    return Stats(day, len(store.checked_in_ids(day)), expected)


def search_hits(ctx: DbContext, query: str, limit: int = SEARCH_LIMIT) -> list[Hit]:
    if not query.strip():
        return []
    store, day = ctx.store, _today()
    searcher = ctx.searcher
    searcher.refresh(store)  # one indexed query when nothing changed
    found = searcher.search(store, query, limit=limit, day=day)
    return [Hit(a, store.admission(a.id, day) is not None) for a in found]


def _search_key(attendee: Attendee) -> str:
    from checkin import search as core_search

    return str(core_search.search_key(attendee))


def outcome_of(ctx: DbContext, verdict: Any, text: str = "") -> Outcome:
    """The card's view of a core Verdict."""
    attendee = getattr(verdict, "attendee", None)
    store, day = ctx.store, _today()
    checked_in = printed = False
    if attendee is not None:
        attendee = store.attendee(attendee.id) or attendee
        checked_in = store.admission(attendee.id, day) is not None
        printed = store.badge_printed(attendee.id)
    kind = verdict.verdict
    # ok and already_checked_in: the card words it itself (the latter from `previous`)
    detail = "" if kind in ("ok", "already_checked_in") else (getattr(verdict, "message", "")
                                                              or "")
    return Outcome(kind, attendee, detail, getattr(verdict, "previous", None), checked_in,
                   printed, text, repaired=str(getattr(verdict, "repaired", "") or ""))


def scan_text(ctx: DbContext, text: str) -> Outcome:
    verdict = ctx.engine.scan(text)
    outcome = outcome_of(ctx, verdict, text)
    outcome.printing = bool(getattr(verdict, "needs_badge", False))  # a hint: UI decides
    if outcome.kind == "malformed":
        outcome.hits = search_hits(ctx, text.strip())
    return outcome


def check_in(ctx: DbContext, attendee_id: str, method: str = "manual") -> Outcome:
    verdict = ctx.engine.check_in(attendee_id, method=method)
    outcome = outcome_of(ctx, verdict)  # no input: not a scan, the search stays
    outcome.printing = bool(getattr(verdict, "needs_badge", False))
    return outcome


def undo(ctx: DbContext, attendee_id: str, reason: str) -> Outcome:
    ctx.engine.undo(attendee_id, reason=reason)
    store = ctx.store
    attendee = store.attendee(attendee_id)
    return Outcome("undone", attendee, reason, None, False,
                   store.badge_printed(attendee_id) if attendee else False)


def describe(ctx: DbContext, attendee_id: str) -> Outcome:
    store = ctx.store
    attendee = store.attendee(attendee_id)
    if attendee is None:
        raise CheckinError(f"no attendee with id {attendee_id!r}")
    admission = store.admission(attendee_id, _today())
    return Outcome("found", attendee, "", admission, admission is not None,
                   store.badge_printed(attendee_id))


def save_attendee(ctx: DbContext, attendee: Attendee, reason: str) -> Outcome:
    store = ctx.store
    with store.transaction():
        store.update_attendee(attendee, search_key=_search_key(attendee), source="station",
                              reason=reason)
    out = describe(ctx, attendee.id)
    out.kind = "saved"
    return out


def new_walk_in_id() -> str:
    from datetime import date

    return f"W{date.today():%m%d}-{secrets.token_hex(3).upper()}"


def walk_in(ctx: DbContext, attendee: Attendee) -> Outcome:
    store = ctx.store
    if not attendee.id:
        attendee = replace(attendee, id=new_walk_in_id())
    with store.transaction():
        if store.attendee(attendee.id) is not None:
            raise CheckinError(f"an attendee with id {attendee.id!r} exists already")
        store.add_attendee(attendee, search_key=_search_key(attendee), source="walk-in")
    verdict = ctx.engine.check_in(attendee.id, method="walk-in")
    out = outcome_of(ctx, verdict)
    if out.kind == "ok":
        out.kind = "created"
    return out


def print_state(ctx: PrintContext, error: str = "") -> PrintState:
    queue = ctx.queue
    jobs = list(queue.jobs(["queued", "printing", "failed"]))
    counts = queue.counts()
    backend = ctx.backend
    try:
        status = backend.status()
        state, ready, reason = status.state, status.ready, status.reason
    except CheckinError as exc:
        state, ready, reason = "offline", False, str(exc)
    last_failed = next((job.reason for job in reversed(jobs) if job.state == "failed"), "")
    return PrintState(backend.name, backend.printer, state, ready, reason,
                      counts.get("queued", 0), counts.get("printing", 0),
                      counts.get("failed", 0), counts.get("done", 0), error or last_failed, jobs)


def _backend_holding(ctx: PrintContext, job: Any) -> Any:
    """The backend that holds a job sent to a printer: the station's own, or (the printer
    was changed since, e.g. away from a stuck CUPS queue) the one the job went to."""
    backend = ctx.backend
    if job.backend == backend.name and job.printer in ("", backend.printer):
        return backend
    try:
        return make_backend(job.backend, job.printer)
    except CheckinError:
        return None  # queue.cancel then says where to cancel it


def cancel_badges(ctx: PrintContext, attendee_id: str) -> tuple[PrintState, int]:
    """Cancel a person's badge jobs not printed yet (queued, or stuck "printing" at a
    printer that never finishes them: cancelled there too, through its backend).
    Returns the new state and how many were cancelled; a job that could not be cancelled
    raises CheckinError (the others stay cancelled)."""
    cancelled, problems = 0, []
    for job in ctx.queue.jobs(["queued", "printing"], attendee_id=attendee_id):
        try:
            ctx.queue.cancel(job.id, _backend_holding(ctx, job)
                             if job.state == "printing" else None)
        except CheckinError as exc:
            problems.append(str(exc))
        else:
            cancelled += 1
    if problems:
        raise CheckinError("; ".join(problems))
    return print_state(ctx), cancelled


def enqueue_and_print(ctx: PrintContext, attendee_id: str, reprint: bool,
                      reason: str, auto: bool = False) -> PrintState:
    config = ctx.config
    if auto and (ctx.store.badge_printed(attendee_id)
                 or ctx.queue.jobs(["queued", "printing"], attendee_id=attendee_id)):
        # a scanner's double fire admits once and must not ask for a second badge
        return process_queue(ctx)
    ctx.queue.enqueue(attendee_id, layout=config.layout, printer=config.printer,
                      backend=config.printer_backend or "pdf", reprint=reprint, reason=reason)
    return process_queue(ctx)


def process_queue(ctx: PrintContext) -> PrintState:
    error = ""
    try:
        ctx.queue.process(ctx.backend, ctx.render)
    except CheckinError as exc:  # printer away: jobs wait; the state says why
        error = str(exc)
    return print_state(ctx, error)
