-- Boundary markers (界桩): the number by GB/T 17796, the position in CGCS2000 (EPSG:4490) and the
-- coordinates exactly as surveyed with their coordinate system, kept beside the converted ones.

CREATE TABLE markers (
    id              INTEGER PRIMARY KEY,
    marker_number   TEXT NOT NULL UNIQUE,
    line_code       TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    marker_type     TEXT NOT NULL CHECK (marker_type IN ('Q', 'A', 'B', 'C', 'D', 'E')),
    lon             REAL NOT NULL,
    lat             REAL NOT NULL,
    surveyed_x      REAL NOT NULL,
    surveyed_y      REAL NOT NULL,
    surveyed_crs    TEXT NOT NULL,
    material        TEXT,
    installed_on    TEXT,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL
);
CREATE INDEX markers_line ON markers(line_code, sequence);
