-- 0001: event metadata, attendees, and the append-only event log.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE attendees (
    id           TEXT PRIMARY KEY,
    code         TEXT,
    ref          TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL DEFAULT '',
    given_name   TEXT NOT NULL DEFAULT '',
    family_name  TEXT NOT NULL DEFAULT '',
    name_order   TEXT NOT NULL DEFAULT 'given_first'
                 CHECK (name_order IN ('given_first', 'family_first')),
    badge_name   TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL DEFAULT 'delegate',
    email        TEXT NOT NULL DEFAULT '',
    days         TEXT NOT NULL DEFAULT '[]',
    status       TEXT NOT NULL DEFAULT 'confirmed'
                 CHECK (status IN ('confirmed', 'cancelled')),
    notes        TEXT NOT NULL DEFAULT '',
    extra        TEXT NOT NULL DEFAULT '{}',
    search_key   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attendees_code ON attendees (code);

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid        TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    attendee_id TEXT,
    station     TEXT NOT NULL,
    operator    TEXT NOT NULL DEFAULT '',
    time        TEXT NOT NULL,
    day         TEXT,
    payload     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_attendee_day ON events (attendee_id, day, type);
CREATE INDEX events_day_type ON events (day, type);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
