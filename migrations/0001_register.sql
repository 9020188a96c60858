-- The census register: reference data, divisions, place-name records with versions,
-- staff accounts, sessions and the audit log.
-- Timestamps are UTC RFC 3339 text with microseconds ("2026-11-22T10:00:00.000000Z") so that
-- text order is time order; dates are "YYYY-MM-DD".

-- Place-name categories. The 12 大类 are those of the second national census
-- (国务院第二次全国地名普查工作规程, based on GB/T 18521-2001). The 中类/小类 below follow
-- GB/T 18521's rule that each level appends one digit to its parent's code; their
-- selection is this project's, covering the kinds of feature the census registered.
CREATE TABLE categories (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES categories(code),
    name_zh     TEXT NOT NULL UNIQUE,
    name_en     TEXT NOT NULL UNIQUE
);

INSERT INTO categories (code, parent_code, name_zh, name_en) VALUES
('11', NULL, '海域', 'Sea areas'),
('111', '11', '海', 'Seas'),
('112', '11', '海湾', 'Bays'),
('113', '11', '海峡', 'Straits'),
('114', '11', '水道', 'Sea channels'),
('115', '11', '滩涂', 'Tidal flats'),
('116', '11', '海岛', 'Islands'),
('119', '11', '其他海域', 'Other sea features'),
('12', NULL, '陆地水系', 'Inland waters'),
('121', '12', '河流', 'Rivers'),
('122', '12', '湖泊', 'Lakes'),
('123', '12', '运河', 'Canals'),
('124', '12', '瀑布', 'Waterfalls'),
('125', '12', '泉', 'Springs'),
('126', '12', '湿地', 'Wetlands'),
('129', '12', '其他水系', 'Other inland waters'),
('13', NULL, '陆地地形', 'Land forms'),
('131', '13', '山', 'Mountains and peaks'),
('132', '13', '丘陵', 'Hills'),
('133', '13', '平原', 'Plains'),
('134', '13', '盆地', 'Basins'),
('135', '13', '谷地', 'Valleys'),
('136', '13', '高原', 'Plateaus'),
('137', '13', '沙漠', 'Deserts'),
('138', '13', '洞穴', 'Caves'),
('139', '13', '其他地形', 'Other land forms'),
('21', NULL, '行政区域', 'Administrative divisions'),
('211', '21', '省级行政区域', 'Province-level divisions'),
('212', '21', '地级行政区域', 'Prefecture-level divisions'),
('213', '21', '县级行政区域', 'County-level divisions'),
('214', '21', '乡级行政区域', 'Township-level divisions'),
('22', NULL, '群众自治组织', 'Self-governing organisations'),
('221', '22', '社区居民委员会', 'Residents'' committees'),
('222', '22', '村民委员会', 'Villagers'' committees'),
('23', NULL, '非行政区域', 'Non-administrative areas'),
('231', '23', '开发区', 'Development zones'),
('232', '23', '农林牧渔区', 'Farming, forestry and fishery areas'),
('233', '23', '自然保护区', 'Nature reserves'),
('239', '23', '其他非行政区域', 'Other non-administrative areas'),
('24', NULL, '居民点', 'Residential areas'),
('241', '24', '城镇居民点', 'Urban settlements'),
('242', '24', '农村居民点', 'Rural settlements'),
('25', NULL, '交通运输设施', 'Transport facilities'),
('251', '25', '铁路', 'Railways'),
('252', '25', '公路', 'Highways'),
('253', '25', '城市道路', 'Urban roads'),
('2531', '253', '街', 'Streets'),
('2532', '253', '路', 'Roads'),
('2533', '253', '巷', 'Lanes'),
('254', '25', '桥梁', 'Bridges'),
('255', '25', '隧道', 'Tunnels'),
('256', '25', '港口码头', 'Ports and piers'),
('257', '25', '机场', 'Airports'),
('258', '25', '车站', 'Stations'),
('259', '25', '其他交通运输设施', 'Other transport facilities'),
('26', NULL, '水利电力通信设施', 'Water, power and communication facilities'),
('261', '26', '水库', 'Reservoirs'),
('262', '26', '渠道', 'Channels'),
('263', '26', '堤坝', 'Dams and dikes'),
('264', '26', '水闸', 'Sluices'),
('265', '26', '电站', 'Power stations'),
('266', '26', '通信设施', 'Communication facilities'),
('269', '26', '其他水利电力通信设施', 'Other water, power and communication facilities'),
('27', NULL, '纪念地旅游景点', 'Memorials and tourist sites'),
('271', '27', '纪念地', 'Memorial sites'),
('272', '27', '公园', 'Parks'),
('273', '27', '风景区', 'Scenic areas'),
('274', '27', '名胜古迹', 'Historic sites'),
('279', '27', '其他纪念地旅游景点', 'Other memorials and tourist sites'),
('28', NULL, '建筑物', 'Buildings'),
('281', '28', '房屋建筑', 'Buildings and estates'),
('282', '28', '亭台碑塔', 'Pavilions, terraces, steles and towers'),
('283', '28', '广场', 'Squares'),
('284', '28', '体育场馆', 'Sports venues'),
('289', '28', '其他建筑物', 'Other structures'),
('29', NULL, '单位', 'Organisations'),
('291', '29', '机关', 'Government bodies'),
('292', '29', '企业', 'Enterprises'),
('293', '29', '事业单位', 'Public institutions'),
('299', '29', '其他单位', 'Other organisations');

