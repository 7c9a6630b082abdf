-- 0005 (PostgreSQL, as db/0005_pretix.sql): the connection to a pretix check-in list (checkin/pretix/, docs/pretix.md).
-- The API token is never stored here: it is a 0600 file beside the database
-- (checkin.pretix.connection.token_path). Attendees pulled from pretix are ordinary
-- attendees (and events); these tables only remember what pretix knows.

-- The one connected check-in list, and where pulling and pushing stand.
CREATE TABLE pretix_connection (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    url            TEXT NOT NULL,             -- https://pretix.example (without /api/v1)
    organizer      TEXT NOT NULL,
    event          TEXT NOT NULL,
    list_id        INTEGER NOT NULL,
    event_name     TEXT NOT NULL DEFAULT '',
    list_name      TEXT NOT NULL DEFAULT '',
    connected_at   TEXT NOT NULL,
    pulled_at      TEXT,                      -- last pull that was applied (our clock)
    full_pull_at   TEXT,                      -- last pull of every order
    modified_since TEXT,                      -- pretix's clock: next pull asks for orders changed since
    list_rules     TEXT NOT NULL DEFAULT '',  -- the list's products and date at the last pull
    pushed_at      TEXT,                      -- last push that reached pretix
    last_error     TEXT NOT NULL DEFAULT ''   -- the last failed pull or push, for `checkin pretix status`
);

-- Which attendee is which pretix order position (pretix's global id).
CREATE TABLE pretix_positions (
    attendee_id TEXT PRIMARY KEY,
    position_id INTEGER NOT NULL UNIQUE,
    order_code  TEXT NOT NULL,
    secret      TEXT NOT NULL
);

-- pretix check-ins on the list that have a local event: pulled ones (made by other pretix
-- devices, logged as `checkin` from station "pretix") and our own pushed admissions, so
-- that no pretix check-in becomes two events and none of ours comes back as a new one.
CREATE TABLE pretix_checkins (
    checkin_id  INTEGER PRIMARY KEY,          -- pretix's check-in id
    event_uuid  TEXT NOT NULL,                -- the local checkin event
    attendee_id TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('pulled', 'pushed')),
    annulled    INTEGER NOT NULL DEFAULT 0 CHECK (annulled IN (0, 1))
);
CREATE INDEX pretix_checkins_event ON pretix_checkins (event_uuid);
CREATE INDEX pretix_checkins_attendee ON pretix_checkins (attendee_id, origin);

-- pretix's answer to each uploaded admission (redeem) and undo (annul), by local event.
-- ok and refused are final; failed (pretix unreachable, 5xx, timeout) is tried again by
-- the next push; not_pushed says why an event has no place in pretix.
CREATE TABLE pretix_pushes (
    event_uuid  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('redeem', 'annul')),
    status      TEXT NOT NULL CHECK (status IN ('ok', 'refused', 'failed', 'not_pushed')),
    reason      TEXT NOT NULL DEFAULT '',
    http_status INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    time        TEXT NOT NULL                 -- last attempt
);
CREATE INDEX pretix_pushes_status ON pretix_pushes (status);
