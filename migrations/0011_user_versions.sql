-- Accounts are edited through the API by administrators: each change counts a version so a
-- stale edit (If-Match) is refused with 412 instead of overwriting another administrator's.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
