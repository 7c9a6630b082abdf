-- 0002 (PostgreSQL, as db/0002_keys.sql): public signing keys, revoked token references, issued confirmation tokens.
-- The private key never enters the database: it lives in a file beside it
-- (checkin.paths.key_path), on the organiser's machine.

CREATE TABLE public_keys (
    key_id     TEXT PRIMARY KEY,            -- 4 Crockford base32 chars, from SHA-256 of the key
    algorithm  TEXT NOT NULL DEFAULT 'ed25519',
    public_key TEXT NOT NULL UNIQUE,        -- raw 32-byte Ed25519 public key, base64
    created_at TEXT NOT NULL,
    revoked_at TEXT                         -- set: tokens signed with this key no longer verify
);

-- A revoked ref: tokens carrying it answer `cancelled` (the attendee got a new ref).
CREATE TABLE revoked_refs (
    ref         TEXT PRIMARY KEY,
    attendee_id TEXT,
    reason      TEXT NOT NULL DEFAULT '',
    revoked_at  TEXT NOT NULL
);

-- Tokens issued by `checkin confirmations`, so a station without the private key can
-- print the very QR the delegate was mailed.
CREATE TABLE issued_tokens (
    attendee_id TEXT NOT NULL,
    ref         TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    token       TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    PRIMARY KEY (attendee_id, key_id, ref)
);
