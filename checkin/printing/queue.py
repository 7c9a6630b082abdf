r"""The persisted print queue: every badge goes through here, nothing is lost.

API (the station app and `checkin print` call this)::

    queue = PrintQueue(store)     # one per connection: a worker thread opens its own
                                  # Store(open_db(path)) and PrintQueue
    job = queue.enqueue(attendee_id, layout="a6", printer="", backend="pdf",
                        reprint=False, reason="")          # -> Job (state "queued")
    queue.jobs(states=None, attendee_id=None) -> list[Job]  # oldest first
    queue.job(job_id) -> Job
    queue.counts() -> dict[state, int]
    queue.cancel(job_id, backend=None) -> Job
    queue.retry(job_id) -> Job;  queue.retry_failed() -> list[Job]
    queue.recover() -> list[Job]  # requeue jobs a dead process left "printing"
    queue.poll(backend) -> list[Job]  # settle jobs at backend's printer, print nothing new
    queue.process(backend, render, *, limit=None, job_ids=None) -> list[Job]
    queue.has_work() -> bool      # anything queued or at the printer: call process again

A job's life:

    queued --claim--> printing --printer says printed--> done (+ badge_printed event)
       ^                 |  \--printer aborted it--------> queued (retried, up to
       |                 |                                 MAX_ATTEMPTS, then failed)
       |                 \--render/submit refused--------> failed (with the reason)
       \---- retry ------------ failed | cancelled
    queued | failed --cancel--> cancelled   (printing: only through a backend that can)

- process(backend, render) first settles jobs already at this backend's printer, then
  asks the printer's status: when it is not ready (offline, stopped, out of paper) the
  jobs stay queued with the reason, and print on a later call once it is back. A job
  the printer takes but holds (CUPS keeps jobs for a disabled printer) stays "printing"
  until the printer reports it printed (done) or aborted (back to queued).
- Claims are atomic (UPDATE ... WHERE state = 'queued' in an IMMEDIATE transaction), so
  two threads or processes never print the same job. A claim records host:pid; a job
  left "printing" without a printer job id by a process that died is requeued by
  recover() (process() calls it): the crash happened before or while the job was handed
  over, and a rare duplicate badge is better than a missing one.
- Every badge printed is an event (store.BADGE_PRINTED, payload: job, layout, printer,
  backend, backend_job_id, reprint, reason, requested_by; operator = who asked), written
  in the same transaction that marks the job done. A second badge for a person is an
  explicit reprint with a reason: enqueue() refuses otherwise (also while a job for them
  is still queued or printing). Failed jobs are retried automatically on the next
  process() call until MAX_ATTEMPTS; retry() puts a failed or cancelled job back and
  resets the count. A job the printer lost track of (JobLost) fails and is never
  retried automatically: it may have printed, a person decides.
- render(job) -> PDF bytes runs inside process(), on the caller's (worker) thread;
  checkin.printing.render.badge_renderer(store) builds the real one.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from checkin.errors import CheckinError
from checkin.printing.backend import Backend, Cancellable, JobLost, PrinterUnavailable
from checkin.store import BADGE_PRINTED, Store, now, today
from checkin.text import clean_text

log = logging.getLogger(__name__)


class JobState(StrEnum):
    """A print job's state (a str: stored in print_jobs.state as its value)."""

    QUEUED = "queued"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


