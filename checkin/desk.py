"""The desk's operations: open the event, scan, search, admit, undo, edit, walk-in, print,
and after the event's final sync, purge its personal data.

One set of use cases for every front end (the station app's worker lanes, the CLI, a
sync hub). Each function takes a context that owns one SQLite connection (DbContext, or
PrintContext for the print queue) and returns a plain dataclass; nothing here knows
about threads or Qt. A context must be used from one thread only: the one that first
touched it (SQLite connections are not shared between threads).

Failures are raised, never returned as values, so that a caller can tell "the write did
not happen" from an answer: CheckinError for what a desk can be told in one line (an
unknown id, nothing to undo, an id taken; an admission whose write failed is
admission.NotRecorded, one of them), sqlite3.Error when the database refuses another
write. message_of() turns either into one line for the screen. The exceptions are the
printer: a printer that is away does not fail process_queue() or enqueue_and_print();
the jobs wait in the queue and PrintState.last_error says why.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from checkin import clock, db
from checkin.config import StationConfig
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Attendee, Event
from checkin.printing.backend import Backend, PrinterCondition
from checkin.printing.backend import make_backend as core_make_backend
from checkin.reports import expected_count
from checkin.store import Admission, Store

# The engine, search index, print queue, renderer and demo are imported where first used:
# the station imports this module on its GUI thread while starting, and these imports
# (some 50 ms) then run on the worker lanes instead, while the window comes up.
if TYPE_CHECKING:
    from checkin.admission import Engine, Verdict
    from checkin.printing.queue import Job, PrintQueue
    from checkin.retention import PurgeResult
    from checkin.search import Searcher

log = logging.getLogger(__name__)

SEARCH_LIMIT = 30

BackendFactory = Callable[[str, str], Backend]
"""(backend name, printer) -> Backend; the station adds its Qt backend this way."""


@dataclass(frozen=True)
class Hit:
    """One search result: the attendee and whether they are checked in today."""

    attendee: Attendee
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
    # Set when this station's clock is behind the event log (checkin.clock.check_clock):
    # one line to show; admissions would count for the wrong day until it is fixed.
    clock_warning: str = ""
    # The event's time zone: the app's midnight check asks for the date there.
    zone: tzinfo | None = None


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
    # Admissions in force at several desks today (made while they could not see each
    # other; checkin.conflicts): the card flags them. Empty: no conflict.
    conflict: list[Admission] = field(default_factory=list)
    badge_changes: list[str] = field(default_factory=list)  # an edit: printed fields changed
    cause: str = ""  # invalid_signature: admission.InvalidCause


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
    jobs: list[Job] = field(default_factory=list)
    seq: int = 0  # which print-lane task produced it (the station numbers them in order)


@dataclass(frozen=True)
class QueuedBadge:
    """A badge not printed yet, as the print queue panel shows it."""

    job_id: int
    attendee_id: str
    name: str
    organisation: str
    state: str  # queued | printing | failed
    since: str  # ISO 8601: when it was asked for
    why: str  # why it waits or failed ("" when it simply is next)
    backend: str
    printer: str
    reprint: bool


def message_of(exc: BaseException) -> str:
    """A one-line message for the screen (never a traceback)."""
    if isinstance(exc, CheckinError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):  # a full disk, a lock, damage: in a desk's words
        described = db.describe_error(exc)
        if described == db.DAMAGED:
            return f"{described}: {db.RECOVERY}"
        if described != str(exc):
            return described
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- contexts: one connection each, opened on first use in the thread that uses it ---------

class DbContext:
    def __init__(self, db_path: Path, station: str, operator: str) -> None:
        self.db_path = db_path
        self.station = station
        self.operator = operator
        self._store: Store | None = None
        self._engine: Engine | None = None
        self._searcher: Searcher | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            # FULL: the desk's own connection is opened once a day: check the whole file
            # for damage (0.2 s per 100,000 attendees) before admitting from it.
            self._store = Store(open_db(self.db_path, create=True, check=db.FULL),
                                station=self.station,
                                operator=self.operator)
        return self._store

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from checkin.admission import Engine

            self._engine = Engine(self.store, station=self.store.station,
                                  operator=self.operator)
        return self._engine

    @property
    def searcher(self) -> Searcher:
        """The type-ahead index, read from its cache file (or built) once per context and
        kept warm (checkin.search_cache)."""
        if self._searcher is None:
            from checkin.search_cache import open_searcher

            self._searcher = open_searcher(self.store, self.db_path)
        return self._searcher

    def set_identity(self, station: str, operator: str) -> None:
        self.station, self.operator = station, operator
        if self._store is not None:
            self._store.station = station or self._store.station
            self._store.operator = operator
        self._engine = None  # rebuilt with the new names on next use

    def close(self) -> None:
        if self._store is not None:
            if self._searcher is not None:  # the next start reads what this one indexed
                from checkin.search_cache import keep

                try:
                    keep(self._searcher, self._store, self.db_path)
                except sqlite3.Error as exc:  # closing must not fail for a cache
                    log.warning("search index not kept: %s", exc)
            self._store.close()
        self._store = None
        self._engine = None
        self._searcher = None


class PrintContext(DbContext):
    def __init__(self, db_path: Path, station: str, operator: str, config: StationConfig,
                 make_backend: BackendFactory = core_make_backend) -> None:
        super().__init__(db_path, station, operator)
        self.config = config
        self.make_backend = make_backend
        self._queue: PrintQueue | None = None
        self._backend: Backend | None = None
        self._render: Callable[[Job], bytes] | None = None

    @property
    def queue(self) -> PrintQueue:
        if self._queue is None:
            from checkin.printing.queue import PrintQueue

            self._queue = PrintQueue(self.store)
        return self._queue

    @property
    def backend(self) -> Backend:
        """The printer the settings name ("" backend = the PDF folder)."""
        if self._backend is None:
            self._backend = self.make_backend(self.config.printer_backend or "pdf",
                                              self.config.printer)
        return self._backend

    @property
    def render(self) -> Callable[[Job], bytes]:
        """job -> badge PDF bytes (the core's renderer, built once per connection)."""
        if self._render is None:
            from checkin.printing.render import badge_renderer

            self._render = badge_renderer(self.store, db_path=self.db_path)
        return self._render

    def set_config(self, config: StationConfig) -> None:
        self.config = config
        self._backend = None
        self.set_identity(config.station, config.operator)

    def close(self) -> None:
        super().close()
        # both hold the connection just closed
        self._queue = None
        self._render = None


# -- reading ---------------------------------------------------------------------------------

def open_event(ctx: DbContext) -> Summary:
    """Open the database; with no event in it, create the demo event and its key."""
    store = ctx.store
    created = False
    if store.meta("event_name") is None:
        from checkin import demo, keys

        demo.create_demo(store)
        keys.ensure_event_key(store, ctx.db_path, set_aside_stale=True)
        created = True
    info = store.event_info()
    _ = ctx.searcher  # build the index now, not on the first keystroke
    day = event_day(ctx)
    stats = compute_stats(ctx, day)
    is_demo = created or store.first_created_from("demo")
    skew = clock.check_clock(store)  # logged there
    return Summary(ctx.db_path, info.name, list(info.days), day, created, is_demo,
                   stats.expected, stats.checked_in, skew.message if skew else "",
                   clock.event_zone(store))


def event_day(ctx: DbContext) -> str:
    """Today as the event counts it: the date in the event's time zone (checkin.clock),
    the day the engine admits for."""
    return ctx.engine.today()


def compute_stats(ctx: DbContext, day: str) -> Stats:
    store = ctx.store
    return Stats(day, len(store.checked_in_ids(day)), expected_count(store, day))


def search_hits(ctx: DbContext, query: str, limit: int = SEARCH_LIMIT) -> list[Hit]:
    if not query.strip():
        return []
    store, day = ctx.store, event_day(ctx)
    searcher = ctx.searcher
    from checkin.search_cache import refresh

    refresh(searcher, store, ctx.db_path)  # one indexed query when nothing changed
    found = searcher.search(store, query, limit=limit, day=day)
    return [Hit(a, store.admission(a.id, day) is not None) for a in found]


def describe(ctx: DbContext, attendee_id: str) -> Outcome:
    """The person as the card shows them; CheckinError for an unknown id."""
    store = ctx.store
    attendee = store.attendee(attendee_id)
    if attendee is None:
        raise CheckinError(f"no attendee with id {attendee_id!r}")
    day = event_day(ctx)
    admission = store.admission(attendee_id, day)
    return Outcome("found", attendee, "", admission, admission is not None,
                   store.badge_printed(attendee_id), conflict=conflict_of(store, attendee_id, day))


def conflict_of(store: Store, attendee_id: str, day: str) -> list[Admission]:
    """The person's admissions in force on day if several desks made them, else []."""
    standing = store.admissions_in_force(day=day, attendee_id=attendee_id).get(
        (attendee_id, day), [])
    return standing if len({a.station for a in standing}) > 1 else []


# -- admitting -------------------------------------------------------------------------------

def outcome_of(ctx: DbContext, verdict: Verdict, text: str = "") -> Outcome:
    """The card's view of a core Verdict (the attendee as stored now, not as scanned)."""
    attendee = verdict.attendee
    store, day = ctx.store, event_day(ctx)
    checked_in = printed = False
    if attendee is not None:
        attendee = store.attendee(attendee.id) or attendee
        checked_in = store.admission(attendee.id, day) is not None
        printed = store.badge_printed(attendee.id)
    kind = verdict.verdict
    # ok and already_checked_in: the card words it itself (the latter from `previous`)
    detail = "" if kind in ("ok", "already_checked_in") else verdict.message
    conflict = conflict_of(store, attendee.id, day) if attendee is not None else []
    return Outcome(kind, attendee, detail, verdict.previous, checked_in, printed, text,
                   repaired=verdict.repaired or "", conflict=conflict, cause=verdict.cause)


def scan_text(ctx: DbContext, text: str) -> Outcome:
    """What a scanner, camera or keyboard produced; a malformed one comes with the search
    for it in Outcome.hits (someone typed a name into the scan field)."""
    verdict = ctx.engine.scan(text)
    outcome = outcome_of(ctx, verdict, text)
    outcome.printing = verdict.needs_badge  # a hint: the caller decides whether to print
    if outcome.kind == "malformed":
        outcome.hits = search_hits(ctx, text.strip())
    return outcome


def check_in(ctx: DbContext, attendee_id: str, method: str = "manual",
             override: str = "") -> Outcome:
    """Admit someone found by search; an unknown id is the verdict `unknown`. override:
    why someone not registered for today is admitted anyway (Engine.check_in)."""
    verdict = ctx.engine.check_in(attendee_id, method=method, override=override)
    outcome = outcome_of(ctx, verdict)  # no input: not a scan, the search stays
    outcome.printing = verdict.needs_badge
    return outcome


def undo(ctx: DbContext, attendee_id: str, reason: str) -> Outcome:
    """Annul today's admission; CheckinError for an unknown id or nobody to undo."""
    ctx.engine.undo(attendee_id, reason=reason)
    store = ctx.store
    attendee = store.attendee(attendee_id)
    return Outcome("undone", attendee, reason, None, False,
                   store.badge_printed(attendee_id) if attendee else False)


# -- writing attendees -------------------------------------------------------------------------

def _search_key(attendee: Attendee) -> str:
    from checkin.search import search_key

    return search_key(attendee)


def save_attendee(ctx: DbContext, attendee: Attendee, reason: str) -> Outcome:
    """Write an edited attendee (logged with the reason); CheckinError for an unknown id,
    since an edit never registers anyone (walk_in does, and admits them). The outcome's
    badge_changes names the printed fields the edit changed ([]: a badge printed before
    still shows the person right, a reprint would be a waste)."""
    from checkin.badges import badge_changes

    store = ctx.store
    with store.transaction():
        before = store.attendee(attendee.id)
        if before is None:
            raise CheckinError(f"no attendee with id {attendee.id!r}")
        store.update_attendee(attendee, search_key=_search_key(attendee), source="station",
                              reason=reason)
    out = describe(ctx, attendee.id)
    out.kind = "saved"
    out.badge_changes = badge_changes(before, out.attendee or attendee)
    return out


def new_walk_in_id() -> str:
    """W<MMDD>-<6 hex>: unique enough for one event, short enough to read out."""
    return f"W{date.today():%m%d}-{secrets.token_hex(3).upper()}"


def walk_in(ctx: DbContext, attendee: Attendee) -> Outcome:
    """Register someone at the desk (a new id if none given) and admit them: kind
    `created`, or the verdict if the admission was refused. CheckinError if the id is
    taken; a registration that fails to write admits nobody."""
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


# -- printing ------------------------------------------------------------------------------------

def print_state(ctx: PrintContext, error: str = "") -> PrintState:
    """The queue's counts and open jobs, and what the printer says of itself."""
    queue = ctx.queue
    jobs = list(queue.jobs(["queued", "printing", "failed"]))
    from checkin.printing.queue import JobState

    counts = queue.counts()
    backend = ctx.backend
    try:
        status = backend.status()
        state, ready, reason = status.state, status.ready, status.reason
    except CheckinError as exc:
        state, ready, reason = PrinterCondition.OFFLINE, False, str(exc)
    from checkin.printing import reported

    reported.note(ctx.db_path, state)  # the background sync tells the hub (docs/live.md)
    last_failed = next((job.reason for job in reversed(jobs) if job.state == JobState.FAILED),
                       "")
    return PrintState(backend.name, backend.printer, state, ready, reason,
                      counts[JobState.QUEUED], counts[JobState.PRINTING],
                      counts[JobState.FAILED], counts[JobState.DONE], error or last_failed, jobs)


def waiting_badges(ctx: DbContext) -> list[QueuedBadge]:
    """Every badge asked for and not printed (queued, at a printer, failed), oldest
    first, with whose it is: the print queue panel and the warning on quit."""
    from checkin.printing.queue import PrintQueue

    out = []
    for job in PrintQueue(ctx.store).jobs(["queued", "printing", "failed"]):
        attendee = ctx.store.attendee(job.attendee_id)
        name = (attendee.display_name or attendee.id) if attendee else job.attendee_id
        out.append(QueuedBadge(job.id, job.attendee_id, name,
                               attendee.organisation if attendee else "", str(job.state),
                               job.created, job.reason, job.backend, job.printer,
                               job.reprint))
    return out


def retry_jobs(ctx: PrintContext, job_ids: list[int]) -> PrintState:
    """Queue failed or cancelled badges again and print what waits."""
    problems = []
    for job_id in job_ids:
        try:
            ctx.queue.retry(job_id)
        except CheckinError as exc:
            problems.append(str(exc))
    state = process_queue(ctx)
    if problems:
        raise CheckinError("; ".join(problems))
    return state


def cancel_jobs(ctx: PrintContext, job_ids: list[int]) -> PrintState:
    """Cancel badges not printed yet (one at a printer: there too, through its backend)."""
    problems = []
    for job_id in job_ids:
        job = ctx.queue.job(job_id)
        try:
            ctx.queue.cancel(job_id, _backend_holding(ctx, job)
                             if job.state == "printing" else None)
        except CheckinError as exc:
            problems.append(str(exc))
    if problems:
        raise CheckinError("; ".join(problems))
    return print_state(ctx)


def move_jobs(ctx: PrintContext, job_ids: list[int], backend: str,
              printer: str) -> PrintState:
    """Send badges not printed yet to another printer and print them there now (one held
    by a printer is cancelled there first). A printer that is away keeps them queued."""
    target = ctx.make_backend(backend, printer)  # CheckinError for a printer not usable
    problems = []
    moved = []
    for job_id in job_ids:
        job = ctx.queue.job(job_id)
        try:
            if job.state == "printing":
                ctx.queue.cancel(job_id, _backend_holding(ctx, job))
            ctx.queue.move(job_id, target.name, target.printer)
            moved.append(job_id)
        except CheckinError as exc:
            problems.append(str(exc))
    error = ""
    if moved:
        try:
            ctx.queue.process(target, ctx.render, job_ids=moved)
        except CheckinError as exc:
            error = str(exc)
    if problems:
        raise CheckinError("; ".join(problems))
    return print_state(ctx, error)


def _backend_holding(ctx: PrintContext, job: Job) -> Backend | None:
    """The backend that holds a job sent to a printer: the station's own, or (the printer
    was changed since, e.g. away from a stuck CUPS queue) the one the job went to."""
    backend = ctx.backend
    if job.backend == backend.name and job.printer in ("", backend.printer):
        return backend
    try:
        return ctx.make_backend(job.backend, job.printer)
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
    """Queue a badge and print what waits. auto (the badge an admission asks for): not
    if the person has one printed or waiting. The queue refuses an unknown attendee."""
    config = ctx.config
    if auto and (ctx.store.badge_printed(attendee_id)
                 or ctx.queue.jobs(["queued", "printing"], attendee_id=attendee_id)):
        # a scanner's double fire admits once and must not ask for a second badge
        return process_queue(ctx)
    ctx.queue.enqueue(attendee_id, layout=config.layout, printer=config.printer,
                      backend=config.printer_backend or "pdf", reprint=reprint, reason=reason)
    return process_queue(ctx)


def print_test_page(ctx: PrintContext) -> str:
    """Print one test badge ("Test Badge", the station's layout) on the station's printer,
    outside the queue and the log (it is nobody's badge). Returns where it went; raises
    CheckinError (PrinterUnavailable included) when the printer cannot take it."""
    import io

    from checkin.badges.render import render_pdf

    sample = Attendee(id="TEST", given_name="Test", family_name="Badge",
                      organisation=ctx.config.station or ctx.station, role="delegate")
    out = io.BytesIO()
    render_pdf([sample], ctx.config.layout, out, qr_text=lambda _a: "CHECKIN-TEST-PAGE",
               event_name=ctx.store.meta("event_name") or "")
    backend = ctx.backend
    status = backend.status()
    if not status.ready:
        raise CheckinError(f"the printer is not ready: {status}")
    job = backend.submit(out.getvalue(), "checkin-test-page")
    where = f"{backend.name} {backend.printer}".strip()
    return f"{where} ({job})" if job else where


def process_queue(ctx: PrintContext) -> PrintState:
    """Print what waits; a printer that is away keeps the jobs queued (state says why)."""
    error = ""
    try:
        ctx.queue.process(ctx.backend, ctx.render)
    except CheckinError as exc:
        error = str(exc)
    return print_state(ctx, error)


# -- retention -----------------------------------------------------------------------------------

def purge_data(ctx: DbContext, keep_counts: bool = True) -> PurgeResult:
    """Remove the event's personal data from this desk (checkin.retention.purge: refused
    while events wait for the hub or before the event's last day). The context's search
    index held every name in memory: it goes too, and the next use opens afresh."""
    from checkin.retention import purge

    try:
        return purge(ctx.store, ctx.db_path, keep_counts=keep_counts)
    finally:
        ctx.close()
