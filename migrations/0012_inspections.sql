-- Joint boundary inspections (界线联检, 《行政区域界线管理条例》 art. 12): a round of one line with
-- both sides' teams and signers, each side's findings in append-only versions, discussion of
-- differing items, disputes with both sides' claimed lines and their history, tasks for the
-- side leading a segment, photos, and the two signatures of the report. The marker register
-- gains a position history: a marker moved or added through a signed report keeps its old
-- position as an earlier version.

CREATE TABLE inspection_rounds (
    -- Random (like division events): an id says nothing about how many rounds exist.
    id               INTEGER PRIMARY KEY,
    line_code        TEXT NOT NULL,
    lead_side        TEXT NOT NULL,
    cooperating_side TEXT NOT NULL,
    -- 第N轮 of this line at its level, or an ad-hoc inspection with its cause.
    round_number     INTEGER CHECK (round_number > 0),
    adhoc_cause      TEXT,
    planned_start    TEXT NOT NULL,
    planned_end      TEXT NOT NULL,
    tolerance_m      REAL NOT NULL DEFAULT 1.0 CHECK (tolerance_m > 0),
    state            TEXT NOT NULL CHECK (state IN ('planned', 'office_review', 'field_work',
                         'reconciliation', 'signing', 'signed', 'cancelled')),
    cancel_reason    TEXT,
    -- Counts changes of the round itself (state moves, signatures): its ETag.
    version          INTEGER NOT NULL DEFAULT 1,
    -- Counts changes of what the report is made of: a signature names the one it saw.
    content_version  INTEGER NOT NULL DEFAULT 1,
    -- The basis as it stood when the round opened (line, markers, segment leads, carry-over).
    basis            TEXT NOT NULL,
    previous_round_id INTEGER REFERENCES inspection_rounds(id),
    -- The hash both signers signed, once signed.
    signed_hash      TEXT,
    created_at       TEXT NOT NULL,
    created_by_name  TEXT NOT NULL,
    CHECK ((round_number IS NULL) <> (adhoc_cause IS NULL)),
    CHECK (lead_side <> cooperating_side)
);
CREATE INDEX inspection_rounds_line ON inspection_rounds(line_code);
CREATE UNIQUE INDEX inspection_rounds_number ON inspection_rounds(line_code, round_number)
    WHERE round_number IS NOT NULL AND state <> 'cancelled';

-- Each side's team (inspectors) and signer.
CREATE TABLE inspection_members (
    round_id INTEGER NOT NULL REFERENCES inspection_rounds(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    username TEXT NOT NULL,
    side     TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('inspector', 'signer')),
    PRIMARY KEY (round_id, user_id, role)
);
CREATE INDEX inspection_members_user ON inspection_members(user_id);

-- Photos of a round, uploaded by one side; findings, comments and tasks name them.
CREATE TABLE inspection_photos (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES inspection_rounds(id),
    side        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX inspection_photos_round ON inspection_photos(round_id);

-- A side's findings of one subject (a marker number, segment-N, line): every change is a new
-- version. A finding sent from a device offline carries the device's own id and capture time,
-- so the same batch sent twice is recognised.
CREATE TABLE inspection_findings (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES inspection_rounds(id),
    side         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    content      TEXT NOT NULL,
    client_id    TEXT,
    captured_at  TEXT,
    recorded_at  TEXT NOT NULL,
    author_id    INTEGER,
    author_name  TEXT NOT NULL,
    UNIQUE (round_id, side, subject, version)
);
CREATE UNIQUE INDEX inspection_findings_client ON inspection_findings(round_id, side, client_id)
    WHERE client_id IS NOT NULL;

CREATE TRIGGER inspection_findings_append_only_update BEFORE UPDATE ON inspection_findings
BEGIN SELECT RAISE(ABORT, 'inspection findings are append-only'); END;
CREATE TRIGGER inspection_findings_append_only_delete BEFORE DELETE ON inspection_findings
BEGIN SELECT RAISE(ABORT, 'inspection findings are append-only'); END;

-- The discussion of a differing item: comments of either side, with photos.
CREATE TABLE inspection_comments (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES inspection_rounds(id),
    subject     TEXT NOT NULL,
    side        TEXT NOT NULL,
    body        TEXT NOT NULL,
    photo_ids   TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    author_name TEXT NOT NULL
);
CREATE INDEX inspection_comments_subject ON inspection_comments(round_id, subject);

-- A side's acceptance of one side's finding (by version) of a differing item; the latest of a
-- side counts.
CREATE TABLE inspection_acceptances (
    id               INTEGER PRIMARY KEY,
    round_id         INTEGER NOT NULL REFERENCES inspection_rounds(id),
    subject          TEXT NOT NULL,
    side             TEXT NOT NULL,
    accepted_side    TEXT NOT NULL,
    accepted_version INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    author_name      TEXT NOT NULL
);
CREATE INDEX inspection_acceptances_subject ON inspection_acceptances(round_id, subject, side);

-- Disputes (争议) of a segment or the line, each side's claimed line (边界主张线: red for the
-- side with the smaller code, blue for the other) and the history of its status.
CREATE TABLE inspection_disputes (
    id                 INTEGER PRIMARY KEY,
    round_id           INTEGER NOT NULL REFERENCES inspection_rounds(id),
    subject            TEXT NOT NULL,
    description        TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'negotiated', 'escalated', 'resolved')),
    resolving_document TEXT,
    carried_from       INTEGER REFERENCES inspection_disputes(id),
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    created_by_name    TEXT NOT NULL
);
CREATE INDEX inspection_disputes_round ON inspection_disputes(round_id);

