-- Boundary lines as versioned records, and what a marker carries beyond its position:
-- reference objects (方位物), photos and its condition history.

CREATE TABLE boundary_lines (
    id              INTEGER PRIMARY KEY,
    line_code       TEXT NOT NULL UNIQUE,
    first_code      TEXT NOT NULL,
    second_code     TEXT NOT NULL,
    level           TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE boundary_line_versions (
    line_id             INTEGER NOT NULL REFERENCES boundary_lines(id),
    version             INTEGER NOT NULL,
    effective_on        TEXT NOT NULL,
    recorded_at         TEXT NOT NULL,
    recorded_by_name    TEXT NOT NULL,
    comment             TEXT,
    -- 界线协议书
    agreement_title     TEXT,
    agreement_number    TEXT,
    agreement_signed_on TEXT,
    -- The government above both sides that approved the line (e.g. 嘉兴市人民政府).
    approved_by         TEXT,
    source              TEXT NOT NULL CHECK (source IN ('shared_edges', 'imported')),
    geometry            TEXT NOT NULL,
    length_m            REAL NOT NULL,
    PRIMARY KEY (line_id, version)
);

CREATE TRIGGER boundary_line_versions_append_only_update BEFORE UPDATE ON boundary_line_versions
BEGIN SELECT RAISE(ABORT, 'boundary line versions are append-only'); END;
CREATE TRIGGER boundary_line_versions_append_only_delete BEFORE DELETE ON boundary_line_versions
BEGIN SELECT RAISE(ABORT, 'boundary line versions are append-only'); END;

-- 方位物: a landmark near the marker, with the grid bearing and distance from the marker to it,
-- so that a lost marker can be found and re-set.
CREATE TABLE marker_references (
    marker_id   INTEGER NOT NULL REFERENCES markers(id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    bearing_deg REAL NOT NULL CHECK (bearing_deg >= 0 AND bearing_deg < 360),
    distance_m  REAL NOT NULL CHECK (distance_m > 0),
    PRIMARY KEY (marker_id, position)
);

CREATE TABLE marker_photos (
    id          INTEGER PRIMARY KEY,
    marker_id   INTEGER NOT NULL REFERENCES markers(id),
    media_type  TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);
CREATE INDEX marker_photos_marker ON marker_photos(marker_id);

-- What each inspection found: append-only, the latest is the marker's condition.
CREATE TABLE marker_conditions (
    id          INTEGER PRIMARY KEY,
    marker_id   INTEGER NOT NULL REFERENCES markers(id),
    observed_on TEXT NOT NULL,
    condition   TEXT NOT NULL CHECK (condition IN ('intact', 'tilted', 'damaged', 'buried', 'missing', 'destroyed')),
    notes       TEXT,
    photo_id    INTEGER REFERENCES marker_photos(id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX marker_conditions_marker ON marker_conditions(marker_id, observed_on);

CREATE TRIGGER marker_conditions_append_only_update BEFORE UPDATE ON marker_conditions
BEGIN SELECT RAISE(ABORT, 'marker conditions are append-only'); END;
CREATE TRIGGER marker_conditions_append_only_delete BEFORE DELETE ON marker_conditions
BEGIN SELECT RAISE(ABORT, 'marker conditions are append-only'); END;
