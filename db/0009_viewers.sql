-- 0009: the organiser's live view at the hub (checkin/sync/live/, docs/live.md): viewer
-- accounts and their sessions, and what each desk reports of itself with its sync.

-- Viewers: read-only accounts of the live web page. A viewer's link holds a random token,
-- kept here only as its SHA-256; the link is exchanged for a session cookie, whose value
-- is kept only as its SHA-256 too. Revoking a viewer deletes its sessions.
CREATE TABLE viewers (
    name          TEXT PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,              -- set: the link and its sessions answer 401
    last_sign_in  TEXT               -- hub time the link was last opened
);

CREATE TABLE viewer_sessions (
    session_sha256 TEXT PRIMARY KEY,
    viewer         TEXT NOT NULL REFERENCES viewers (name) ON DELETE CASCADE,
    created_at     TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX viewer_sessions_by_viewer ON viewer_sessions (viewer, created_at);

-- What a desk said of itself at its last push (NULL: an older desk that does not say).
ALTER TABLE sync_stations ADD COLUMN printer TEXT;        -- printing.backend.PrinterCondition
ALTER TABLE sync_stations ADD COLUMN waiting INTEGER;     -- its events not yet at the hub
ALTER TABLE sync_stations ADD COLUMN event_station TEXT;  -- the station name its events carry
