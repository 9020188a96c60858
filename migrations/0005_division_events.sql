-- Division change events (区划变更) and the history of divisions.
--
-- `divisions` keeps one row per code ever used: its latest state, valid from `valid_from`
-- (NULL: since before the register) until `valid_to` (NULL: still in force). When an event
-- changes a division without changing its code, the state it ends is copied to
-- `division_periods` first, so that the hierarchy and names can be read as of any day.
-- `lineage` is the code a division was first registered under: a division whose code changes
-- (撤县设市, 隶属变更) keeps its lineage, so it is not a new division.

ALTER TABLE divisions ADD COLUMN kind TEXT;
ALTER TABLE divisions ADD COLUMN seat TEXT;
ALTER TABLE divisions ADD COLUMN lineage TEXT;
ALTER TABLE divisions ADD COLUMN event_id TEXT;
CREATE INDEX divisions_valid_to ON divisions(valid_to);

-- A proposed, approved, applied or rejected change. Ids are random, so that the ids a user may
-- see reveal nothing of the events hidden from them.
CREATE TABLE division_events (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('establish', 'abolish', 'rename', 'merge', 'split',
                                                     'reparent', 'seat_move', 'change_kind')),
    status             TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'applied', 'rejected')),
    effective_on       TEXT NOT NULL,
    summary            TEXT NOT NULL,
    changes            TEXT NOT NULL,
    proposed_at        TEXT NOT NULL,
    proposed_by        INTEGER REFERENCES users(id),
    proposed_by_name   TEXT NOT NULL,
    approval_authority TEXT,
    approval_date      TEXT,
    approval_document  TEXT,
    decided_at         TEXT,
    decided_by_name    TEXT,
    decision_comment   TEXT,
    applied_at         TEXT
);
CREATE INDEX division_events_due ON division_events(status, effective_on);

-- The reviewers named on an event: with admins, the only people who see it while it is pending.
CREATE TABLE division_event_reviewers (
    event_id TEXT NOT NULL REFERENCES division_events(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (event_id, user_id)
);

-- The divisions each event touches (old and new codes), for a division's history.
CREATE TABLE division_event_codes (
    event_id TEXT NOT NULL REFERENCES division_events(id),
    code     TEXT NOT NULL,
    PRIMARY KEY (event_id, code)
);
CREATE INDEX division_event_codes_code ON division_event_codes(code);

-- Past states of divisions whose code outlived the change.
CREATE TABLE division_periods (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL REFERENCES divisions(code),
    name        TEXT NOT NULL,
    kind        TEXT,
    parent_code TEXT,
    seat        TEXT,
    valid_from  TEXT,
    valid_to    TEXT NOT NULL,
    ended_by    TEXT NOT NULL REFERENCES division_events(id)
);
CREATE INDEX division_periods_code ON division_periods(code, valid_to);

CREATE TRIGGER division_periods_append_only_update BEFORE UPDATE ON division_periods
BEGIN SELECT RAISE(ABORT, 'division periods are append-only'); END;
CREATE TRIGGER division_periods_append_only_delete BEFORE DELETE ON division_periods
BEGIN SELECT RAISE(ABORT, 'division periods are append-only'); END;