QUEUED = JobState.QUEUED
PRINTING = JobState.PRINTING
DONE = JobState.DONE
FAILED = JobState.FAILED
CANCELLED = JobState.CANCELLED
JOB_STATES = tuple(JobState)
PENDING = (QUEUED, PRINTING)
MAX_ATTEMPTS = 3  # automatic tries (render, submit, printer aborts) before a job stays failed
# A claim by a process on another host (or whose liveness we cannot see) counts as dead
# after this long without reaching the printer; rendering and spooling take seconds.
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Job:
    id: int
    attendee_id: str
    layout: str
    printer: str
    backend: str
    state: JobState
    reason: str
    attempts: int
    reprint: bool
    reprint_reason: str
    station: str
    operator: str
    backend_job_id: str
    claimed_by: str
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        return cls(**{**row, "reprint": bool(row["reprint"]), "state": JobState(row["state"])})

    @property
    def title(self) -> str:
        """The job's name at the printer: no personal data, just what finds it again."""
        return f"checkin-job{self.id}-{self.attendee_id}"


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # access denied: it exists
        code = ctypes.c_ulong()
        try:
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc, CheckinError):
        return message or type(exc).__name__
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class PrintQueue:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.owner = _owner()

    # -- reading ------------------------------------------------------------------------

    def job(self, job_id: int) -> Job:
        rows = list(self.db.query("SELECT * FROM print_jobs WHERE id = ?", [job_id]))
        if not rows:
            raise CheckinError(f"no print job {job_id}")
        return Job.from_row(rows[0])

    def jobs(self, states: Iterable[str] | None = None, *,
             attendee_id: str | None = None) -> list[Job]:
        where: list[str] = []
        params: list[Any] = []
        if states is not None:
            wanted = list(states)
            unknown = [s for s in wanted if s not in JOB_STATES]
            if unknown:
                raise CheckinError(f"unknown job state {unknown[0]!r} "
                                   f"(one of: {', '.join(JOB_STATES)})")
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            params += wanted
        if attendee_id is not None:
            where.append("attendee_id = ?")
            params.append(attendee_id)
        sql = "SELECT * FROM print_jobs" + (" WHERE " + " AND ".join(where) if where else "")
        return [Job.from_row(row) for row in self.db.query(sql + " ORDER BY id", params)]

    def counts(self) -> dict[JobState, int]:
        found = dict.fromkeys(JobState, 0)
        for state, count in self.db.execute(
                "SELECT state, count(*) FROM print_jobs GROUP BY state").fetchall():
            found[JobState(state)] = count
        return found

    def has_work(self) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM print_jobs WHERE state IN ('queued', 'printing') LIMIT 1").fetchone()
        return row is not None

    # -- asking for badges ----------------------------------------------------------------

    def enqueue(self, attendee_id: str, *, layout: str, printer: str = "",
                backend: str = "pdf", reprint: bool = False, reason: str = "") -> Job:
        """Queue one badge; a second badge for a person needs reprint=True and a reason."""
        reason = clean_text(reason).strip()
        if not layout:
            raise CheckinError("no badge layout given")
        with self.store.transaction():
            attendee = self.store.attendee(attendee_id)
            if attendee is None:
                raise CheckinError(f"no attendee with id {attendee_id!r}")
            who = f"{attendee.display_name or attendee.id} ({attendee.id})"
            if attendee.status == "cancelled":
                raise CheckinError(f"{who}: registration cancelled, no badge")
            pending = self.jobs(PENDING, attendee_id=attendee_id)
            if not reprint:
                if self.store.badge_printed(attendee_id):
                    raise CheckinError(f"{who} already has a printed badge; another one is "
                                       "a reprint and needs a reason")
                if pending:
                    raise CheckinError(f"{who} already has a badge in the print queue "
                                       f"(job {pending[0].id}); another one is a reprint "
                                       "and needs a reason")
            elif not reason:
                raise CheckinError("a reprint needs a reason (who asked for it and why)")
            stamp = now()
            cursor = self.db.execute(
                "INSERT INTO print_jobs (attendee_id, layout, printer, backend, state, "
                "reprint, reprint_reason, station, operator, created, updated) "
                "VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                [attendee_id, layout, printer, backend, int(reprint), reason if reprint else "",
                 self.store.station, self.store.operator, stamp, stamp],
            )
            job_id = int(cursor.lastrowid or 0)
            # An old failed job would otherwise be retried and print a second badge.
            self.db.execute(
                "UPDATE print_jobs SET state = 'cancelled', reason = ?, updated = ? "
                "WHERE attendee_id = ? AND state = 'failed'",
                [f"superseded by job {job_id}", stamp, attendee_id],
            )
        return self.job(job_id)

    def cancel(self, job_id: int, backend: Backend | None = None) -> Job:
        """Cancel a queued or failed job; a printing one only through its backend."""
        with self.store.transaction():
            job = self.job(job_id)
            if job.state in (DONE, CANCELLED):
                raise CheckinError(f"print job {job_id} is already {job.state}")
            if job.state == PRINTING:
                if not job.backend_job_id:
                    raise CheckinError(f"print job {job_id} is being sent to the printer; "
                                       "try again in a moment")
                if not isinstance(backend, Cancellable) or backend.name != job.backend:
                    raise CheckinError(f"print job {job_id} is at the printer "
                                       f"({job.backend} job {job.backend_job_id}); "
                                       "cancel it there")
                backend.cancel_job(job.backend_job_id)
            self._set(job_id, CANCELLED, "cancelled by " + (self.store.operator
                                                            or self.store.station))
        return self.job(job_id)

    def retry(self, job_id: int) -> Job:
        """Put a failed or cancelled job back in the queue (resets the attempt count)."""
        with self.store.transaction():
            job = self.job(job_id)
            if job.state == QUEUED:
                return job
            if job.state == PRINTING:
                raise CheckinError(f"print job {job_id} is printing")
            if job.state == DONE:
                raise CheckinError(f"print job {job_id} is done; print a reprint instead")
            if not job.reprint and self.store.badge_printed(job.attendee_id):
                raise CheckinError(f"print job {job_id}: {job.attendee_id} has a printed badge "
                                   "since; print a reprint with a reason instead")
            self.db.execute(
                "UPDATE print_jobs SET state = 'queued', reason = 'retry', attempts = 0, "
                "backend_job_id = '', claimed_by = '', updated = ? WHERE id = ?",
                [now(), job_id])
        return self.job(job_id)

    def move(self, job_id: int, backend: str, printer: str) -> Job:
        """Send a badge that has not printed to another printer: a queued, failed or
        cancelled job is queued again for that backend and printer (a job at a printer
        must be cancelled there first: cancel())."""
        with self.store.transaction():
            job = self.job(job_id)
            if job.state == PRINTING:
                raise CheckinError(f"print job {job_id} is at the printer; cancel it first")
            if job.state == DONE:
                raise CheckinError(f"print job {job_id} is done; print a reprint instead")
            if job.state != QUEUED:
                self.retry(job_id)  # the same checks: no second badge without a reason
            where = f"{backend}:{printer}" if printer else backend
            self.db.execute(
                "UPDATE print_jobs SET backend = ?, printer = ?, reason = ?, updated = ? "
                "WHERE id = ?", [backend, printer, f"moved to {where}", now(), job_id])
        return self.job(job_id)

    def retry_failed(self) -> list[Job]:
        return [self.retry(job.id) for job in self.jobs([FAILED])]

    # -- printing -------------------------------------------------------------------------

    def recover(self) -> list[Job]:
        """Requeue jobs a dead process claimed but never handed to a printer."""
        recovered = []
        host = socket.gethostname()
        for job in self.jobs([PRINTING]):
            if job.backend_job_id or not self._claim_is_dead(job, host):
                continue
            with self.store.transaction():
                cursor = self.db.execute(
                    "UPDATE print_jobs SET state = 'queued', claimed_by = '', updated = ?, "
                    "reason = ? WHERE id = ? AND state = 'printing' AND backend_job_id = '' "
                    "AND claimed_by = ?",
                    [now(), f"requeued: {job.claimed_by or 'a process'} stopped while "
                     "printing it", job.id, job.claimed_by])
            if cursor.rowcount == 1:
                recovered.append(self.job(job.id))
        return recovered

    def _claim_is_dead(self, job: Job, host: str) -> bool:
        owner_host, _, pid = job.claimed_by.rpartition(":")
        if owner_host == host and pid.isdigit():
            return int(pid) != os.getpid() and not _pid_alive(int(pid))
        try:
            age = datetime.now().astimezone() - datetime.fromisoformat(job.updated)
        except ValueError:
            return True
        return age > STALE_CLAIM

    def poll(self, backend: Backend) -> list[Job]:
        """Settle the jobs backend's printer holds (done, or back to the queue); prints
        nothing new. Returns those jobs in their new state."""
        return [self._poll(backend, job) for job in self.jobs([PRINTING])
                if job.backend == backend.name and job.backend_job_id
                and job.printer in ("", backend.printer)]

    def process(self, backend: Backend, render: Callable[[Job], bytes], *,
                limit: int | None = None, job_ids: Iterable[int] | None = None) -> list[Job]:
        """Print what is queued on backend (blocking: call from a worker). Returns the jobs
        this call touched, in their new state."""
        wanted = set(job_ids) if job_ids is not None else None
        touched: dict[int, Job] = {}
        self.recover()
        for job in self.poll(backend):
            if wanted is None or job.id in wanted:
                touched[job.id] = job
        for job in self.jobs([FAILED]):
            if job.attempts < MAX_ATTEMPTS and (wanted is None or job.id in wanted):
                self._set(job.id, QUEUED, f"retrying after: {job.reason}", only_from=FAILED)
        waiting = [job for job in self.jobs([QUEUED]) if wanted is None or job.id in wanted]
        if limit is not None:
            waiting = waiting[:limit]
        if not waiting:
            return list(touched.values())
        try:
            state = backend.status()
        except CheckinError as exc:
            state_reason = _one_line(exc)
            ready = False
        else:
            state_reason, ready = str(state), state.ready
        if not ready:
            for job in waiting:
                touched[job.id] = self._wait(job, state_reason)
            return list(touched.values())
        for index, job in enumerate(waiting):
            claimed = self._claim(job.id, backend)
            if claimed is None:  # another worker took it, or it was cancelled meanwhile
                continue
            touched[job.id] = result = self._print(backend, render, claimed)
            if result.state == QUEUED:  # the printer went away: the rest waits too
                for rest in waiting[index + 1:]:
                    touched[rest.id] = self._wait(rest, result.reason.removeprefix("waiting: "))
                break
        return list(touched.values())

    def _print(self, backend: Backend, render: Callable[[Job], bytes], job: Job) -> Job:
        try:
            pdf = render(job)
        except Exception as exc:  # a broken layout or font must not stop the print lane
            return self._fail(job, f"badge could not be rendered: {_one_line(exc)}")
        try:
            backend_job_id = backend.submit(pdf, job.title)
        except PrinterUnavailable as exc:
            log.info("print job %d waits: %s", job.id, _one_line(exc))
            with self.store.transaction():
                # handing over failed, so this try does not count against the job
                self.db.execute(
                    "UPDATE print_jobs SET state = 'queued', attempts = max(attempts - 1, 0), "
                    "claimed_by = '', reason = ?, updated = ? WHERE id = ?",
                    [f"waiting: {_one_line(exc)}", now(), job.id])
            return self.job(job.id)
        except Exception as exc:
            return self._fail(job, f"printer refused the job: {_one_line(exc)}")
        unsettled = False  # the printer has news that _poll() turns into a state
        done: bool | None = None
        try:  # synchronous backends (PDF folder, Brother) know at once
            done = backend.job_done(backend_job_id)
            unsettled = done is False
        except JobLost:
            unsettled = True
        except CheckinError:
            pass  # the printer cannot be asked now: the next poll settles it
        with self.store.transaction():  # one durable write for "handed over" (and "done")
            self.db.execute(
                "UPDATE print_jobs SET backend_job_id = ?, reason = ?, updated = ? "
                "WHERE id = ?",
                [backend_job_id, f"sent to {backend.name} as {backend_job_id}", now(), job.id])
            if done:
                return self._complete(self.job(job.id), backend)
        job = self.job(job.id)
        return self._poll(backend, job) if unsettled else job

    def _poll(self, backend: Backend, job: Job) -> Job:
        """Ask the printer about a job it holds and settle it."""
        try:
            done = backend.job_done(job.backend_job_id)
        except JobLost as exc:
            return self._fail(job, f"{_one_line(exc)}; check the printer and retry if the "
                              "badge is missing", auto_retry=False)
        except CheckinError:
            return job  # the printer cannot be asked now; ask again next time
        if done is None:
            return job
        if done:
            return self._complete(job, backend)
        if job.attempts >= MAX_ATTEMPTS:
            return self._fail(job, "the printer aborted or cancelled the job", auto_retry=False)
        with self.store.transaction():
            self.db.execute(
                "UPDATE print_jobs SET state = 'queued', backend_job_id = '', claimed_by = '', "
                "reason = ?, updated = ? WHERE id = ? AND state = 'printing' "
                "AND backend_job_id = ?",  # not if another worker settled it meanwhile
                [f"the printer dropped {job.backend} job {job.backend_job_id} "
                 "(aborted or cancelled there); printing it again", now(), job.id,
                 job.backend_job_id])
        return self.job(job.id)

    def _complete(self, job: Job, backend: Backend) -> Job:
        with self.store.transaction():
            cursor = self.db.execute(
                "UPDATE print_jobs SET state = 'done', reason = '', updated = ? "
                "WHERE id = ? AND state = 'printing' AND backend_job_id = ?",
                [now(), job.id, job.backend_job_id])
            if cursor.rowcount == 1:  # exactly one event per badge, whoever settles it
                log.info("print job %d for %s printed on %s %s", job.id, job.attendee_id,
                         backend.name, job.printer or backend.printer)
                self.store.append(
                    BADGE_PRINTED, job.attendee_id, day=today(),
                    operator=job.operator or self.store.operator,
                    payload={"job": job.id, "layout": job.layout,
                             "printer": job.printer or backend.printer,
                             "backend": job.backend, "backend_job_id": job.backend_job_id,
                             "reprint": job.reprint, "reason": job.reprint_reason,
                             "requested_by": job.station},
                )
        return self.job(job.id)

    def _claim(self, job_id: int, backend: Backend) -> Job | None:
        with self.store.transaction():
            cursor = self.db.execute(
                "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1, "
                "backend = ?, printer = ?, claimed_by = ?, backend_job_id = '', reason = '', "
                "updated = ? WHERE id = ? AND state = 'queued'",
                [backend.name, backend.printer, self.owner, now(), job_id])
        return self.job(job_id) if cursor.rowcount == 1 else None

    def _wait(self, job: Job, why: str) -> Job:
        reason = f"waiting: {why}"
        if job.reason != reason:
            with self.store.transaction():
                self.db.execute(
                    "UPDATE print_jobs SET reason = ?, updated = ? "
                    "WHERE id = ? AND state = 'queued'", [reason, now(), job.id])
        return self.job(job.id)

    def _fail(self, job: Job, reason: str, *, auto_retry: bool = True) -> Job:
        """Mark failed; auto_retry=False when the badge may have printed (only retry() then).

        Only while the job is still in the state this worker saw (another worker may
        have settled or reclaimed it meanwhile)."""
        with self.store.transaction():
            self.db.execute(
                "UPDATE print_jobs SET state = 'failed', reason = ?, claimed_by = '', "
                "attempts = CASE WHEN ? THEN attempts ELSE max(attempts, ?) END, "
                "updated = ? WHERE id = ? AND state = 'printing' AND backend_job_id = ?",
                [reason, auto_retry, MAX_ATTEMPTS, now(), job.id, job.backend_job_id])
        log.warning("print job %d for %s failed: %s", job.id, job.attendee_id, reason)
        return self.job(job.id)

    def _set(self, job_id: int, state: str, reason: str, *, only_from: str | None = None) -> None:
        sql = ("UPDATE print_jobs SET state = ?, reason = ?, claimed_by = '', updated = ? "
               "WHERE id = ?")
        params: list[Any] = [state, reason, now(), job_id]
        if only_from is not None:
            sql += " AND state = ?"
            params.append(only_from)
        with self.store.transaction():
            self.db.execute(sql, params)
