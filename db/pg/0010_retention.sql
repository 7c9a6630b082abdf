-- 0010: retention, as db/0010_retention.sql (checkin/retention.py, docs/privacy.md): the
-- event log refuses a delete unless the purge's own transaction holds the one row of
-- purge_permit; updates and TRUNCATE stay refused, always.
CREATE TABLE purge_permit (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    started TEXT NOT NULL
);

CREATE FUNCTION events_delete_only_purging() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM purge_permit) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the event log is append-only';
END
$$;
DROP TRIGGER events_append_only_update ON events;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_delete_only_purging();

CREATE TABLE purged_counts (
    day        TEXT NOT NULL,
    role       TEXT NOT NULL,
    country    TEXT NOT NULL,
    registered INTEGER NOT NULL,
    checked_in INTEGER NOT NULL,
    PRIMARY KEY (day, role, country)
);