CREATE TABLE inspection_dispute_claims (
    dispute_id  INTEGER NOT NULL REFERENCES inspection_disputes(id),
    side        TEXT NOT NULL,
    line        TEXT NOT NULL,
    note        TEXT,
    claimed_at  TEXT NOT NULL,
    author_name TEXT NOT NULL,
    PRIMARY KEY (dispute_id, side)
);

CREATE TABLE inspection_dispute_steps (
    id          INTEGER PRIMARY KEY,
    dispute_id  INTEGER NOT NULL REFERENCES inspection_disputes(id),
    status      TEXT NOT NULL,
    note        TEXT,
    document    TEXT,
    at          TEXT NOT NULL,
    author_name TEXT NOT NULL
);

-- A marker to repair, rebuild, move or add, for the side leading its segment (art. 6), and
-- its completion with who of the other side was present (art. 16(4)).
CREATE TABLE inspection_tasks (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES inspection_rounds(id),
    marker_number  TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('repair', 'rebuild', 'move', 'add')),
    side           TEXT NOT NULL,
    reason         TEXT,
    -- For a move or a new marker: CGCS2000, and the position as surveyed (JSON).
    new_lon        REAL,
    new_lat        REAL,
    new_surveyed   TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'done')),
    completed_on   TEXT,
    present        TEXT NOT NULL DEFAULT '{}',
    photo_ids      TEXT NOT NULL DEFAULT '[]',
    notes          TEXT,
    carried_from   INTEGER REFERENCES inspection_tasks(id),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    completed_by_name TEXT
);
CREATE INDEX inspection_tasks_round ON inspection_tasks(round_id);

-- Each side's signer signs the hash of the report's canonical content. A change of the content
-- before the second signature voids the first (voided_at).
CREATE TABLE inspection_signatures (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES inspection_rounds(id),
    side        TEXT NOT NULL,
    signer_id   INTEGER NOT NULL,
    signer_name TEXT NOT NULL,
    hash        TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    voided_at   TEXT
);
CREATE UNIQUE INDEX inspection_signatures_valid ON inspection_signatures(round_id, side)
    WHERE voided_at IS NULL;

-- The marker register's positions as versions: a marker moved through a signed report keeps
-- every earlier position.
CREATE TABLE marker_positions (
    marker_id    INTEGER NOT NULL REFERENCES markers(id),
    version      INTEGER NOT NULL,
    lon          REAL NOT NULL,
    lat          REAL NOT NULL,
    surveyed_x   REAL NOT NULL,
    surveyed_y   REAL NOT NULL,
    surveyed_crs TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    round_id     INTEGER REFERENCES inspection_rounds(id),
    PRIMARY KEY (marker_id, version)
);
ALTER TABLE markers ADD COLUMN position_version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER marker_positions_append_only_update BEFORE UPDATE ON marker_positions
BEGIN SELECT RAISE(ABORT, 'marker positions are append-only'); END;
CREATE TRIGGER marker_positions_append_only_delete BEFORE DELETE ON marker_positions
BEGIN SELECT RAISE(ABORT, 'marker positions are append-only'); END;
