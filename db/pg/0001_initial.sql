-- 0001 (PostgreSQL): as db/0001_initial.sql. Columns keep SQLite's types as the core reads
-- them (times and JSON as TEXT, flags as INTEGER), so that one set of queries runs on both
-- (checkin/pg.py); the few SQLite functions the core's queries call are defined here.
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

-- seq is the hub's pull cursor. Several hub processes write at once here, so every write
-- transaction takes one advisory lock first (checkin/pg.py, WRITE_LOCK): seq order is then
-- commit order, as with SQLite's single writer, and a desk that holds everything up to a
-- seq never misses an earlier one committed later. The uuid's unique constraint makes a
-- repeated push store nothing (INSERT ... ON CONFLICT (uuid) DO NOTHING).
CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END
$$;
CREATE TRIGGER events_append_only_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- SQLite's functions as the core's queries use them: json_extract(doc, '$.key') of an
-- object's member (text), json_each(doc) over an array (its values as text), and the
-- NOCASE collation (case-insensitive order, ICU).
CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (doc::jsonb) #>> string_to_array(substr(path, 3), '.');
CREATE FUNCTION json_each(doc TEXT) RETURNS TABLE (key TEXT, value TEXT)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (n - 1)::TEXT, v FROM jsonb_array_elements_text(doc::jsonb) WITH ORDINALITY AS e (v, n)
$$;
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
-- What the importer reads to drop indexes for a bulk write (SQLite only): nothing here.
CREATE VIEW sqlite_master (type, name, tbl_name, sql) AS
    SELECT NULL::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT WHERE false;
