-- 0009: the organiser's live view at the hub, as db/0009_viewers.sql (docs/live.md).
CREATE TABLE viewers (
    name          TEXT PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_sign_in  TEXT
);

CREATE TABLE viewer_sessions (
    session_sha256 TEXT PRIMARY KEY,
    viewer         TEXT NOT NULL REFERENCES viewers (name) ON DELETE CASCADE,
    created_at     TEXT NOT NULL
);

CREATE INDEX viewer_sessions_by_viewer ON viewer_sessions (viewer, created_at);

ALTER TABLE sync_stations ADD COLUMN printer TEXT;
ALTER TABLE sync_stations ADD COLUMN waiting INTEGER;
ALTER TABLE sync_stations ADD COLUMN event_station TEXT;
