-- The plates campaign (门牌设置上墙): production orders of plates for a road or a village, each
-- plate (a sign of the inventory) moving ordered → produced → installed → verified; the problems
-- found with plates (重 duplicate, 错 wrong, 漏 missing, 损 damaged); the old→new tables of renamed
-- roads as published; and the documents of owners' applications.

-- A published old→new table (门牌号变更对照表) of a road renumbered after its renaming.
CREATE TABLE address_renumberings (
    id              INTEGER PRIMARY KEY,
    road_id         INTEGER NOT NULL REFERENCES places(id),
    division_code   TEXT NOT NULL,
    old_road_name   TEXT NOT NULL,
    road_name       TEXT NOT NULL,
    applied_on      TEXT NOT NULL,
    -- The day by which the plates are to be replaced (the rule's replacement_days).
    replace_by      TEXT NOT NULL,
    -- JSON list of the rows: old and new address, level, old and new ids.
    rows            TEXT NOT NULL,
    comment         TEXT NOT NULL,
    created_by_name TEXT NOT NULL
);
CREATE INDEX address_renumberings_road ON address_renumberings(road_id);

CREATE TABLE plate_orders (
    id              INTEGER PRIMARY KEY,
    -- The order covers one road (road_id) or the addresses of one division (a village).
    road_id         INTEGER REFERENCES places(id),
    division_code   TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('new', 'replacement')),
    renumbering_id  INTEGER REFERENCES address_renumberings(id),
    due_on          TEXT,
    note            TEXT,
    created_at      TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    CHECK (road_id IS NOT NULL OR length(division_code) >= 6)
);

-- One plate of an order: the address it is made for and its sign.
CREATE TABLE plate_order_items (
    order_id         INTEGER NOT NULL REFERENCES plate_orders(id),
    address_id       INTEGER NOT NULL REFERENCES addresses(id),
    sign_id          INTEGER NOT NULL UNIQUE REFERENCES signs(id),
    -- The plate this one replaces (a renamed road's old plate), retired when this one is up.
    replaces_sign_id INTEGER REFERENCES signs(id),
    stage            TEXT NOT NULL CHECK (stage IN ('ordered', 'produced', 'installed', 'verified')),
    produced_on      TEXT,
    installed_on     TEXT,
    photo_id         INTEGER REFERENCES sign_photos(id),
    verified_on      TEXT,
    verified_by_name TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (order_id, address_id)
);
CREATE INDEX plate_order_items_address ON plate_order_items(address_id);

-- A problem found with a plate in a field check (the public's reports are the sign reports).
CREATE TABLE plate_flags (
    id               INTEGER PRIMARY KEY,
    address_id       INTEGER NOT NULL REFERENCES addresses(id),
    sign_id          INTEGER REFERENCES signs(id),
    problem          TEXT NOT NULL CHECK (problem IN ('duplicate', 'wrong', 'missing', 'damaged')),
    note             TEXT NOT NULL,
    raised_on        TEXT NOT NULL,
    raised_by_name   TEXT NOT NULL,
    resolved_on      TEXT,
    resolved_by_name TEXT,
    resolution       TEXT
);
CREATE INDEX plate_flags_address ON plate_flags(address_id);

-- The documents received with an owner's application (building permit, site plan …).
CREATE TABLE address_application_documents (
    id               INTEGER PRIMARY KEY,
    application_id   INTEGER NOT NULL REFERENCES address_applications(id),
    title            TEXT NOT NULL,
    media_type       TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    bytes            BLOB NOT NULL,
    uploaded_at      TEXT NOT NULL,
    uploaded_by_name TEXT NOT NULL
);
CREATE INDEX address_application_documents_application ON address_application_documents(application_id);