-- Administrative divisions known to the register (extended by the divisions work).
CREATE TABLE divisions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township', 'village')),
    parent_code TEXT REFERENCES divisions(code),
    valid_from  TEXT,
    valid_to    TEXT
);
CREATE INDEX divisions_parent ON divisions(parent_code);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reviewer', 'inspector')),
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_jurisdictions (
    user_id INTEGER NOT NULL REFERENCES users(id),
    prefix  TEXT NOT NULL,
    PRIMARY KEY (user_id, prefix)
);

-- A session is stored only as the SHA-256 of its token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins by username, whether or not the user exists (so a lock reveals nothing).
CREATE TABLE login_failures (
    username        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until    TEXT
);

-- A place-name record: its identity and which version is current. Its content lives in the
-- versions, which are never changed or deleted.
CREATE TABLE places (
    id              INTEGER PRIMARY KEY,
    code            TEXT UNIQUE,
    current_version INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE place_versions (
    place_id         INTEGER NOT NULL REFERENCES places(id),
    version          INTEGER NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('created', 'updated', 'retired')),
    effective_on     TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    recorded_by      INTEGER REFERENCES users(id),
    recorded_by_name TEXT NOT NULL,
    comment          TEXT,
    standard_name    TEXT NOT NULL,
    category_code    TEXT NOT NULL REFERENCES categories(code),
    status           TEXT NOT NULL CHECK (status IN ('current', 'historical')),
    classification   TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'secret', 'confidential')),
    names_text       TEXT NOT NULL,
    min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,
    properties       TEXT NOT NULL,
    geometry         TEXT,
    PRIMARY KEY (place_id, version)
);
CREATE INDEX place_versions_effective ON place_versions(place_id, effective_on);
CREATE INDEX place_versions_recorded ON place_versions(recorded_at);

CREATE TABLE place_version_divisions (
    place_id      INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    division_code TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (place_id, version, division_code),
    FOREIGN KEY (place_id, version) REFERENCES place_versions(place_id, version)
);
CREATE INDEX place_version_divisions_code ON place_version_divisions(division_code);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     INTEGER REFERENCES users(id),
    username    TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT,
    remote_addr TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- History is append-only: the database itself refuses to rewrite it.
CREATE TRIGGER place_versions_append_only_update BEFORE UPDATE ON place_versions
BEGIN SELECT RAISE(ABORT, 'place versions are append-only'); END;
CREATE TRIGGER place_versions_append_only_delete BEFORE DELETE ON place_versions
BEGIN SELECT RAISE(ABORT, 'place versions are append-only'); END;
CREATE TRIGGER place_version_divisions_append_only_update BEFORE UPDATE ON place_version_divisions
BEGIN SELECT RAISE(ABORT, 'place versions are append-only'); END;
CREATE TRIGGER place_version_divisions_append_only_delete BEFORE DELETE ON place_version_divisions
BEGIN SELECT RAISE(ABORT, 'place versions are append-only'); END;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
