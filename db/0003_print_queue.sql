-- 0003: the persisted print queue (checkin/printing/queue.py).
-- A row is one badge to print; its life: queued -> printing -> done, or failed with the
-- reason, or cancelled. The badge itself is recorded in `events` (badge_printed) when the
-- job is done; this table is working state, not history.
CREATE TABLE print_jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    attendee_id    TEXT NOT NULL REFERENCES attendees (id),
    layout         TEXT NOT NULL,
    printer        TEXT NOT NULL DEFAULT '',
    backend        TEXT NOT NULL DEFAULT 'pdf',
    state          TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'printing', 'done', 'failed', 'cancelled')),
    reason         TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    reprint        INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
    reprint_reason TEXT NOT NULL DEFAULT '',
    station        TEXT NOT NULL DEFAULT '',  -- who asked for it
    operator       TEXT NOT NULL DEFAULT '',
    backend_job_id TEXT NOT NULL DEFAULT '',  -- set once the printer accepted the job
    claimed_by     TEXT NOT NULL DEFAULT '',  -- host:pid of the process printing it
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);
CREATE INDEX print_jobs_state ON print_jobs (state, id);
CREATE INDEX print_jobs_attendee ON print_jobs (attendee_id, state);
