-- 0004 (PostgreSQL, as db/0004_sync.sql): desks in sync (checkin/sync/, docs/sync.md). The same schema on the hub and on
-- every desk; each side uses its own tables. Cursors and the hub URL are rows in `meta`
-- (sync_hub, sync_hub_id, sync_pull_seq, sync_pull_uuid, sync_push_seq); a desk's token
-- is a 0600 file beside its database, never a row.

-- On the hub: the desks it accepts. A token is kept only as its SHA-256, so a copy of the
-- database gives nobody a working token.
CREATE TABLE sync_stations (
    name            TEXT PRIMARY KEY,
    token_sha256    TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT,                       -- set: its token answers 401
    last_contact    TEXT,                       -- hub time of its last push or pull
    events_received INTEGER NOT NULL DEFAULT 0, -- events it pushed that were new to the hub
    clock_skew      DOUBLE PRECISION           -- seconds: hub receive time minus its clock
);

-- On a desk: the uuids of events that came from the hub, so they are never pushed back
-- (the outbox is every event after sync_push_seq that is not listed here).
CREATE TABLE sync_pulled (
    uuid TEXT PRIMARY KEY
);
