-- House numbers (门牌): the numbering rule of each jurisdiction, each road's own numbering
-- settings, and the versioned address register (door → building → unit → flat).

-- A jurisdiction's numbering rule (JSON of domain::address_numbering::NumberingRules); an
-- address takes the rule of the longest prefix of its division code, the default without one.
CREATE TABLE address_rules (
    jurisdiction    TEXT PRIMARY KEY,
    rules           TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by_name TEXT NOT NULL
);

-- A road's orientation and numbering start (JSON of RoadNumbering), stored with the road.
CREATE TABLE road_numbering (
    road_id         INTEGER PRIMARY KEY REFERENCES places(id),
    settings        TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by_name TEXT NOT NULL
);

-- An address record: its identity and which version is current; content lives in versions.
CREATE TABLE addresses (
    id              INTEGER PRIMARY KEY,
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE address_versions (
    address_id       INTEGER NOT NULL REFERENCES addresses(id),
    version          INTEGER NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('created', 'updated', 'retired')),
    effective_on     TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    recorded_by      INTEGER REFERENCES users(id),
    recorded_by_name TEXT NOT NULL,
    comment          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('proposed', 'assigned', 'retired')),
    level            TEXT NOT NULL CHECK (level IN ('door', 'building', 'unit', 'flat')),
    division_code    TEXT NOT NULL,
    road_id          INTEGER NOT NULL REFERENCES places(id),
    number           INTEGER,
    suffix           INTEGER,
    building         TEXT,
    unit             TEXT,
    flat             TEXT,
    -- The path on its road as one key (see domain::address::path_key), for the duplicate check.
    path_key         TEXT NOT NULL,
    lon REAL, lat REAL,
    side             TEXT CHECK (side IN ('left', 'right')),
    distance_m       REAL,
    offset_m         REAL,
    standard_address TEXT NOT NULL,
    PRIMARY KEY (address_id, version)
);
CREATE INDEX address_versions_road ON address_versions(road_id, path_key);
CREATE INDEX address_versions_effective ON address_versions(address_id, effective_on);

CREATE TRIGGER address_versions_append_only_update BEFORE UPDATE ON address_versions
BEGIN SELECT RAISE(ABORT, 'address versions are append-only'); END;
CREATE TRIGGER address_versions_append_only_delete BEFORE DELETE ON address_versions
BEGIN SELECT RAISE(ABORT, 'address versions are append-only'); END;
