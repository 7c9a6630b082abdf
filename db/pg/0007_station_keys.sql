-- 0007 (PostgreSQL, as db/0007_station_keys.sql): station keys (checkin/station_keys.py, docs/sync.md). A desk has no private key of
-- the organiser, so it signs the badges of its walk-ins with a key of its own; the hub
-- lists that key's public half under the desk's name, and revoking the desk revokes it.
ALTER TABLE public_keys ADD COLUMN station TEXT;  -- NULL: an event key (checkin.keys)
