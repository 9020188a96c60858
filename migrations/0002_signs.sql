-- The sign inventory (地名标志牌): signs, their maintenance log, photos, problem reports from
-- the public, daily scan counts, and QR renderings (made once: a sign's code never changes).

CREATE TABLE signs (
    id            INTEGER PRIMARY KEY,
    public_code   TEXT NOT NULL UNIQUE,
    place_id      INTEGER NOT NULL REFERENCES places(id),
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    sign_number   TEXT,
    address       TEXT,
    lon           REAL,
    lat           REAL,
    facing_deg    REAL,
    material      TEXT,
    width_mm      INTEGER,
    height_mm     INTEGER,
    installed_on  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('planned', 'installed', 'damaged', 'missing', 'retired')),
    replaced_by   INTEGER REFERENCES signs(id),
    last_maintained_on TEXT,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX signs_place ON signs(place_id);
CREATE INDEX signs_division ON signs(division_code);

CREATE TABLE sign_photos (
    id          INTEGER PRIMARY KEY,
    sign_id     INTEGER NOT NULL REFERENCES signs(id),
    media_type  TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX sign_photos_sign ON sign_photos(sign_id);

-- The maintenance log is append-only, like every history.
CREATE TABLE sign_maintenance (
    id           INTEGER PRIMARY KEY,
    sign_id      INTEGER NOT NULL REFERENCES signs(id),
    action       TEXT NOT NULL CHECK (action IN ('inspected', 'cleaned', 'repaired', 'replaced', 'status_changed')),
    done_on      TEXT NOT NULL,
    notes        TEXT,
    status_after TEXT NOT NULL,
    photo_id     INTEGER REFERENCES sign_photos(id),
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL
);
CREATE INDEX sign_maintenance_sign ON sign_maintenance(sign_id);
CREATE TRIGGER sign_maintenance_append_only_update BEFORE UPDATE ON sign_maintenance
BEGIN SELECT RAISE(ABORT, 'the maintenance log is append-only'); END;
CREATE TRIGGER sign_maintenance_append_only_delete BEFORE DELETE ON sign_maintenance
BEGIN SELECT RAISE(ABORT, 'the maintenance log is append-only'); END;

-- A report from the public opens a ticket. No address or other personal data is kept.
CREATE TABLE sign_reports (
    id          INTEGER PRIMARY KEY,
    sign_id     INTEGER NOT NULL REFERENCES signs(id),
    kind        TEXT NOT NULL CHECK (kind IN ('damaged', 'dirty', 'missing', 'wrong_text', 'other')),
    text        TEXT NOT NULL,
    photo_id    INTEGER REFERENCES sign_photos(id),
    status      TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    resolution  TEXT,
    handled_by  TEXT
);
CREATE INDEX sign_reports_status ON sign_reports(status);

CREATE TABLE sign_scans (
    sign_id INTEGER NOT NULL REFERENCES signs(id),
    day     TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (sign_id, day)
);

CREATE TABLE sign_qr (
    sign_id    INTEGER NOT NULL REFERENCES signs(id),
    variant    TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    PRIMARY KEY (sign_id, variant)
);
