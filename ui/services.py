"""The station's services: the core, driven from worker lanes, answering through signals.

The main window and the kiosk call these methods from the GUI thread; each posts its work
(checkin/desk.py) to a lane (db: scans, searches and writes; print: the print queue;
decode: camera frames) and returns at once. Every lane opens its own SQLite connection
in its own thread. Results come back as plain dataclasses through the signals below.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from checkin.config import StationConfig
from checkin.desk import (
    DbContext,
    Hit,
    Outcome,
    PrintContext,
    PrintState,
    QueuedBadge,
    Stats,
    Summary,
    cancel_badges,
    cancel_jobs,
    check_in,
    compute_stats,
    describe,
    enqueue_and_print,
    event_day,
    message_of,
    move_jobs,
    open_event,
    print_state,
    print_test_page,
    process_queue,
    purge_data,
    retry_jobs,
    save_attendee,
    scan_text,
    search_hits,
    undo,
    waiting_badges,
    walk_in,
)
from checkin.models import Attendee
from checkin.printing.backend import Backend
from checkin.printing.backend import make_backend as core_make_backend
from checkin.sync.background import SyncStatus, next_delay, step
from ui.pretix_service import PretixService
from ui.workers import Lanes

PRINT_POLL_MS = 10_000

__all__ = ["QueuedBadge", "Station", "make_backend"]


# -- the service object (GUI thread) -------------------------------------------------------

class Station(QObject):
    opened = Signal(object)  # Summary
    openFailed = Signal(str)
    outcome = Signal(object)  # Outcome: scans and actions
    searched = Signal(str, object)  # query, list[Hit]
    statsChanged = Signal(object)  # Stats
    printStateChanged = Signal(object)  # PrintState
    failed = Signal(str)  # an action failed: one line
    admitFailed = Signal(str)  # a scan or check-in failed: the person is NOT admitted
    printCancelled = Signal(str, int)  # attendee id, jobs cancelled (cancel_badges)
    printFailed = Signal(str)  # the print lane failed: the admission on the card stands
    syncChanged = Signal(object)  # SyncStatus, after every background sync step
    dayClosed = Signal(object)  # SyncStatus of the final sync ("Close the day")
    purged = Signal(object)  # retention.PurgeResult: the event's personal data is gone
    purgeFailed = Signal(str)  # one line: why not (events wait, the event is not over, ...)

    def __init__(self, db_path: Path, config: StationConfig,
                 config_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from checkin.store import default_station

        self.db_path = db_path
        self.config = config
        self.config_path = config_path
        station = config.station or default_station()
        self.station_name = station
        self.summary: Summary | None = None
        self.print_state = PrintState()
        from checkin.store import today

        self.stats = Stats(today(), 0, 0)
        self.lanes = Lanes({
            "db": lambda: DbContext(db_path, station, config.operator),
            "print": lambda: PrintContext(db_path, station, config.operator, config,
                                          make_backend),
            "net": lambda: DbContext(db_path, station, config.operator),
            "decode": _decoder_context,
        }, self)
        # The print lane runs its tasks in order: a state from task n knows every badge
        # asked for by tasks <= n. badge_seq[attendee id] = the task that asked for theirs,
        # so an older state (a poll sent just before) is not read as "printed".
        self._print_seq = 0
        self.badge_seq: dict[str, int] = {}
        self._search_running = False
        self._search_next: str | None = None
        self._stats_pending = False
        self._poll = QTimer(self)
        self._poll.setInterval(PRINT_POLL_MS)
        self._poll.timeout.connect(self.refresh_print_queue)
        self.sync_status = SyncStatus()
        self._sync_failures = 0
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.timeout.connect(self.sync_now)
        self.lanes["db"].error.connect(lambda _n, exc: self.failed.emit(message_of(exc)))
        self.lanes["print"].error.connect(lambda _n, exc: self.failed.emit(message_of(exc)))
        self.pretix = PretixService(self.lanes["net"], db_path, self)
        self.pretix.pulled.connect(lambda _result: self.refresh_stats())

    @property
    def ready(self) -> bool:
        return self.summary is not None

    def shutdown(self) -> None:
        self._poll.stop()
        self._sync_timer.stop()
        self.pretix.stop()
        self.lanes.stop()

    # -- open --------------------------------------------------------------------------

    def open(self) -> None:
        self.lanes["db"].submit(open_event, self._opened,
                                lambda exc: self.openFailed.emit(message_of(exc)), name="open")

    def _opened(self, summary: Summary) -> None:
        self.summary = summary
        self.stats = Stats(summary.day, summary.checked_in, summary.expected)
        self.opened.emit(summary)
        self.statsChanged.emit(self.stats)
        self.refresh_print_queue(force=True)  # badges left waiting by the last session
        self._poll.start()
        self.sync_now()
        self.pretix.start()

    # -- scan and search -----------------------------------------------------------------

    def scan(self, text: str) -> None:
        self.lanes["db"].submit(lambda ctx: scan_text(ctx, text), self._answered,
                                self._admit_failed, name="scan")

    def search(self, query: str) -> None:
        """Type-ahead: at most one search in flight; only the newest text waits."""
        if self._search_running:
            self._search_next = query
            return
        self._search_running = True
        self.lanes["db"].submit(lambda ctx: search_hits(ctx, query),
                                lambda hits: self._searched(query, hits),
                                lambda exc: self._search_failed(query, exc), name="search")

    def _search_failed(self, query: str, exc: BaseException) -> None:
        # The lane logged the traceback; the desk hears one line and the field stays usable.
        self.failed.emit(message_of(exc))
        self._searched(query, [])

    def _searched(self, query: str, hits: list[Hit]) -> None:
        self._search_running = False
        self.searched.emit(query, hits)
        if self._search_next is not None:
            nxt, self._search_next = self._search_next, None
            if nxt != query:
                self.search(nxt)

    # -- actions -------------------------------------------------------------------------

    def check_in(self, attendee_id: str, override: str = "") -> None:
        """Admit; override: why someone not registered for today is admitted anyway."""
        self.lanes["db"].submit(lambda ctx: check_in(ctx, attendee_id, override=override),
                                self._answered, self._admit_failed, name="check_in")

    def undo(self, attendee_id: str, reason: str = "") -> None:
        self.lanes["db"].submit(lambda ctx: undo(ctx, attendee_id, reason), self._answered,
                                self._action_failed, name="undo")

    def describe(self, attendee_id: str) -> None:
        self.lanes["db"].submit(lambda ctx: describe(ctx, attendee_id), self._answered,
                                self._action_failed, name="describe")

    def save_attendee(self, attendee: Attendee, reason: str = "",
                      reprint_reason: str = "") -> None:
        """Save an edit; with reprint_reason, print the badge again, but only when the
        edit changed something the badge shows (Outcome.badge_changes)."""
        def done(out: Outcome) -> None:
            if reprint_reason and out.attendee is not None and out.badge_changes:
                self.print_badge(out.attendee.id, reprint=out.badge_printed,
                                 reason=reprint_reason)
                out.printing = True  # the card follows it
            self._answered(out, auto_print=False)

        self.lanes["db"].submit(lambda ctx: save_attendee(ctx, attendee, reason), done,
                                self._action_failed, name="save")

    def walk_in(self, attendee: Attendee) -> None:
        def done(out: Outcome) -> None:
            if out.attendee is not None:  # a walk-in's badge prints at once, always
                self.print_badge(out.attendee.id, auto=True)
                out.printing = True  # the card follows it
            self._answered(out, auto_print=False)

        self.lanes["db"].submit(lambda ctx: walk_in(ctx, attendee), done,
                                self._action_failed, name="walk_in")

    def print_badge(self, attendee_id: str, reprint: bool = False, reason: str = "",
                    auto: bool = False) -> None:
        seq = self._submit_print(
            lambda ctx: enqueue_and_print(ctx, attendee_id, reprint, reason, auto), "print")
        self.badge_seq[attendee_id] = seq

    def _submit_print(self, fn: Any, name: str) -> int:
        self._print_seq += 1
        seq = self._print_seq
        self.lanes["print"].submit(fn, lambda state: self._printed(replace(state, seq=seq)),
                                   self._print_failed, name=name)
        return seq

    def refresh_print_queue(self, force: bool = False) -> None:
        """Ask the printer and print what waits (the poll; force: even if the lane is busy)."""
        lane = self.lanes["print"]
        if lane.busy and not force:
            return
        needs_work = force or self.print_state.queued + self.print_state.printing > 0
        fn = process_queue if needs_work else print_state
        self._submit_print(fn, "print_state")

    def retry_print(self, job_id: int) -> None:
        def work(ctx: PrintContext) -> PrintState:
            ctx.queue.retry(job_id)
            return process_queue(ctx)
        self._submit_print(work, "retry")

    def cancel_print(self, job_id: int) -> None:
        def work(ctx: PrintContext) -> PrintState:
            ctx.queue.cancel(job_id, ctx.backend)  # a printing job: at the printer too
            return print_state(ctx)
        self._submit_print(work, "cancel")

    def print_test(self, done: Any, failed: Any) -> None:
        """A test page on the station's printer: done(where) or failed(one line)."""
        self.lanes["print"].submit(print_test_page, done,
                                   lambda exc: failed(message_of(exc)), name="test_page")

    def load_waiting(self, done: Any) -> None:
        """done(list[QueuedBadge]): every badge not printed yet, with whose it is."""
        self.lanes["db"].submit(waiting_badges, done, self._action_failed, name="waiting")

    def retry_jobs(self, job_ids: list[int]) -> None:
        self._submit_print(lambda ctx: retry_jobs(ctx, job_ids), "retry_jobs")

    def cancel_jobs(self, job_ids: list[int]) -> None:
        self._submit_print(lambda ctx: cancel_jobs(ctx, job_ids), "cancel_jobs")

    def move_jobs(self, job_ids: list[int], backend: str, printer: str) -> None:
        """Print these badges on another printer now (the print queue panel)."""
        self._submit_print(lambda ctx: move_jobs(ctx, job_ids, backend, printer), "move_jobs")

    def cancel_badges(self, attendee_id: str) -> None:
        """Cancel the person's badges not printed yet (a job stuck at the printer too);
        printCancelled says when, printFailed why not."""
        self._print_seq += 1
        seq = self._print_seq

        def done(result: tuple[PrintState, int]) -> None:
            state, count = result
            # first: a card following that badge stops (the state no longer lists the
            # job, which _follow_badge would read as printed)
            self.printCancelled.emit(attendee_id, count)
            self._printed(replace(state, seq=seq))
        self.lanes["print"].submit(lambda ctx: cancel_badges(ctx, attendee_id), done,
                                   self._print_failed, name="cancel_badges")

    def apply_config(self, config: StationConfig) -> None:
        from checkin.store import default_station

        self.config = config
        self.station_name = config.station or default_station()
        station, operator = self.station_name, config.operator
        self.lanes["db"].submit(lambda ctx: ctx.set_identity(station, operator), name="ident")
        self.lanes["print"].submit(lambda ctx: ctx.set_config(config), name="printcfg")
        self.refresh_print_queue(force=True)  # another printer: what waited may print now

    # -- sync with the hub (net lane; docs/sync.md) ---------------------------------------

    def sync_now(self, *, final: bool = False) -> None:
        """One background sync step; the next is scheduled when it answers. A scan never
        waits for it: the net lane has its own connection."""
        lane = self.lanes["net"]
        if lane.busy and not final:
            return
        self._sync_timer.stop()
        before = self.sync_status
        lane.submit(lambda ctx: step(ctx.store, ctx.db_path, before, final=final),
                    lambda status: self._synced(status, final),
                    lambda exc: self._sync_failed(exc, final), name="sync")

    def close_day(self) -> None:
        """Push everything and ask the hub to acknowledge it (dayClosed says how it went)."""
        self.sync_now(final=True)

    def _synced(self, status: SyncStatus, final: bool) -> None:
        self._sync_failures = 0 if status.online else self._sync_failures + 1
        self.sync_status = status
        self.syncChanged.emit(status)
        if status.online:
            self.pretix.set_hub_state(status.hub_pretix)
        if final:
            self.dayClosed.emit(status)
        if status.pulled:  # other desks' admissions and the office's changes
            self.refresh_stats()
        if status.paired:
            self._sync_timer.start(int(next_delay(status, self._sync_failures) * 1000))

    def _sync_failed(self, exc: BaseException, final: bool) -> None:
        # A fault on the net lane (logged there): keep the desk informed and try again.
        self._synced(replace(self.sync_status, paired=True, online=False, error=message_of(exc),
                             all_synced=False), final)

    def purge(self, keep_counts: bool = True) -> None:
        """Remove the event's personal data from this desk (after the final sync)."""
        self.lanes["db"].submit(lambda ctx: purge_data(ctx, keep_counts), self._purged,
                                lambda exc: self.purgeFailed.emit(message_of(exc)),
                                name="purge")

    def _purged(self, result: Any) -> None:
        self.purged.emit(result)
        self.refresh_stats()
        self.refresh_print_queue(force=True)

    # -- answers -------------------------------------------------------------------------

    def _answered(self, out: Outcome, auto_print: bool = True) -> None:
        wants_badge = out.kind == "ok" and out.printing and not out.badge_printed
        if auto_print and wants_badge and self.config.auto_print and out.attendee is not None:
            self.print_badge(out.attendee.id, auto=True)
        elif auto_print:
            out.printing = False
        self.outcome.emit(out)
        if out.kind in ("ok", "undone", "created"):
            self.refresh_stats()
        if out.kind in ("ok", "undone"):
            self.pretix.request_push()

    def _action_failed(self, exc: BaseException) -> None:
        self.failed.emit(message_of(exc))

    def _admit_failed(self, exc: BaseException) -> None:
        self.admitFailed.emit(message_of(exc))

    def refresh_stats(self) -> None:
        if self._stats_pending:
            return
        self._stats_pending = True

        def done(stats: Stats) -> None:
            self._stats_pending = False
            self.stats = stats
            self.statsChanged.emit(stats)

        def fail(exc: BaseException) -> None:
            self._stats_pending = False

        # The event's day, in the event's time zone (a station left running overnight
        # counts the new day; a laptop in another zone counts the event's).
        self.lanes["db"].submit(lambda ctx: compute_stats(ctx, event_day(ctx)), done, fail,
                                name="stats")

    def _printed(self, state: PrintState) -> None:
        self.print_state = state
        self.printStateChanged.emit(state)

    def _print_failed(self, exc: BaseException) -> None:
        # not `failed`: that turns the card red, and the person on it IS checked in
        self.printFailed.emit(message_of(exc))
        # the last state with the error added (its seq stays: it knows no new badge)
        self._printed(replace(self.print_state, last_error=message_of(exc)))


def make_backend(name: str, printer: str) -> Backend:
    """The core's backends, and the Qt one (QPrinter) that only the station has."""
    if name == "qt":
        from ui.print_backend_qt import QtPrinterBackend

        return QtPrinterBackend(printer)
    return core_make_backend(name, printer)


def _decoder_context() -> Any:
    from ui.camera import decoder_context

    return decoder_context()
