-- 0011 (PostgreSQL only): no attendee's data in the planner's statistics. ANALYZE (and
-- autovacuum's) keeps sample values of each column in pg_statistic: the most common names,
-- e-mail addresses, payloads. They would outlive `checkin purge` (docs/privacy.md). So the
-- text columns of the tables that hold personal data collect none (statistics target 0),
-- and what earlier ANALYZE runs kept is dropped: a column's type set to the type it has
-- drops its statistics, with no table rewrite and no index rebuild. The integer columns
-- (seq, id) keep theirs: the planner needs them for the pull's seq ranges.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema()
          AND table_name IN ('attendees', 'events', 'print_jobs', 'issued_tokens',
                             'revoked_refs', 'pretix_positions', 'pretix_checkins',
                             'pretix_pushes', 'sync_pulled')
          AND data_type IN ('text', 'character varying', 'json', 'jsonb')
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS 0',
                       col.table_name, col.column_name);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s',
                       col.table_name, col.column_name, col.data_type);
    END LOOP;
END
$$;
