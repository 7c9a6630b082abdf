-- 0010: retention (checkin/retention.py, docs/privacy.md). `checkin purge` removes the
-- event's personal data after it. The event log stays append-only for everything else:
-- its delete trigger now lets a delete through only while the purge's own transaction
-- holds the one row of `purge_permit` (inserted and deleted again inside that
-- transaction, so no other connection ever sees it, and a crash rolls it back with the
-- deletes). Updates stay refused, always.
CREATE TABLE purge_permit (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    started TEXT NOT NULL                     -- when the purge began (our clock)
);

DROP TRIGGER events_append_only_delete;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM purge_permit)
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- What `checkin purge --keep-counts` keeps for the report: per event day, role and
-- country, how many were registered for that day and how many were admitted. No id, no
-- name, no time of day.
CREATE TABLE purged_counts (
    day        TEXT NOT NULL,
    role       TEXT NOT NULL,
    country    TEXT NOT NULL,                 -- ISO 3166-1 alpha-2, or ''
    registered INTEGER NOT NULL,
    checked_in INTEGER NOT NULL,
    PRIMARY KEY (day, role, country)
);
