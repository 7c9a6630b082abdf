-- 0008: the hub's uploads of the attendance to the organiser's endpoint after a desk's
-- final sync (checkin/sync/upload.py, docs/sync.md "Upload"), one row per attempt; and
-- when each desk last said its day was done (`checkin sync --final`).
CREATE TABLE uploads (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    upload_id TEXT NOT NULL,              -- one upload, whatever its attempts (in the JSON)
    attempt   INTEGER NOT NULL,           -- 1, 2, ...
    time      TEXT NOT NULL,              -- hub time the attempt ended
    url       TEXT NOT NULL,              -- without user info and query: they may hold secrets
    status    TEXT NOT NULL CHECK (status IN ('ok', 'retrying', 'failed')),
                                          -- retrying: another attempt follows; failed: none
    http_code INTEGER,                    -- NULL: no HTTP answer (refused, timed out, ...)
    error     TEXT NOT NULL DEFAULT '',   -- one line; '' when ok
    bytes     INTEGER NOT NULL DEFAULT 0, -- size of the JSON body sent
    trigger   TEXT NOT NULL DEFAULT ''    -- what started the upload ("final sync of desk-1")
);

ALTER TABLE sync_stations ADD COLUMN final_at TEXT; -- hub time of its last final sync
