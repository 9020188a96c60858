-- Naming and renaming by the rules (《地名管理条例》2022 arts. 9-14, 25): applications with their
-- reports, public notice and comments, approval, filing and announcement; clean-up campaigns of
-- non-standard names (民发〔2018〕146号) and heritage lists (地名文化遗产保护名录).
-- Dates are "YYYY-MM-DD"; instants UTC RFC 3339 text with microseconds (see 0001).

-- One application to give a feature a name (naming) or to change its name (renaming). The row
-- is the application's current state; `version` counts its changes (If-Match) and every
-- change leaves a row in naming_application_steps and the audit log.
CREATE TABLE naming_applications (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('naming', 'renaming')),
    -- The record renamed (renaming), or the one approval created (naming).
    place_id            INTEGER REFERENCES places(id),
    proposed_name       TEXT NOT NULL,
    -- The name in force when a renaming was filed.
    current_name        TEXT,
    category_code       TEXT NOT NULL REFERENCES categories(code),
    -- The main division, and all of them as a JSON array of codes.
    division_code       TEXT NOT NULL,
    division_codes      TEXT NOT NULL,
    -- The fields of art. 11, as the applicant sent them (JSON object).
    content             TEXT NOT NULL,
    -- A new feature's GeoJSON geometry, if given.
    geometry            TEXT,
    -- What the checks at intake found (JSON): duplicates and homophones in the art. 9 scope,
    -- words of the non-standard lists, the romanization the rules give.
    intake_checks       TEXT NOT NULL,
    stage               TEXT NOT NULL CHECK (stage IN ('received', 'in_review', 'on_notice', 'approved', 'rejected', 'completed')),
    notice_starts_on    TEXT,
    notice_ends_on      TEXT,
    approval_authority  TEXT,
    approved_on         TEXT,
    document_number     TEXT,
    rejection_reason    TEXT,
    decided_on          TEXT,
    filing_due_on       TEXT,
    filed_on            TEXT,
    filing_authority    TEXT,
    filing_reference    TEXT,
    announcement_due_on TEXT,
    announced_on        TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    filed_by            INTEGER REFERENCES users(id),
    filed_by_name       TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX naming_applications_division ON naming_applications(division_code);
CREATE INDEX naming_applications_stage ON naming_applications(stage);

-- Every step of an application, in order: what moved it on, who, when.
CREATE TABLE naming_application_steps (
    application_id INTEGER NOT NULL REFERENCES naming_applications(id),
    version        INTEGER NOT NULL,
    action         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    on_day         TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    recorded_by    INTEGER REFERENCES users(id),
    recorded_by_name TEXT NOT NULL,
    detail         TEXT,
    PRIMARY KEY (application_id, version)
);

-- The three reports of art. 11: comprehensive assessment, expert review, public consultation.
CREATE TABLE naming_reports (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES naming_applications(id),
    kind           TEXT NOT NULL CHECK (kind IN ('assessment', 'expert_review', 'consultation')),
    author         TEXT NOT NULL,
    written_on     TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('favourable', 'conditional', 'unfavourable')),
    conclusion     TEXT NOT NULL,
    files          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    UNIQUE (application_id, kind)
);

-- Comments of the public on a name under notice (no sign-in; rate-limited).
CREATE TABLE naming_comments (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES naming_applications(id),
    received_at    TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    commenter      TEXT,
    contact        TEXT,
    text           TEXT NOT NULL,
    remote_addr    TEXT
);
CREATE INDEX naming_comments_application ON naming_comments(application_id);

-- Announcements (公告, art. 14) with the six fields the rules require.
CREATE TABLE naming_announcements (
    id                  INTEGER PRIMARY KEY,
    application_id      INTEGER NOT NULL UNIQUE REFERENCES naming_applications(id),
    place_id            INTEGER NOT NULL REFERENCES places(id),
    standard_name       TEXT NOT NULL,
    former_name         TEXT,
    romanization        TEXT NOT NULL,
    division_code       TEXT NOT NULL,
    division_name       TEXT NOT NULL,
    location            TEXT NOT NULL,
    approving_authority TEXT NOT NULL,
    approved_on         TEXT NOT NULL,
    document_number     TEXT,
    announced_on        TEXT NOT NULL,
    published_at        TEXT NOT NULL
);
CREATE INDEX naming_announcements_day ON naming_announcements(announced_on);

-- Clean-up campaigns of non-standard names within a jurisdiction, and their work lists.
CREATE TABLE naming_campaigns (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    jurisdiction   TEXT NOT NULL,
    started_on     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    -- The word lists the detection ran with (JSON), so the work list can be explained later.
    rules          TEXT NOT NULL
);

CREATE TABLE naming_campaign_items (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES naming_campaigns(id),
    place_id        INTEGER NOT NULL REFERENCES places(id),
    place_version   INTEGER NOT NULL,
    standard_name   TEXT NOT NULL,
    division_code   TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('big', 'foreign', 'weird', 'duplicate')),
    reason          TEXT NOT NULL,
    matched         TEXT NOT NULL,
    decision        TEXT CHECK (decision IN ('keep', 'standardise', 'rename')),
    decision_reason TEXT,
    new_writing     TEXT,
    application_id  INTEGER REFERENCES naming_applications(id),
    decided_by_name TEXT,
    decided_at      TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX naming_campaign_items_campaign ON naming_campaign_items(campaign_id, division_code);

-- Heritage names (地名文化遗产, art. 25): nominated with evidence, reviewed, listed, de-listed.
CREATE TABLE heritage_names (
    id               INTEGER PRIMARY KEY,
    place_id         INTEGER NOT NULL REFERENCES places(id),
    name             TEXT NOT NULL,
    division_code    TEXT NOT NULL,
    -- Evidence (JSON): since when the name is attested, its documents, its story.
    evidence         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('nominated', 'listed', 'rejected', 'delisted')),
    review_note      TEXT,
    listed_on        TEXT,
    list_batch       TEXT,
    protection       TEXT,
    delisted_on      TEXT,
    delisting_reason TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    nominated_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX heritage_names_place ON heritage_names(place_id, status);
